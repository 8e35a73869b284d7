"""Bring the store up to date from a source: incremental, per-ticker, failures recorded not fatal."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa

from dashboard.sources import PriceSource
from dashboard.store import Store

# Re-read this many calendar days before the last stored date (about five sessions) so that
# revised bars (late prints, split adjustments) replace what we stored.
OVERLAP_DAYS = 7


@dataclass
class RefreshReport:
    rows_added: dict[str, int] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    run_id: int | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


def _start_for(last: date | None, start: date | None) -> date | None:
    if start is not None:
        return start
    if last is None:
        return None
    return last - timedelta(days=OVERLAP_DAYS)


def refresh(
    store: Store,
    source: PriceSource,
    symbols: Sequence[str],
    start: date | None = None,
    end: date | None = None,
    progress: Callable[[str], None] = lambda message: None,
) -> RefreshReport:
    """Fetch ``symbols`` incrementally and upsert each ticker in its own transaction.

    Without ``start`` each ticker is asked only from its last stored date minus a few sessions
    (all of its history when nothing is stored). A ticker that fails keeps its last good bars and
    gets its error recorded; the others still refresh.
    """
    report = RefreshReport(run_id=store.start_run())
    last = store.last_dates(symbols)
    groups: dict[date | None, list[str]] = {}
    for symbol in symbols:
        groups.setdefault(_start_for(last.get(symbol), start), []).append(symbol)
    for group_start, group in groups.items():
        since = group_start.isoformat() if group_start else "the first available date"
        progress(f"fetching {', '.join(group)} from {source.name} since {since}")
        result = source.fetch(group, group_start, end)
        for symbol in group:
            if symbol in result.bars:
                try:
                    added = store.write_bars(
                        symbol, result.bars[symbol], source.name, result.actions.get(symbol)
                    )
                except sa.exc.SQLAlchemyError as exc:
                    report.errors[symbol] = f"could not store: {exc.__class__.__name__}: {exc}"
                    progress(f"{symbol}: failed: {report.errors[symbol]}")
                    continue
                report.rows_added[symbol] = added
                progress(f"{symbol}: {len(result.bars[symbol])} rows read, {added} new")
            else:
                reason = result.errors.get(symbol, "no data returned")
                report.errors[symbol] = reason
                store.record_error(symbol, reason)
                progress(f"{symbol}: failed: {reason}")
    store.finish_run(report.run_id, report.rows_added, report.errors)
    return report
