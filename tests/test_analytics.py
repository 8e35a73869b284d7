"""Analytics on hand-checked numbers and invariants."""

import math

import numpy as np
import pandas as pd
import pytest

from dashboard.analytics.benchmark import sample_on, to_returns
from dashboard.analytics.performance import (
    calc_beta_correlation,
    calc_max_drawdown,
    calc_return_calendar,
    calc_return_over_sessions,
    calc_return_since,
    calc_volatility,
    to_drawdown,
    to_rebased,
    to_rolling_beta,
    to_rolling_correlation,
)


def series(values, start="2025-07-21", freq="B"):
    return pd.Series(values, index=pd.date_range(start, periods=len(values), freq=freq), dtype=float)


def test_rebased_starts_at_100():
    assert to_rebased(series([10, 12, 9])).tolist() == [100.0, 120.0, 90.0]
    assert to_rebased(series([float("nan"), 4, 5])).tolist()[1:] == [100.0, 125.0]


def test_drawdown_by_hand():
    prices = series([100, 120, 90, 130, 65])
    assert to_drawdown(prices).tolist() == [0.0, 0.0, -0.25, 0.0, -0.5]
    assert calc_max_drawdown(prices) == -0.5


def test_period_returns_by_hand():
    prices = series([100, 110, 99, 120])  # Mon 2025-07-21 .. Thu 2025-07-24
    assert calc_return_over_sessions(prices, 1) == pytest.approx(120 / 99 - 1)
    assert calc_return_over_sessions(prices, 3) == pytest.approx(0.2)
    assert math.isnan(calc_return_over_sessions(prices, 4))
    assert calc_return_since(prices, pd.Timestamp("2025-07-23")) == pytest.approx(120 / 110 - 1)
    yearly = pd.Series([50.0, 80.0, 100.0],
                       index=pd.to_datetime(["2024-07-24", "2024-12-31", "2025-07-24"]))
    assert calc_return_calendar(yearly, pd.DateOffset(years=1)) == pytest.approx(1.0)
    assert calc_return_since(yearly, pd.Timestamp("2025-01-01")) == pytest.approx(0.25)


def test_volatility_is_sample_std_of_the_last_30_days_annualised():
    returns = [0.01, -0.02, 0.03, 0.0, -0.01] * 8
    prices = series(np.cumprod([100.0] + [1 + r for r in returns]), start="2025-06-02", freq="D")
    recent = returns[-30:]  # daily series: the returns dated within the last 30 days
    mean = sum(recent) / 30
    by_hand = math.sqrt(sum((r - mean) ** 2 for r in recent) / 29)
    assert calc_volatility(prices, 30, 365) == pytest.approx(by_hand * math.sqrt(365), rel=1e-12)
    assert calc_volatility(prices, 30, 252) == pytest.approx(by_hand * math.sqrt(252), rel=1e-12)
    assert math.isnan(calc_volatility(prices.iloc[:20], 30))


def test_benchmark_is_sampled_on_or_before_each_session():
    btc = pd.Series([100.0, 110.0, 121.0, 133.1], index=pd.to_datetime(
        ["2025-07-25", "2025-07-26", "2025-07-27", "2025-07-28"]))  # Fri..Mon, 7 days a week
    equity_dates = pd.to_datetime(["2025-07-25", "2025-07-28", "2025-07-29"])
    sampled = sample_on(pd.DatetimeIndex(equity_dates), btc)
    assert sampled.iloc[:2].tolist() == [100.0, 133.1]
    assert math.isnan(sampled.iloc[2])  # after the benchmark's last value: not stale-filled
    assert to_returns(sampled).iloc[1] == pytest.approx(0.331)  # the weekend lands in Monday


def test_beta_of_a_levered_copy_and_of_itself():
    rng = np.random.default_rng(3)
    bench = series(100 * np.cumprod(1 + rng.normal(0, 0.02, 200)))
    levered = series(50 * np.cumprod(1 + 2 * to_returns(bench).fillna(0).to_numpy()))
    beta = to_rolling_beta(levered, bench, 60).dropna()
    assert beta.to_numpy() == pytest.approx(2.0, rel=1e-9)
    assert to_rolling_correlation(levered, bench, 60).dropna().to_numpy() == pytest.approx(1.0)
    b, c = calc_beta_correlation(bench, bench, 90)
    assert (b, c) == (pytest.approx(1.0), pytest.approx(1.0))


@pytest.mark.parametrize("bitcoin_until", [None, "2025-06-30"])
def test_beta_uses_the_last_returns_both_sides_have(market_data, bitcoin_until):
    """Against merge_asof and numpy: the last 90 returns where MARA and bitcoin (as-of) both exist,
    also when bitcoin's data ends months before MARA's."""
    mara = pd.read_csv(market_data / "MARA.csv", parse_dates=["Date"]).set_index("Date")["Close"]
    btc = pd.read_csv(market_data / "BTC-USD.csv", parse_dates=["Date"]).set_index("Date")["Close"]
    if bitcoin_until:
        btc = btc[btc.index <= bitcoin_until]
    joined = pd.merge_asof(mara.rename("r").reset_index(), btc.rename("m").reset_index(), on="Date")
    joined.loc[joined["Date"] > btc.index.max(), "m"] = np.nan
    returns = (joined[["r", "m"]] / joined[["r", "m"]].shift(1) - 1).dropna().tail(90).to_numpy()
    cov = np.cov(returns[:, 0], returns[:, 1], ddof=1)
    beta, corr = calc_beta_correlation(mara, btc, 90)
    assert beta == pytest.approx(cov[0, 1] / cov[1, 1], rel=1e-12)
    assert corr == pytest.approx(np.corrcoef(returns[:, 0], returns[:, 1])[0, 1], rel=1e-12)
