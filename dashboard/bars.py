"""The daily bar: its columns, and the rules every stored value obeys.

Every source hands over one frame per ticker with ``BAR_FIELDS`` (date = the trading date of the
ticker's own market); the store reads back long frames with ``BAR_COLUMNS``. A value that breaks
a rule here is rejected by every source alike, naming the date and what is wrong.
"""

from datetime import UTC, date, datetime

import numpy as np
import pandas as pd

from dashboard.calendars import calendar_for

BAR_FIELDS = ["date", "open", "high", "low", "close", "adj_close", "volume"]
PRICE_FIELDS = ["open", "high", "low", "close", "adj_close"]
VALUE_FIELDS = [*PRICE_FIELDS, "volume"]
BAR_COLUMNS = ["date", "ticker", *VALUE_FIELDS]
ACTION_FIELDS = ["date", "kind", "value"]

EARLIEST_DATE = date(1970, 1, 1)
# Far above any real share or coin price, even back-adjusted through many reverse splits,
# and far below the overflow that a value like 1e308 causes in returns and betas.
MAX_PRICE = 1e9
MAX_VOLUME = 1e15


def empty_bars() -> pd.DataFrame:
    frame = pd.DataFrame({name: pd.Series(dtype="float64") for name in BAR_FIELDS})
    frame["date"] = pd.Series(dtype="datetime64[ns]")
    return frame


def bar_problems(bars: pd.DataFrame, ticker: str, today: date | None = None) -> list[tuple[int, str]]:
    """(row position, problem) for every row of ``bars`` that breaks a rule, in row order.

    Missing fields are NaN and allowed, except the close. Rules: a date from 1970 to the next
    session after today; prices finite, positive and below ``MAX_PRICE``; high ≥ low; volume a
    whole number from 0 to ``MAX_VOLUME``.
    """
    problems: list[tuple[int, str]] = []
    dates = pd.DatetimeIndex(bars["date"])
    latest = pd.Timestamp(calendar_for(ticker).latest_plausible_date(
        today or datetime.now(UTC).date()))
    for i in np.flatnonzero(dates < pd.Timestamp(EARLIEST_DATE)):
        problems.append((i, f"date {dates[i]:%Y-%m-%d} is before {EARLIEST_DATE}"))
    for i in np.flatnonzero(dates > latest):
        problems.append((i, f"date {dates[i]:%Y-%m-%d} is in the future (after {latest:%Y-%m-%d}, "
                            "the next session)"))
    for name in PRICE_FIELDS:
        if name not in bars.columns:
            continue
        values = bars[name].to_numpy(dtype="float64")
        if name == "close":
            for i in np.flatnonzero(np.isnan(values)):
                problems.append((i, "missing close"))
        for i in np.flatnonzero(np.isinf(values)):
            problems.append((i, f"{name} is not a finite number"))
        for i in np.flatnonzero(values <= 0):
            problems.append((i, f"{name} must be positive, found {values[i]:g}"))
        for i in np.flatnonzero(np.isfinite(values) & (values > MAX_PRICE)):
            problems.append((i, f"{name} {values[i]:g} is implausibly large (over {MAX_PRICE:g})"))
    if {"high", "low"} <= set(bars.columns):
        high, low = bars["high"].to_numpy("float64"), bars["low"].to_numpy("float64")
        for i in np.flatnonzero(high < low):
            problems.append((i, f"high {high[i]:g} is below low {low[i]:g}"))
    if "volume" in bars.columns:
        volume = bars["volume"].to_numpy("float64")
        bad = (volume < 0) | (volume > MAX_VOLUME) | (np.isfinite(volume) & (volume != np.floor(volume)))
        bad |= np.isinf(volume)
        for i in np.flatnonzero(bad):
            problems.append((i, f"volume must be a whole number from 0 to {MAX_VOLUME:g}, "
                                f"found {volume[i]:g}"))
    return sorted(problems, key=lambda p: p[0])


def partial_mask(bars: pd.DataFrame, ticker: str, now: datetime | None = None) -> np.ndarray:
    """Rows dated the session still under way at ``now``: a partial bar, not a close."""
    session = calendar_for(ticker).open_session(now)
    if session is None or bars.empty:
        return np.zeros(len(bars), dtype=bool)
    return np.asarray(pd.DatetimeIndex(bars["date"]) == pd.Timestamp(session))
