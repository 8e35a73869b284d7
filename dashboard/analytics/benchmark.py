"""Putting a benchmark (e.g. BTC-USD, which trades every day) on an equity's sessions."""

import pandas as pd


def sample_on(dates: pd.DatetimeIndex, levels: pd.Series) -> pd.Series:
    """The benchmark's last level on or before each date (NaN before its first, or after its last).

    Sampling the level, not the return, means bitcoin's weekend moves land in Monday's return.
    A date after the benchmark's last stored date gets NaN rather than a stale value.
    """
    levels = levels.dropna().sort_index()
    if levels.empty:
        return pd.Series(float("nan"), index=dates, name=levels.name)
    sampled = levels.reindex(levels.index.union(dates)).ffill().reindex(dates)
    sampled[dates > levels.index[-1]] = float("nan")
    sampled.name = levels.name
    return sampled


def to_returns(prices: pd.Series | pd.DataFrame) -> pd.Series | pd.DataFrame:
    """Simple returns p_t / p_{t-1} - 1 over consecutive rows (the first row is NaN)."""
    return prices / prices.shift(1) - 1
