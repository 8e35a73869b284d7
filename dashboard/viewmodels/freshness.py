"""How fresh the shown data is: as-of dates per ticker, fetch time, failures, snapshot origin; and
the dates a range button picks back from the latest of them."""

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from dashboard.params import range_start
from dashboard.snapshot import SNAPSHOT_SOURCE


@dataclass
class Freshness:
    as_of: dict[str, date] = field(default_factory=dict)
    fetched_at: pd.Timestamp | None = None
    errors: dict[str, str] = field(default_factory=dict)
    last_run_status: str | None = None
    snapshot: list[str] = field(default_factory=list)  # tickers still on the bundled snapshot

    @property
    def latest(self) -> date | None:
        return max(self.as_of.values()) if self.as_of else None

    def behind(self) -> dict[str, date]:
        """Tickers whose data ends before the newest one's (empty when all agree)."""
        latest = self.latest
        return {t: d for t, d in self.as_of.items() if d != latest}


def freshness(reads, symbols=None) -> Freshness:
    """Freshness of ``symbols`` (every stored ticker when None), cached per data version."""
    key = tuple(symbols) if symbols else None

    def compute() -> Freshness:
        status = reads.status()
        if key:
            status = status[status["ticker"].isin(list(key))]
        stored = status[status["rows"] > 0]
        runs = reads.store.runs(limit=1)
        fetched = pd.to_datetime(stored["fetched_at"].dropna(), utc=True).max() if not stored.empty else pd.NaT
        return Freshness(
            as_of={t: d for t, d in zip(stored["ticker"], stored["last_date"], strict=True)},
            fetched_at=None if pd.isna(fetched) else fetched,
            errors={t: e for t, e in zip(status["ticker"], status["last_error"], strict=True) if e},
            last_run_status=runs[0]["status"] if runs else None,
            snapshot=[t for t, s in zip(stored["ticker"], stored["source"], strict=True) if s == SNAPSHOT_SOURCE],
        )

    return reads.memo("freshness", key, compute)


def range_dates(reads, symbols, label: str) -> tuple[str, str] | None:
    """(start, end) as ISO dates of range button ``label``: back from the latest stored session of
    ``symbols`` (every stored ticker when empty), to their first one for All; None when none is
    stored. An unknown label is an InputError (``range_start``)."""
    latest = freshness(reads, symbols or None).latest
    if latest is None:
        return None
    status = reads.status()
    chosen = (status["ticker"].isin(list(symbols)) if symbols else True) & (status["rows"] > 0)
    start = range_start(label, latest, min(status.loc[chosen, "first_date"], default=None))
    return None if start is None else (start.isoformat(), latest.isoformat())
