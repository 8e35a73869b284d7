"""Every event a store and its settings know, one catalogue for every page and command.

Curated and users' files, the companies' own news kept in the store (earnings, SEC filings,
press releases, news), and splits and dividends stored with prices. A piece of news that two
sources both carry (same ticker, same title once normalised, within a day) is shown once.
"""

import difflib
import re
from datetime import date, datetime

import pandas as pd

from dashboard.config import Settings
from dashboard.errors import InputError, StoreNotReady
from dashboard.events.align import event_session
from dashboard.events.files import KNOWN_TICKERS, load_events
from dashboard.events.model import Event


def _ready(store) -> bool:
    """A store that holds tables (a brand-new one has none: its events are the files' alone)."""
    if store is None:
        return False
    try:
        store.check_schema()
        return True
    except StoreNotReady:
        return False


def known_tickers(settings: Settings, store=None) -> frozenset[str]:
    stored = store.stored_tickers() if _ready(store) else []
    return frozenset({*KNOWN_TICKERS, *settings.tickers, settings.benchmark, settings.factor, *stored})


def collect_events(settings: Settings, store=None, extra_files=()) -> list[Event]:
    """Curated and user events (validated), stored company events, and events from actions."""
    events = load_events((*settings.event_files, *extra_files), known=known_tickers(settings, store))
    if _ready(store):
        taken = {e.id for e in events}
        company = [e for e in (*stored_events(store.read_events()), *events_from_actions(store.read_actions()))
                   if e.id not in taken]
        events += drop_near_duplicates(company)
    return sorted(events, key=lambda e: (e.session, e.id))


def stored_events(records: list[dict]) -> list[Event]:
    """``Store.read_events`` rows as events."""
    events = []
    for r in records:
        text = r["published"]
        published = date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
        details = r.get("details") or {}
        events.append(Event(id=r["id"], title=r["title"], published=published, session=r["session"],
                            category=r["category"], tickers=tuple(t for t in r["tickers"].split(";") if t),
                            source=r.get("url"), summary=details.get("summary"), origin=r["origin"],
                            details=details))
    return events


def _normalised(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", title.lower()).strip()


def drop_near_duplicates(events: list[Event]) -> list[Event]:
    """One event per (ticker, normalised title) within a day: the first by origin preference."""
    preference = {"earnings": 0, "sec": 1, "press": 2, "news": 3}
    kept: list[Event] = []
    seen: dict[tuple[str, str], list[date]] = {}
    for event in sorted(events, key=lambda e: (preference.get(e.origin, 9), e.session, e.id)):
        keys = [(t, _normalised(event.title)) for t in event.tickers or ("*",)]
        day = pd.Timestamp(event.published_iso[:10])
        if any(abs((day - pd.Timestamp(other)).days) <= 1 for key in keys for other in seen.get(key, [])):
            continue
        for key in keys:
            seen.setdefault(key, []).append(day)
        kept.append(event)
    return kept


def _slug(ticker: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", ticker.lower()).strip("-")


def events_from_actions(actions: pd.DataFrame) -> list[Event]:
    """Company events generated from stored splits and dividends (ex-dates)."""
    events = []
    for row in actions.itertuples(index=False):
        day = pd.Timestamp(row.date).date()
        if row.kind == "split":
            ratio = row.value
            text = f"{ratio:g}-for-1 stock split" if ratio >= 1 else f"1-for-{1 / ratio:g} reverse split"
        else:
            text = f"dividend of {row.value:g} per share (ex-date)"
        events.append(Event(id=f"{row.kind}-{_slug(row.ticker)}-{day.isoformat()}",
                            title=f"{row.ticker} {text}", published=day, session=event_session(day),
                            category="company", tickers=(row.ticker,), origin="actions"))
    return events


def find_event(events: list[Event], event_id: str) -> Event:
    """The event with ``event_id``, or an InputError suggesting the nearest ids."""
    event_id = str(event_id)[:160]
    for event in events:
        if event.id == event_id:
            return event
    near = difflib.get_close_matches(event_id, [e.id for e in events], n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(near)}?" if near else "; `minerdash events list` shows them"
    raise InputError(f"unknown event id {event_id[:80]!r}{hint}")
