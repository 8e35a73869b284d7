"""The per-ticker statistics table under the overview chart."""

import pandas as pd

from dashboard.analytics.performance import (
    calc_beta_correlation,
    calc_max_drawdown,
    calc_return_calendar,
    calc_return_over_sessions,
    calc_return_since,
    calc_volatility,
)

SUMMARY_COLUMNS = ["ticker", "as_of", "last_close", "return_1d", "return_1w", "return_1m",
                   "return_ytd", "return_1y", "volatility_30d", "max_drawdown", "beta_90d",
                   "correlation_90d"]


def calc_ticker_summary(bars: pd.DataFrame, benchmark: pd.Series, start, end) -> dict:
    """Statistics of one ticker's bars (date-sorted, one ticker) as of the range's end.

    Returns use adj_close: 1D/1W/1M over 1/5/21 sessions, YTD from the last close of the prior
    year, 1Y over a calendar year; 30-day volatility annualized with √252; max drawdown within
    [start, end]; 90-session beta and correlation to the benchmark sampled on the ticker's dates.
    """
    upto = bars[bars["date"] <= pd.Timestamp(end)] if end is not None else bars
    adj = upto.set_index("date")["adj_close"].dropna()
    in_range = adj[adj.index >= pd.Timestamp(start)] if start is not None else adj
    ticker = bars["ticker"].iloc[0] if not bars.empty else ""
    if adj.empty:
        return {"ticker": ticker, **{c: float("nan") for c in SUMMARY_COLUMNS[2:]}, "as_of": None}
    last = adj.index[-1]
    beta, corr = calc_beta_correlation(adj, benchmark, 90) if benchmark is not None else (float("nan"),) * 2
    return {
        "ticker": ticker,
        "as_of": last.strftime("%Y-%m-%d"),
        "last_close": float(upto.set_index("date")["close"].loc[last]),
        "return_1d": calc_return_over_sessions(adj, 1),
        "return_1w": calc_return_over_sessions(adj, 5),
        "return_1m": calc_return_over_sessions(adj, 21),
        "return_ytd": calc_return_since(adj, pd.Timestamp(year=last.year, month=1, day=1)),
        "return_1y": calc_return_calendar(adj, pd.DateOffset(years=1)),
        "volatility_30d": calc_volatility(adj, 30),
        "max_drawdown": calc_max_drawdown(in_range),
        "beta_90d": beta,
        "correlation_90d": corr,
    }


def calc_summary_table(prices: pd.DataFrame, benchmark: str | None, start, end, order=None) -> pd.DataFrame:
    """One row per ticker of a long price frame (SUMMARY_COLUMNS)."""
    groups = {t: g.sort_values("date") for t, g in prices.groupby("ticker")}
    bench = groups[benchmark].set_index("date")["adj_close"] if benchmark in groups else None
    rows = [calc_ticker_summary(groups[t], bench, start, end) for t in (order or sorted(groups)) if t in groups]
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
