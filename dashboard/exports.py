"""Tables users download: the same frames the CLI writes and the pages offer as CSV."""

import pandas as pd

from dashboard.csv_export import to_csv_text
from dashboard.store import BAR_COLUMNS


def prices_long(bars: pd.DataFrame) -> pd.DataFrame:
    """``date,ticker,open,high,low,close,adj_close,volume`` sorted by ticker then date."""
    frame = bars[BAR_COLUMNS].sort_values(["ticker", "date"], kind="stable")
    return frame.reset_index(drop=True)


def prices_wide(bars: pd.DataFrame, symbols: list[str] | None = None) -> pd.DataFrame:
    """``date`` then one adj_close column per ticker (in ``symbols`` order), on the union of dates."""
    wide = bars.pivot(index="date", columns="ticker", values="adj_close").sort_index()
    order = [s for s in (symbols or sorted(wide.columns)) if s in wide.columns]
    wide = wide[order]
    wide.columns.name = None
    return wide.reset_index()


def prices_filename(symbols: list[str], start, end, kind: str = "prices") -> str:
    """e.g. ``minerdash-prices-MARA-RIOT-2025-06-01-2025-09-30.csv``."""
    parts = ["minerdash", kind, *symbols]
    for bound in (start, end):
        if bound is not None:
            parts.append(pd.Timestamp(bound).strftime("%Y-%m-%d"))
    return "-".join(parts) + ".csv"


def prices_download(bars: pd.DataFrame, symbols: list[str], start, end) -> dict:
    """What a page's CSV button sends: the long format of ``bars`` within [start, end]."""
    shown = bars[(bars["date"] >= pd.Timestamp(start)) & (bars["date"] <= pd.Timestamp(end))]
    return {"content": to_csv_text(prices_long(shown)), "type": "text/csv",
            "filename": prices_filename(symbols, start, end)}
