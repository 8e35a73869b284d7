"""Performance of one price series: rebasing, period returns, volatility, drawdown."""

import math

import numpy as np
import pandas as pd

from dashboard.analytics.benchmark import sample_on, to_returns


def to_rebased(prices: pd.Series, base: float = 100.0) -> pd.Series:
    """Prices scaled so the first valid value equals ``base`` (100 by default)."""
    clean = prices.dropna()
    if clean.empty:
        return prices.astype(float)
    return prices / clean.iloc[0] * base


def calc_return_over_sessions(prices: pd.Series, sessions: int) -> float:
    """Return from ``sessions`` rows before the last row to the last row (NaN if too short)."""
    clean = prices.dropna()
    if len(clean) <= sessions:
        return float("nan")
    return float(clean.iloc[-1] / clean.iloc[-1 - sessions] - 1)


def calc_return_since(prices: pd.Series, start: pd.Timestamp) -> float:
    """Return from the last price before ``start`` (the prior close) to the last price."""
    clean = prices.dropna()
    before = clean[clean.index < pd.Timestamp(start)]
    if before.empty or clean.empty:
        return float("nan")
    return float(clean.iloc[-1] / before.iloc[-1] - 1)


def calc_return_calendar(prices: pd.Series, offset: pd.DateOffset) -> float:
    """Return over a calendar span ending at the last date (from the last close on or before it)."""
    clean = prices.dropna()
    if clean.empty:
        return float("nan")
    at = clean.index.searchsorted(clean.index[-1] - offset, side="right")  # rows on or before the anchor
    if at == 0:
        return float("nan")
    return float(clean.iloc[-1] / clean.iloc[at - 1] - 1)


def calc_volatility(prices: pd.Series, days: int = 30, sessions_per_year: int = 252) -> float:
    """Annualized volatility of the daily returns dated within the last ``days`` calendar days.

    std (ddof=1) × √sessions_per_year: 252 for an exchange-traded ticker, 365 for a 7-day asset.
    NaN when the series does not reach back ``days`` days or has fewer than two such returns.
    """
    clean = prices.dropna()
    if clean.empty or clean.index[0] > clean.index[-1] - pd.Timedelta(days=days):
        return float("nan")
    returns = to_returns(clean).dropna()
    recent = returns[returns.index > clean.index[-1] - pd.Timedelta(days=days)]
    if len(recent) < 2:
        return float("nan")
    return float(recent.std(ddof=1) * math.sqrt(sessions_per_year))


def to_drawdown(prices: pd.Series) -> pd.Series:
    """Fall from the running peak: p_t / max(p_0..p_t) - 1 (0 at new highs, otherwise negative)."""
    clean = prices.dropna()
    return clean / clean.cummax() - 1


def calc_max_drawdown(prices: pd.Series) -> float:
    drawdown = to_drawdown(prices)
    return float(drawdown.min()) if not drawdown.empty else float("nan")


def _aligned_returns(prices: pd.Series, benchmark: pd.Series) -> pd.DataFrame:
    clean = prices.dropna()
    levels = sample_on(pd.DatetimeIndex(clean.index), benchmark)
    return pd.DataFrame({"r": to_returns(clean), "m": to_returns(levels)})


def to_rolling_beta(prices: pd.Series, benchmark: pd.Series, window: int = 60) -> pd.Series:
    """Rolling OLS beta cov(r, m) / var(m) of daily returns, benchmark sampled on the equity's dates."""
    frame = _aligned_returns(prices, benchmark)
    cov = frame["r"].rolling(window, min_periods=window).cov(frame["m"])
    var = frame["m"].rolling(window, min_periods=window).var()
    return (cov / var).rename("beta")


def to_rolling_correlation(prices: pd.Series, benchmark: pd.Series, window: int = 60) -> pd.Series:
    frame = _aligned_returns(prices, benchmark)
    return frame["r"].rolling(window, min_periods=window).corr(frame["m"]).rename("correlation")


def calc_beta_correlation(prices: pd.Series, benchmark: pd.Series, window: int = 90) -> tuple[float, float]:
    """Beta and correlation over the last ``window`` daily returns that have both sides.

    The benchmark, sampled as-of, is missing only before its first and after its last date, so
    only the last ``window`` + 1 prices up to its last date can matter: only those are aligned, on
    the benchmark's levels from the last one on or before the first of them to the first one on or
    after the last."""
    levels = benchmark.dropna()
    if levels.empty:
        return float("nan"), float("nan")
    levels = levels.sort_index()
    clean = prices.dropna()
    clean = clean[clean.index <= levels.index[-1]].iloc[-(window + 1):]
    if not clean.empty:  # the levels that sampling on those dates reads: a few, not the whole history
        first = levels.index.searchsorted(clean.index[0], side="right") - 1
        levels = levels.iloc[max(first, 0):levels.index.searchsorted(clean.index[-1]) + 1]
    frame = _aligned_returns(clean, levels).dropna()
    if len(frame) < window:
        return float("nan"), float("nan")
    var = frame["m"].var()
    beta = frame["r"].cov(frame["m"]) / var if var > 0 else float("nan")
    corr = frame["r"].corr(frame["m"])
    return float(beta), float(corr) if not np.isnan(corr) else float("nan")
