"""Bring the stored company events up to date: each source fetched, upserted, its state recorded.

A failing source keeps what is stored; news is only ever added. Callers hold the writer lock.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from dashboard.config import Settings
from dashboard.events.sources import EventSource
from dashboard.events.sources.earnings import EarningsSource
from dashboard.events.sources.news import NewsSource
from dashboard.events.sources.sec import SecError, SecSource
from dashboard.schema import utcnow

FIRST_DATE = date(2020, 6, 1)  # the first backfill reaches the snapshot's start
OVERLAP = timedelta(days=30)  # re-read a month of filings: amendments, late headers
CIK_MAP_MAX_AGE = timedelta(days=7)


@dataclass
class SourceOutcome:
    name: str
    added: int = 0
    changed: int = 0
    errors: dict[str, str] = field(default_factory=dict)
    unreachable: str | None = None
    skipped: str | None = None


@dataclass
class EventsOutcome:
    sources: list[SourceOutcome] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(s.errors or s.unreachable for s in self.sources)

    def lines(self) -> list[str]:
        return [f"{s.name}\t{s.added} events added\t{s.changed} changed" for s in self.sources
                if not s.skipped and not s.unreachable]

    def failures(self) -> list[str]:
        found = []
        for s in self.sources:
            if s.unreachable:
                found.append(f"{s.name}: {s.unreachable}")
            else:
                found += [f"{s.name}: {ticker}: {reason}" for ticker, reason in s.errors.items()]
        return found

    def notes(self) -> list[str]:
        return [f"{s.name}: {s.skipped}" for s in self.sources if s.skipped]


def _sec_source(store, settings: Settings, tickers: list[str], progress, session=None) -> SecSource:
    verified = {r["id"] for r in store.read_events(["sec"])
                if r["details"].get("acceptance_source") == "sgml-header"}
    source = SecSource(settings.sec_user_agent, store.read_ciks(), verified, session=session)
    fetched = store.ciks_fetched_at()
    stale = fetched is None or utcnow() - fetched > CIK_MAP_MAX_AGE or not set(tickers) <= set(source.ciks)
    if settings.sec_user_agent and stale:
        try:
            mapping = source.company_tickers()
            store.write_ciks(mapping)
            source.ciks = {t: c for t, (c, _name) in mapping.items()}
            progress(f"sec: {len(mapping):,} tickers in EDGAR's company tickers file")
        except SecError as exc:
            progress(f"sec: could not refresh the ticker → CIK map ({exc}); using the stored one")
    return source


def default_sources(store, settings: Settings, tickers: list[str], progress, session=None) -> list[EventSource]:
    return [EarningsSource(session), _sec_source(store, settings, tickers, progress, session=session),
            NewsSource(session)]


def refresh_events(store, settings: Settings, tickers: list[str],
                   progress: Callable[[str], None] = lambda m: None,
                   sources: list[EventSource] | None = None) -> EventsOutcome:
    """Fetch every source for ``tickers``, store what came, and record each source's state."""
    outcome = EventsOutcome()
    for source in sources if sources is not None else default_sources(store, settings, tickers, progress):
        since = None
        if source.name == "sec":
            latest = store.last_event_sessions("sec")
            known = [latest[t] for t in tickers if t in latest]
            since = min(known) - OVERLAP if len(known) == len(tickers) else FIRST_DATE
        progress(f"{source.name}: fetching events of {', '.join(tickers)}")
        fetched = source.fetch(tickers, since)
        result = SourceOutcome(source.name, errors=fetched.errors, unreachable=fetched.unreachable,
                               skipped=fetched.skipped)
        outcome.sources.append(result)
        if fetched.skipped:
            progress(f"{source.name}: {fetched.skipped}")
            continue
        result.added, result.changed = store.write_events(fetched.records)
        for ticker in tickers:
            for origin in source.origins:
                store.record_event_source(origin, ticker, fetched.errors.get(ticker))
        if fetched.unreachable:
            progress(f"{source.name}: {fetched.unreachable}")
        else:
            progress(f"{source.name}: {result.added} added, {result.changed} changed"
                     + (f", {len(fetched.errors)} failed" if fetched.errors else ""))
    return outcome
