"""The per-ticker statistics table (the overview's, the ticker page's and ``export stats``).

Windows are calendar windows for every ticker, so a 7-day asset and a 5-day equity measure the
same span: 1W from the last close on or before as-of − 7 days, 1M − 1 month, 1Y − 1 year, YTD
from the last close before 1 January; volatility over the returns of the last 30 calendar days,
annualised by the ticker's own sessions a year (252, or 365 for a 7-day asset).
"""

import pandas as pd

from dashboard.analytics.performance import (
    calc_beta_correlation,
    calc_max_drawdown,
    calc_return_calendar,
    calc_return_over_sessions,
    calc_return_since,
    calc_volatility,
)
from dashboard.calendars import calendar_for

# The columns of ``minerdash export stats`` and of the statistics grids: returns and
# volatility as fractions, empty where not defined.
STATS_COLUMNS = ["ticker", "as_of", "last_close", "ret_1d", "ret_1w", "ret_1m", "ret_ytd", "ret_1y",
                 "vol_30d", "max_drawdown", "beta_90d", "corr_90d", "benchmark"]
VOLATILITY_DAYS = 30
BETA_SESSIONS = 90


def calc_ticker_stats(bars: pd.DataFrame, benchmark: pd.Series | None, benchmark_name: str,
                      start=None, end=None) -> dict:
    """Statistics of one ticker's bars (one ticker, any order) as of the last date ≤ ``end``.

    Returns use adj_close; max drawdown is within [start, end]; beta and correlation use the last
    ``BETA_SESSIONS`` daily returns of the ticker against the benchmark sampled on its dates, and
    are left out for the benchmark itself.
    """
    ticker = str(bars["ticker"].iloc[0]) if not bars.empty else ""
    ordered = bars.sort_values("date")
    upto = ordered[ordered["date"] <= pd.Timestamp(end)] if end is not None else ordered
    adj = upto.set_index("date")["adj_close"].dropna()
    empty = {c: float("nan") for c in STATS_COLUMNS}
    if adj.empty:
        return {**empty, "ticker": ticker, "as_of": None, "benchmark": ""}
    last = adj.index[-1]
    in_range = adj[adj.index >= pd.Timestamp(start)] if start is not None else adj
    is_benchmark = ticker == benchmark_name or benchmark is None
    beta, corr = (float("nan"),) * 2 if is_benchmark else calc_beta_correlation(adj, benchmark, BETA_SESSIONS)
    return {
        "ticker": ticker,
        "as_of": last.strftime("%Y-%m-%d"),
        "last_close": float(upto.set_index("date")["close"].loc[last]),
        "ret_1d": calc_return_over_sessions(adj, 1),
        "ret_1w": calc_return_calendar(adj, pd.DateOffset(days=7)),
        "ret_1m": calc_return_calendar(adj, pd.DateOffset(months=1)),
        "ret_ytd": calc_return_since(adj, pd.Timestamp(year=last.year, month=1, day=1)),
        "ret_1y": calc_return_calendar(adj, pd.DateOffset(years=1)),
        "vol_30d": calc_volatility(adj, VOLATILITY_DAYS, calendar_for(ticker).sessions_per_year),
        "max_drawdown": calc_max_drawdown(in_range),
        "beta_90d": beta,
        "corr_90d": corr,
        "benchmark": "" if is_benchmark else benchmark_name,
    }


def calc_stats_table(prices: pd.DataFrame, benchmark: str | None, start=None, end=None,
                     order=None) -> pd.DataFrame:
    """One row per ticker of a long price frame (STATS_COLUMNS), in ``order`` (default: sorted)."""
    groups = {t: g for t, g in prices.groupby("ticker")}
    bench = groups[benchmark].set_index("date")["adj_close"].sort_index() if benchmark in groups else None
    rows = [calc_ticker_stats(groups[t], bench, benchmark or "", start, end)
            for t in (order or sorted(groups)) if t in groups]
    return pd.DataFrame(rows, columns=STATS_COLUMNS)


def calc_max_drawdowns(prices: pd.DataFrame, tickers) -> list[float]:
    """The max drawdown of each of ``tickers`` over a long price frame (a view's range: the
    table's one column that depends on the range's start; the rest is as of its end)."""
    groups = {t: g.sort_values("date")["adj_close"] for t, g in prices.groupby("ticker")}
    return [calc_max_drawdown(groups[t]) if t in groups else float("nan") for t in tickers]
