"""Event study (MacKinlay 1997): did a stock move beyond what bitcoin (and the Nasdaq) explain?

Day 0 is the event's aligned session; day k is k stored sessions of the ticker after it.
r_t = p_t / p_{t-1} - 1 over consecutive stored dates; the benchmark's level (and the second
factor's) is sampled at the ticker's dates (last value on or before) so m_t covers the same span.
OLS with an intercept on the estimation window −(gap+L) … −(gap+1):

- ``market``: r = α + β·m + ε, σ² = Σe² / (L − 2), Student's t on L − 2 degrees of freedom;
- ``two-factor``: r = α + β₁·m + β₂·f + ε, σ² = Σe² / (L − 3), Student's t on L − 3.

AR_k = r_k − fitted_k, CAR_k = Σ AR from −pre to k, t = CAR / (σ·√n_days), two-sided p.
"""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from dashboard.analytics.benchmark import sample_on, to_returns
from dashboard.errors import InputError, InsufficientHistory

DAILY_COLUMNS = ["event_id", "ticker", "benchmark", "day", "date", "return", "benchmark_return",
                 "abnormal_return", "car"]
STUDY_SUMMARY_COLUMNS = ["event_id", "ticker", "benchmark", "alpha", "beta", "sigma", "n_estimation",
                         "n_days", "car", "t_stat", "p_value"]
FACTOR_COLUMNS = ["factor", "beta_factor"]  # appended to the summary by the two-factor model
MODELS = ("market", "two-factor")
PORTFOLIO = "EW"


@dataclass(frozen=True)
class Windows:
    """Sessions of the estimation window (L), the gap before the event window, and the event
    window itself (pre sessions before day 0, post after)."""

    estimation: int = 120
    gap: int = 10
    pre: int = 1
    post: int = 5

    LIMITS = {"estimation": (30, 500), "gap": (0, 250), "pre": (0, 30), "post": (0, 30)}  # in page order

    def validate(self) -> "Windows":
        for name in ("estimation", "pre", "post", "gap"):  # the gap's lower bound is pre
            (low, high), value = self.LIMITS[name], getattr(self, name)
            if name == "gap":
                low = self.pre  # the gap keeps the event window out of the estimation window
                if not low <= value <= high:
                    raise InputError(f"gap {value} is out of range: use {low} (pre) to {high} sessions")
            elif not low <= value <= high:
                what = "estimation window" if name == "estimation" else name
                raise InputError(f"{what} {value} is out of range: use {low} to {high} sessions")
        return self

    @property
    def days(self) -> int:
        """Sessions in a complete event window."""
        return self.pre + self.post + 1


@dataclass
class EventStudy:
    daily: pd.DataFrame
    summary: pd.DataFrame
    errors: dict[str, str] = field(default_factory=dict)


def _fmt(ts) -> str:
    return pd.Timestamp(ts).strftime("%Y-%m-%d")


@dataclass(frozen=True)
class Factor:
    """A regressor: its name and levels by date (the benchmark, or the second factor)."""

    name: str
    levels: pd.Series


@dataclass(frozen=True)
class Aligned:
    """One security's returns with its regressors' returns sampled on its own dates."""

    ticker: str
    dates: pd.DatetimeIndex
    r: np.ndarray
    m: np.ndarray
    f: np.ndarray | None
    benchmark: Factor
    factor: Factor | None

    @property
    def against(self) -> str:
        return self.benchmark.name + (f" and {self.factor.name}" if self.factor else "")


def align(returns: pd.Series, benchmark: Factor, ticker: str, factor: Factor | None = None) -> Aligned:
    """Sample the benchmark (and factor) levels on the security's dates and take their returns."""
    dates = pd.DatetimeIndex(returns.index)

    def sampled(regressor: Factor) -> np.ndarray:
        return to_returns(sample_on(dates, regressor.levels)).to_numpy(float)

    return Aligned(ticker, dates, returns.to_numpy(float), sampled(benchmark),
                   sampled(factor) if factor else None, benchmark, factor)


def _missing_history(a: Aligned, regressor: Factor, est_start: int) -> InsufficientHistory:
    first = regressor.levels.dropna().index.min()
    return InsufficientHistory(
        f"insufficient history for {a.ticker} against {regressor.name}: the estimation window needs "
        f"{regressor.name} from {_fmt(a.dates[est_start - 1])} (first date needed); {regressor.name} is "
        f"stored from {_fmt(first) if pd.notna(first) else 'nowhere'}")


def abnormal_returns(
    returns: pd.Series,
    benchmark: Factor,
    session: pd.Timestamp,
    windows: Windows,
    ticker: str,
    event_id: str = "",
    first_needed=None,
    factor: Factor | None = None,
) -> tuple[pd.DataFrame, dict]:
    """One security's abnormal returns around ``session`` (market model, or two-factor with ``factor``).

    ``returns`` are the security's simple returns indexed by its stored dates (the first NaN).
    ``first_needed(position)`` names the date of a missing position when the history is too short.
    """
    aligned = align(returns, benchmark, ticker, factor)
    return study_at(aligned, session, windows, event_id, first_needed)


def study_at(a: Aligned, session, windows: Windows, event_id: str = "", first_needed=None,
             daily: bool = True) -> tuple[pd.DataFrame | None, dict]:
    """The study of aligned returns around ``session``; ``daily=False`` skips the daily frame."""
    session = pd.Timestamp(session)
    dates, ticker = a.dates, a.ticker
    zero = dates.searchsorted(session)
    if zero >= len(dates) or dates[zero] != session:
        if len(dates) == 0:
            raise InsufficientHistory(f"{ticker}: no stored prices")
        where = "before" if session < dates[0] else "after" if session > dates[-1] else "within"
        raise InsufficientHistory(
            f"{ticker}: day 0 ({_fmt(session)}) is not a stored session of {ticker} "
            f"({where} its history, stored {_fmt(dates[0])} to {_fmt(dates[-1])})")
    L, gap = windows.estimation, windows.gap
    est_start, est_end = zero - (gap + L), zero - (gap + 1)
    if est_start < 1:
        needed = first_needed(est_start - 1) if first_needed else None
        raise InsufficientHistory(
            f"insufficient history for {ticker} against {a.against}: the estimation window needs "
            f"{L + gap + 1} sessions of {ticker} before {_fmt(session)}"
            + (f", from {needed}" if needed else "") + f"; {ticker} is stored from {_fmt(dates[0])}")
    est = slice(est_start, est_end + 1)
    if np.isnan(a.m[est]).any():
        raise _missing_history(a, a.benchmark, est_start)
    if a.f is not None and np.isnan(a.f[est]).any():
        raise _missing_history(a, a.factor, est_start)
    r_est = a.r[est]
    if np.isnan(r_est).any():
        bad = dates[est_start + int(np.argmax(np.isnan(r_est)))]
        raise InsufficientHistory(f"{ticker}: missing return on {_fmt(bad)} in the estimation window")
    fit = _fit(r_est, a.m[est], a.f[est] if a.f is not None else None, ticker, a.against)

    last = min(zero + windows.post, len(dates) - 1)
    window = slice(zero - windows.pre, last + 1)
    r_win, m_win = a.r[window], a.m[window]
    f_win = a.f[window] if a.f is not None else None
    usable = ~np.isnan(r_win) & ~np.isnan(m_win)
    if f_win is not None:
        usable &= ~np.isnan(f_win)
    if not usable[: windows.pre + 1].all():
        raise InsufficientHistory(
            f"{ticker}: {a.against} has no data up to day 0 ({_fmt(session)}); {a.benchmark.name} is "
            f"stored to {_fmt(a.benchmark.levels.dropna().index.max())}")
    cut = int(np.argmin(usable)) if not usable.all() else len(usable)
    expected = fit["alpha"] + fit["beta"] * m_win[:cut]
    if f_win is not None:
        expected = expected + fit["beta_factor"] * f_win[:cut]
    ar = r_win[:cut] - expected
    car = np.cumsum(ar)
    n_days = len(ar)
    sigma, df = fit["sigma"], fit["df"]
    t_stat = float(car[-1] / (sigma * np.sqrt(n_days))) if sigma > 0 else float("nan")
    p_value = float(2 * stats.t.sf(abs(t_stat), df=df)) if sigma > 0 else float("nan")
    summary = {
        "event_id": event_id, "ticker": ticker, "benchmark": a.benchmark.name,
        "alpha": fit["alpha"], "beta": fit["beta"], "sigma": sigma, "n_estimation": L,
        "n_days": n_days, "car": float(car[-1]), "t_stat": t_stat, "p_value": p_value,
    }
    if a.factor is not None:
        summary.update(factor=a.factor.name, beta_factor=fit["beta_factor"])
    if not daily:
        return None, summary
    frame = pd.DataFrame({
        "event_id": event_id, "ticker": ticker, "benchmark": a.benchmark.name,
        "day": np.arange(-windows.pre, -windows.pre + n_days), "date": dates[window][:cut],
        "return": r_win[:cut], "benchmark_return": m_win[:cut],
        "abnormal_return": ar, "car": car,
    }, columns=DAILY_COLUMNS)
    return frame, summary


def _fit(r: np.ndarray, m: np.ndarray, f: np.ndarray | None, ticker: str, against: str) -> dict:
    """OLS with an intercept: closed form for one regressor, least squares for two."""
    L = len(r)
    if f is None:
        m_mean, r_mean = m.mean(), r.mean()
        var_m = ((m - m_mean) ** 2).sum()
        if var_m == 0:
            raise InsufficientHistory(f"{against} did not move in the estimation window of {ticker}")
        beta = ((m - m_mean) * (r - r_mean)).sum() / var_m
        alpha = r_mean - beta * m_mean
        residuals = r - alpha - beta * m
        return {"alpha": float(alpha), "beta": float(beta), "df": L - 2,
                "sigma": float(np.sqrt((residuals**2).sum() / (L - 2)))}
    design = np.column_stack([np.ones(L), m, f])
    if np.linalg.matrix_rank(design) < 3:
        raise InsufficientHistory(f"{against} do not vary independently in the estimation window of {ticker}")
    coef, *_ = np.linalg.lstsq(design, r, rcond=None)
    residuals = r - design @ coef
    return {"alpha": float(coef[0]), "beta": float(coef[1]), "beta_factor": float(coef[2]),
            "df": L - 3, "sigma": float(np.sqrt((residuals**2).sum() / (L - 3)))}


def run_event_study(
    prices: dict[str, pd.Series],
    benchmark: Factor,
    session,
    windows: Windows,
    event_id: str = "",
    first_needed=None,
    factor: Factor | None = None,
    ew_leaves_out: tuple[str, ...] = (),
) -> EventStudy:
    """Each ticker of ``prices`` (adj_close by date), then the equal-weight portfolio ``EW``.

    A ticker that fails gets its reason in ``errors`` and no rows; the others go on. ``EW``'s
    daily return is the mean of the successful members' returns on their common dates, without
    the tickers in ``ew_leaves_out``.
    """
    windows.validate()
    dailies, summaries, errors, member_returns = [], [], {}, {}
    for ticker, series in prices.items():
        series = series.dropna().sort_index()
        returns = to_returns(series)
        needed = (lambda pos, s=series: first_needed(s, pos)) if first_needed else None
        try:
            daily, summary = abnormal_returns(returns, benchmark, session, windows, ticker,
                                              event_id, needed, factor)
        except InsufficientHistory as exc:
            errors[ticker] = str(exc)
            continue
        dailies.append(daily)
        summaries.append(summary)
        if ticker not in ew_leaves_out:
            member_returns[ticker] = returns
    if len(member_returns) >= 2:
        portfolio = equal_weight(member_returns)
        try:
            daily, summary = abnormal_returns(portfolio, benchmark, session, windows, PORTFOLIO,
                                              event_id, factor=factor)
            dailies.append(daily)
            summaries.append(summary)
        except InsufficientHistory as exc:
            errors[PORTFOLIO] = str(exc)
    columns = STUDY_SUMMARY_COLUMNS + (FACTOR_COLUMNS if factor is not None else [])
    daily = pd.concat(dailies, ignore_index=True) if dailies else pd.DataFrame(columns=DAILY_COLUMNS)
    return EventStudy(daily=daily, summary=pd.DataFrame(summaries, columns=columns), errors=errors)


def equal_weight(member_returns: dict[str, pd.Series]) -> pd.Series:
    """The equal-weight portfolio's daily return: the members' mean on their common dates."""
    joined = pd.concat(member_returns.values(), axis=1, join="inner")
    return joined.mean(axis=1, skipna=False)
