"""Every table users download, and the CSV text of it: the same frames the CLI writes and the
pages offer. No cell, header included, can run as a spreadsheet formula (OWASP CSV injection:
a text cell starting with = + - @ tab or CR gets a leading single quote; numbers stay numbers).
"""

import io

import pandas as pd

from dashboard.analytics.event_study import FACTOR_COLUMNS, STUDY_SUMMARY_COLUMNS, Windows
from dashboard.bars import BAR_COLUMNS

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralize_cell(value):
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def neutralize(frame: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``frame`` whose text cells and headers cannot be read as formulas."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(neutralize_cell)
    safe.columns = [neutralize_cell(str(c)) for c in safe.columns]
    return safe


def to_csv_text(frame: pd.DataFrame) -> str:
    """CSV text with ISO dates, full float precision and neutralized text cells."""
    buffer = io.StringIO()
    neutralize(frame).to_csv(buffer, index=False, date_format="%Y-%m-%d", lineterminator="\n")
    return buffer.getvalue()


def csv_download(frame: pd.DataFrame, filename: str) -> dict:
    """What a page's CSV button sends to ``dcc.Download``."""
    return {"content": to_csv_text(frame), "type": "text/csv", "filename": filename}


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


def filename(kind: str, *parts) -> str:
    """e.g. ``minerdash-prices-MARA-RIOT-2025-06-01-2025-09-30.csv`` (None parts left out)."""
    words = ["minerdash", kind]
    for part in parts:
        if part is None:
            continue
        if isinstance(part, list | tuple):
            words.extend(str(p) for p in part)
        elif hasattr(part, "strftime"):
            words.append(pd.Timestamp(part).strftime("%Y-%m-%d"))
        else:
            words.append(str(part))
    return "-".join(words) + ".csv"


def prices_download(bars: pd.DataFrame, symbols: list[str], start, end) -> dict:
    """The long format of ``bars`` within [start, end], as a page's CSV button sends it."""
    shown = bars[(bars["date"] >= pd.Timestamp(start)) & (bars["date"] <= pd.Timestamp(end))]
    return csv_download(prices_long(shown), filename("prices", symbols, start, end))


def study_summary(summary: pd.DataFrame, session, windows: Windows, with_params: bool = False) -> pd.DataFrame:
    """The event-study summary's columns (``factor,beta_factor`` appended for the two-factor model),
    and with ``with_params`` the day-0 session and the windows it used."""
    columns = STUDY_SUMMARY_COLUMNS + [c for c in FACTOR_COLUMNS if c in summary.columns]
    frame = summary[columns].copy()
    if with_params:
        frame["session"] = pd.Timestamp(session).strftime("%Y-%m-%d")
        for name in ("estimation", "gap", "pre", "post"):
            frame[name] = getattr(windows, name)
    return frame
