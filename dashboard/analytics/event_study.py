"""Event study with the market model (MacKinlay 1997): did a stock move beyond what bitcoin explains?

Day 0 is the event's aligned session; day k is k stored sessions of the ticker after it.
r_t = p_t / p_{t-1} - 1 over consecutive stored dates; the benchmark's level is sampled at the
ticker's dates (last value on or before) so m_t covers the same span. OLS on the estimation
window −(gap+L) … −(gap+1) gives α, β and σ = √(Σe² / (L−2)); AR_k = r_k − α − β·m_k,
CAR_k = Σ AR from −pre to k, t = CAR / (σ·√n_days), two-sided p from Student's t with L−2 df.
"""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from dashboard.analytics.benchmark import sample_on, to_returns
from dashboard.errors import InputError, InsufficientHistory

DAILY_COLUMNS = ["event_id", "ticker", "benchmark", "day", "date", "return", "benchmark_return",
                 "abnormal_return", "car"]
SUMMARY_COLUMNS = ["event_id", "ticker", "benchmark", "alpha", "beta", "sigma", "n_estimation",
                   "n_days", "car", "t_stat", "p_value"]
PORTFOLIO = "EW"


@dataclass(frozen=True)
class Windows:
    estimation: int = 120
    gap: int = 10
    pre: int = 1
    post: int = 5

    def validate(self) -> "Windows":
        if not 30 <= self.estimation <= 500:
            raise InputError(f"estimation window {self.estimation} is out of range: use 30 to 500 sessions")
        if not 0 <= self.pre <= 30:
            raise InputError(f"pre {self.pre} is out of range: use 0 to 30 sessions")
        if not 0 <= self.post <= 30:
            raise InputError(f"post {self.post} is out of range: use 0 to 30 sessions")
        if not self.pre <= self.gap <= 250:
            raise InputError(f"gap {self.gap} is out of range: use {self.pre} (pre) to 250 sessions")
        return self


@dataclass
class EventStudy:
    daily: pd.DataFrame
    summary: pd.DataFrame
    errors: dict[str, str] = field(default_factory=dict)


def _fmt(ts) -> str:
    return pd.Timestamp(ts).strftime("%Y-%m-%d")


def market_model(
    returns: pd.Series,
    benchmark_levels: pd.Series,
    session: pd.Timestamp,
    windows: Windows,
    ticker: str,
    benchmark: str,
    event_id: str = "",
    first_needed=None,
) -> tuple[pd.DataFrame, dict]:
    """One security's abnormal returns around ``session``.

    ``returns`` are the security's simple returns indexed by its stored dates (the first NaN);
    ``benchmark_levels`` the benchmark's adj_close by date. ``first_needed(position)`` names the
    date of a missing position when the history is too short (for error messages).
    """
    dates = pd.DatetimeIndex(returns.index)
    session = pd.Timestamp(session)
    if session not in dates:
        if len(dates) == 0:
            raise InsufficientHistory(f"{ticker}: no stored prices")
        where = "before" if session < dates[0] else "after" if session > dates[-1] else "within"
        span = f"stored {_fmt(dates[0])} to {_fmt(dates[-1])}"
        raise InsufficientHistory(
            f"{ticker}: day 0 ({_fmt(session)}) is not a stored session of {ticker} "
            f"({where} its history, {span})"
        )
    zero = dates.get_loc(session)
    L, gap = windows.estimation, windows.gap
    est_start, est_end = zero - (gap + L), zero - (gap + 1)
    if est_start < 1:
        needed = first_needed(est_start - 1) if first_needed else None
        raise InsufficientHistory(
            f"insufficient history for {ticker} against {benchmark}: the estimation window needs "
            f"{L + gap + 1} sessions of {ticker} before {_fmt(session)}"
            + (f", from {needed}" if needed else "")
            + f"; {ticker} is stored from {_fmt(dates[0])}"
        )
    levels = sample_on(dates, benchmark_levels)
    market = to_returns(levels)
    est = slice(est_start, est_end + 1)
    r_est, m_est = returns.iloc[est].to_numpy(float), market.iloc[est].to_numpy(float)
    if np.isnan(m_est).any():
        missing = dates[est_start - 1]
        first = benchmark_levels.dropna().index.min()
        raise InsufficientHistory(
            f"insufficient history for {ticker} against {benchmark}: the estimation window needs "
            f"{benchmark} from {_fmt(missing)} (first date needed); {benchmark} is stored from "
            f"{_fmt(first) if pd.notna(first) else 'nowhere'}"
        )
    if np.isnan(r_est).any():
        bad = dates[est_start + int(np.argmax(np.isnan(r_est)))]
        raise InsufficientHistory(f"{ticker}: missing return on {_fmt(bad)} in the estimation window")
    m_mean, r_mean = m_est.mean(), r_est.mean()
    var_m = ((m_est - m_mean) ** 2).sum()
    if var_m == 0:
        raise InsufficientHistory(f"{benchmark} did not move in the estimation window of {ticker}")
    beta = ((m_est - m_mean) * (r_est - r_mean)).sum() / var_m
    alpha = r_mean - beta * m_mean
    residuals = r_est - alpha - beta * m_est
    sigma = float(np.sqrt((residuals**2).sum() / (L - 2)))

    last = min(zero + windows.post, len(dates) - 1)
    window = slice(zero - windows.pre, last + 1)
    r_win, m_win = returns.iloc[window], market.iloc[window]
    usable = m_win.notna() & r_win.notna()
    if not usable.iloc[: windows.pre + 1].all():
        raise InsufficientHistory(
            f"{ticker}: {benchmark} has no data up to day 0 ({_fmt(session)}); "
            f"{benchmark} is stored to {_fmt(benchmark_levels.dropna().index.max())}"
        )
    cut = int(np.argmin(usable.to_numpy())) if not usable.all() else len(usable)
    r_win, m_win = r_win.iloc[:cut], m_win.iloc[:cut]
    ar = r_win - alpha - beta * m_win
    car = ar.cumsum()
    n_days = len(ar)
    t_stat = float(car.iloc[-1] / (sigma * np.sqrt(n_days))) if sigma > 0 else float("nan")
    p_value = float(2 * stats.t.sf(abs(t_stat), df=L - 2)) if sigma > 0 else float("nan")
    daily = pd.DataFrame(
        {
            "event_id": event_id,
            "ticker": ticker,
            "benchmark": benchmark,
            "day": np.arange(-windows.pre, -windows.pre + n_days),
            "date": r_win.index,
            "return": r_win.to_numpy(float),
            "benchmark_return": m_win.to_numpy(float),
            "abnormal_return": ar.to_numpy(float),
            "car": car.to_numpy(float),
        },
        columns=DAILY_COLUMNS,
    )
    summary = {
        "event_id": event_id,
        "ticker": ticker,
        "benchmark": benchmark,
        "alpha": float(alpha),
        "beta": float(beta),
        "sigma": sigma,
        "n_estimation": L,
        "n_days": n_days,
        "car": float(car.iloc[-1]),
        "t_stat": t_stat,
        "p_value": p_value,
    }
    return daily, summary


def run_event_study(
    prices: dict[str, pd.Series],
    benchmark_levels: pd.Series,
    session,
    windows: Windows,
    benchmark: str,
    event_id: str = "",
    first_needed=None,
) -> EventStudy:
    """Each ticker of ``prices`` (adj_close by date), then the equal-weight portfolio ``EW``.

    A ticker that fails gets its reason in ``errors`` and no rows; the others go on. ``EW``'s
    daily return is the mean of the successful members' returns on their common dates.
    """
    windows.validate()
    dailies, summaries, errors, member_returns = [], [], {}, {}
    for ticker, series in prices.items():
        series = series.dropna().sort_index()
        returns = to_returns(series)
        needed = (lambda pos, s=series: first_needed(s, pos)) if first_needed else None
        try:
            daily, summary = market_model(returns, benchmark_levels, session, windows, ticker,
                                          benchmark, event_id, needed)
        except InsufficientHistory as exc:
            errors[ticker] = str(exc)
            continue
        dailies.append(daily)
        summaries.append(summary)
        member_returns[ticker] = returns
    if len(member_returns) >= 2:
        joined = pd.concat(member_returns.values(), axis=1, join="inner")
        portfolio = joined.mean(axis=1, skipna=False)
        try:
            daily, summary = market_model(portfolio, benchmark_levels, session, windows, PORTFOLIO,
                                          benchmark, event_id)
            dailies.append(daily)
            summaries.append(summary)
        except InsufficientHistory as exc:
            errors[PORTFOLIO] = str(exc)
    daily = pd.concat(dailies, ignore_index=True) if dailies else pd.DataFrame(columns=DAILY_COLUMNS)
    summary = pd.DataFrame(summaries, columns=SUMMARY_COLUMNS)
    return EventStudy(daily=daily, summary=summary, errors=errors)
