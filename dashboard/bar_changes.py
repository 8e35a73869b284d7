"""What a write of one ticker's bars changes against what is stored: pure functions on frames
(``date`` plus the value fields and ``partial``), and the report a write gives back."""

import math
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from dashboard.bars import VALUE_FIELDS

SHOWN_CHANGED_DATES = 5


@dataclass
class WriteReport:
    """What one ticker's write did: rows added, changed, unchanged, and what it left alone."""

    ticker: str
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    changed_dates: list[date] = field(default_factory=list)
    kept_fields: list[str] = field(default_factory=list)
    dry_run: bool = False
    span: tuple | None = None  # (first, last) date given

    def describe(self) -> str:
        """``MARA\t3 rows added\t1 changed\t5 unchanged`` (+ first changed dates, kept fields)."""
        text = f"{self.ticker}\t{self.added} rows added\t{self.changed} changed\t{self.unchanged} unchanged"
        if self.changed_dates:
            more = "…" if self.changed > len(self.changed_dates) else ""
            text += "\tfirst changed: " + ", ".join(d.isoformat() for d in self.changed_dates) + more
        if self.kept_fields:
            text += f"\tkept stored {', '.join(self.kept_fields)} (not in the source)"
        if self.dry_run:
            text += "\t(dry run: nothing written)"
        return text


def bar_frame(bars: pd.DataFrame) -> pd.DataFrame:
    """``bars`` with every value field (NaN where absent), a boolean ``partial``, sorted by date."""
    frame = pd.DataFrame({"date": pd.to_datetime(bars["date"]).dt.normalize()})
    for name in VALUE_FIELDS:
        frame[name] = bars[name].astype("float64").to_numpy() if name in bars.columns else np.nan
    frame["partial"] = bars["partial"].astype(bool).to_numpy() if "partial" in bars.columns else False
    return frame.sort_values("date", kind="stable").reset_index(drop=True)


def new_and_changed(incoming: pd.DataFrame, stored: pd.DataFrame, given: list[str]):
    """Rows of ``incoming`` not stored yet, and stored rows whose given fields differ."""
    merged = incoming.merge(stored, on="date", how="left", suffixes=("", "_stored"), indicator=True)
    is_new = (merged["_merge"] == "left_only").to_numpy()
    differs = np.zeros(len(merged), dtype=bool)
    for name in [*given, "partial"]:
        a = merged[name].to_numpy("float64")
        b = merged[f"{name}_stored"].to_numpy("float64")
        differs |= ~((a == b) | (np.isnan(a) & np.isnan(b)))
    return incoming[is_new], incoming[~is_new & differs]


def derived_adjustments(stored: pd.DataFrame) -> pd.Series:
    """Stored rows whose adjusted close is the close itself (a source without adjustments)."""
    return (stored["adj_close"] == stored["close"]) | stored["adj_close"].isna()


def update_groups(changed: pd.DataFrame, stored: pd.DataFrame, given: list[str]):
    """The changed rows in groups of the fields to update. Without an adjusted close of its own, a
    source's new close also replaces an adjusted close that was the old close, never a real one."""
    if "adj_close" in given or "close" not in given:
        return [(given, changed)]
    derived_dates = set(stored.loc[derived_adjustments(stored), "date"])
    follows = changed["date"].isin(derived_dates).to_numpy()
    groups = [([*given, "adj_close"], changed[follows].assign(adj_close=changed.loc[follows, "close"])),
              (given, changed[~follows])]
    return [(fields, rows) for fields, rows in groups if not rows.empty]


def records(ticker: str, frame: pd.DataFrame, fields: list[str]) -> list[dict]:
    records = []
    columns = {name: frame[name].to_numpy() for name in fields}
    partial = frame["partial"].to_numpy()
    for i, day in enumerate(frame["date"]):
        record = {"ticker": ticker, "date": day.date(), "partial": bool(partial[i])}
        for name in fields:
            value = float(columns[name][i])
            if math.isnan(value):
                record[name] = None
            else:
                record[name] = int(value) if name == "volume" else value
        records.append(record)
    return records


def kept_fields(stored: pd.DataFrame, given: list[str]) -> list[str]:
    """Stored fields a source without them leaves as they are (an adjusted close that was only the
    close follows the new close, so it is not "kept")."""
    return [f for f in VALUE_FIELDS if f not in given and stored[f].notna().any()
            and not (f == "adj_close" and "close" in given and derived_adjustments(stored).all())]
