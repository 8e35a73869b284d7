"""Data-quality checks: pure functions that say when a price series itself is suspect.

Each returns rows of ``QUALITY_COLUMNS`` (ticker, date, check, detail). Flags inform, they never
block: a jump without a stored split (an unadjusted split?), history from before a ticker's
listing (another company's prices), a partial bar, missing sessions, dividends left out.
"""

import pandas as pd

from dashboard.calendars import calendar_for
from dashboard.config import DEFAULT_JUMP_LIMIT

QUALITY_COLUMNS = ["ticker", "date", "check", "detail"]


def jump_flags(ticker: str, bars: pd.DataFrame, split_dates, limit: float = DEFAULT_JUMP_LIMIT) -> list[dict]:
    """One-day moves beyond ±``limit`` on a date with no stored split."""
    series = bars.set_index("date")["adj_close"].dropna().sort_index()
    moves = series / series.shift(1) - 1
    splits = {pd.Timestamp(d) for d in split_dates}
    flags = []
    for day, move in moves[moves.abs() > limit].items():
        if day in splits:
            continue
        before = series.iloc[series.index.get_loc(day) - 1]
        flags.append({"ticker": ticker, "date": day, "check": "jump",
                      "detail": f"one-day move of {move:+.0%} ({before:g} → {series[day]:g}) with no "
                                "stored split: an unadjusted split or a bad print?"})
    return flags


def listing_flags(ticker: str, bars: pd.DataFrame, listing: dict | None) -> list[dict]:
    """History before the ticker's listing belongs to another company."""
    if listing is None or bars.empty:
        return []
    listed = pd.Timestamp(listing["listed"])
    earlier = bars[bars["date"] < listed]
    if earlier.empty:
        return []
    return [{"ticker": ticker, "date": listed, "check": "listing",
             "detail": f"{len(earlier)} rows before {listed:%Y-%m-%d} are the prices of "
                       f"{listing['before']}, not {ticker}'s ({listing['source']})"}]


def partial_flags(partial: pd.DataFrame) -> list[dict]:
    """Bars stored while their session was open (ticker, date, close)."""
    return [{"ticker": r.ticker, "date": pd.Timestamp(r.date), "check": "partial",
             "detail": f"partial bar (close {r.close:g} while the session was open): left out of "
                       "returns until a refresh after the close"} for r in partial.itertuples()]


def gap_flags(ticker: str, bars: pd.DataFrame) -> list[dict]:
    """Sessions of the ticker's calendar missing between its first and last stored dates."""
    if len(bars) < 2:
        return []
    calendar = calendar_for(ticker)
    dates = pd.DatetimeIndex(bars["date"])
    expected = calendar.sessions(dates.min(), dates.max())
    return [{"ticker": ticker, "date": day, "check": "gap",
             "detail": f"no bar for this {calendar.name} session"} for day in expected.difference(dates)]


def dividend_flags(ticker: str, bars: pd.DataFrame, dividends: pd.DataFrame) -> list[dict]:
    """Dividends are stored but the adjusted close equals the close: returns omit them."""
    if dividends.empty or bars.empty or not (bars["adj_close"] == bars["close"]).all():
        return []
    last = pd.Timestamp(dividends["date"].max())
    return [{"ticker": ticker, "date": last, "check": "dividends",
             "detail": f"{len(dividends)} dividends stored, but the series is not adjusted for them "
                       "(adj_close equals close): its returns omit them"}]


def quality_flags(ticker: str, bars: pd.DataFrame, actions: pd.DataFrame, partial: pd.DataFrame,
                  listing: dict | None, limit: float = DEFAULT_JUMP_LIMIT) -> pd.DataFrame:
    """Every flag of one ticker's series, sorted by date (``QUALITY_COLUMNS``)."""
    own = actions[actions["ticker"] == ticker] if not actions.empty else actions
    splits = own.loc[own["kind"] == "split", "date"] if not own.empty else []
    dividends = own[own["kind"] == "dividend"] if not own.empty else own
    rows = [*jump_flags(ticker, bars, splits, limit), *listing_flags(ticker, bars, listing),
            *partial_flags(partial[partial["ticker"] == ticker]), *gap_flags(ticker, bars),
            *dividend_flags(ticker, bars, dividends)]
    frame = pd.DataFrame(rows, columns=QUALITY_COLUMNS)
    return frame.sort_values(["date", "check"], kind="stable").reset_index(drop=True)
