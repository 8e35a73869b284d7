"""Bring the store's prices up to date from a source: incremental, per ticker, failures recorded.

Callers hold the writer lock (``writer.writer_lock``); ``worker`` and the CLI do.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from dashboard.bar_changes import WriteReport
from dashboard.bars import partial_mask
from dashboard.snapshot import SNAPSHOT_SOURCE
from dashboard.sources import PriceSource
from dashboard.store import Store

# Re-read this many calendar days before the last stored date (about five sessions) so that
# revised bars (late prints, split adjustments) replace what we stored.
OVERLAP_DAYS = 7


@dataclass
class RefreshReport:
    writes: dict[str, WriteReport] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    unreachable: str | None = None  # the source could not be reached at all
    run_id: int | None = None

    @property
    def rows_added(self) -> dict[str, int]:
        return {t: w.added for t, w in self.writes.items()}

    @property
    def ok(self) -> bool:
        return not self.errors


def _start_for(last: date | None, start: date | None, source: str | None) -> date | None:
    """Where to start asking: as given; everything for a new ticker or one still on the bundled
    snapshot (its rows are replaced by live ones); else the last stored date minus an overlap."""
    if start is not None:
        return start
    if last is None or source == SNAPSHOT_SOURCE:
        return None
    return last - timedelta(days=OVERLAP_DAYS)


def refresh(
    store: Store,
    source: PriceSource,
    symbols: Sequence[str],
    start: date | None = None,
    end: date | None = None,
    progress: Callable[[str], None] = lambda message: None,
    now: datetime | None = None,
) -> RefreshReport:
    """Fetch ``symbols`` incrementally and upsert each ticker in its own transaction.

    Without ``start`` each ticker is asked only from its last stored date minus a few sessions
    (all of its history when nothing is stored). A ticker that fails keeps its last good bars and
    gets its error recorded; the others still refresh. A bar of a session still open is stored
    flagged as partial. When the source cannot be reached at all, that is said once.
    """
    report = RefreshReport(run_id=store.start_run())
    last = store.last_dates(symbols)
    status = store.status()
    sources = dict(zip(status["ticker"], status["source"], strict=True))
    groups: dict[date | None, list[str]] = {}
    for symbol in symbols:
        groups.setdefault(_start_for(last.get(symbol), start, sources.get(symbol)), []).append(symbol)
    for group_start, group in groups.items():
        since = group_start.isoformat() if group_start else "the first available date"
        progress(f"fetching {', '.join(group)} from {source.name} since {since}")
        result = source.fetch(group, group_start, end)
        if result.unreachable and not report.unreachable:
            report.unreachable = result.unreachable
            progress(f"{source.name}: {result.unreachable}")
        for symbol in group:
            if symbol not in result.bars:
                reason = result.errors.get(symbol, "no data returned")
                report.errors[symbol] = reason
                store.record_error(symbol, reason)
                if not result.unreachable:
                    progress(f"{symbol}: failed: {reason}")
                continue
            bars = result.bars[symbol].assign(partial=lambda b, s=symbol: partial_mask(b, s, now))
            try:
                written = store.write_bars(symbol, bars, source.name, result.actions.get(symbol))
            except sa.exc.SQLAlchemyError as exc:
                report.errors[symbol] = f"could not store: {exc.__class__.__name__}: {exc}"
                progress(f"{symbol}: failed: {report.errors[symbol]}")
                continue
            report.writes[symbol] = written
            progress(f"{symbol}: {len(bars)} rows read, {written.added} new, {written.changed} changed")
    store.finish_run(report.run_id, report.rows_added, report.errors)
    return report
