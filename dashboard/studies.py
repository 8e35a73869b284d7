"""Event studies over stored prices: picks each ticker's series, calls the pure analytics.

``read_prices(symbols)`` is where prices come from: the store's ``read_prices`` in the CLI, the
cached reads on the pages; the numbers are the same.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from dashboard.analytics.benchmark import to_returns
from dashboard.analytics.caar import CAAR_SUMMARY_COLUMNS, caar
from dashboard.analytics.event_study import (
    PORTFOLIO,
    Aligned,
    EventStudy,
    Factor,
    Windows,
    align,
    equal_weight,
    run_event_study,
    study_at,
)
from dashboard.calendars import nyse
from dashboard.errors import InputError, InsufficientHistory
from dashboard.events.confounders import overlaps
from dashboard.events.model import Event
from dashboard.params import CaarParams, StudyParams

ReadPrices = Callable[[Sequence[str]], pd.DataFrame]


def session_before(series: pd.Series, position: int) -> str:
    """Date of a (negative) position counted in NYSE sessions from the series' first date."""
    first = pd.Timestamp(series.index[0])
    try:
        return nyse().session_offset(first, position).strftime("%Y-%m-%d")
    except (ValueError, KeyError, IndexError):
        return f"{-position} sessions before {first:%Y-%m-%d}"


def event_tickers(event: Event, universe: Sequence[str], stored: Sequence[str]) -> list[str]:
    """The event's own tickers (the universe when it names none) that have stored data."""
    wanted = list(event.tickers) or list(universe)
    have = set(stored)
    return [t for t in wanted if t in have]


def study_event(
    read_prices: ReadPrices,
    stored: Sequence[str],
    event: Event,
    params: StudyParams,
    universe: Sequence[str] = (),
    ew_leaves_out: Sequence[str] = (),
) -> EventStudy:
    """Event study of ``event`` with resolved ``params`` (benchmark and factor filled in).

    Tickers default to the event's own with data. ``ew_leaves_out`` are tickers studied on their
    own but kept out of the equal-weight portfolio (those with a confounding event).
    """
    benchmark, factor = params.benchmark, params.factor
    have = set(stored)
    for role, symbol in (("benchmark", benchmark), ("factor", factor)):
        if symbol is not None and symbol not in have:
            raise InputError(f"{role} {symbol} is not stored: load it with "
                             f"`minerdash fetch --tickers {symbol}`")
    chosen = list(params.tickers) or event_tickers(event, universe, stored)
    missing = [t for t in chosen if t not in have]
    chosen = [t for t in chosen if t in have and t not in (benchmark, factor)]
    regressors = [benchmark] + ([factor] if factor else [])
    prices = read_prices(tuple(dict.fromkeys([*chosen, *regressors])))
    by_ticker = {t: g.set_index("date")["adj_close"] for t, g in prices.groupby("ticker")}
    result = run_event_study(
        {t: by_ticker[t] for t in chosen if t in by_ticker},
        Factor(benchmark, by_ticker[benchmark]),
        pd.Timestamp(event.session),
        params.windows,
        event.id,
        first_needed=session_before,
        factor=Factor(factor, by_ticker[factor]) if factor else None,
        ew_leaves_out=tuple(ew_leaves_out),
    )
    for ticker in missing:
        result.errors[ticker] = f"{ticker}: no stored prices; load them with `minerdash fetch --tickers {ticker}`"
    if not chosen and not missing:
        result.errors["*"] = f"no ticker of event {event.id} has stored prices"
    return result



class QuickStudies:
    """Many events × tickers against one benchmark (and factor): each series aligned once, then
    every study a slice through ``study_at``, the same method as ``study_event``."""

    def __init__(self, prices: pd.DataFrame, benchmark: str, windows: Windows, factor: str | None = None):
        self.windows = windows
        self.benchmark_name = benchmark
        self.series = {t: g.set_index("date")["adj_close"].dropna() for t, g in prices.groupby("ticker")}
        self.benchmark = Factor(benchmark, self.series[benchmark]) if benchmark in self.series else None
        self.factor = Factor(factor, self.series[factor]) if factor and factor in self.series else None
        self._aligned: dict[tuple[str, ...], Aligned] = {}

    def _aligned_for(self, members: tuple[str, ...]) -> Aligned | None:
        if members not in self._aligned:
            if any(m not in self.series for m in members) or self.benchmark is None:
                return None
            returns = {m: to_returns(self.series[m]) for m in members}
            series = returns[members[0]] if len(members) == 1 else equal_weight(returns)
            name = members[0] if len(members) == 1 else PORTFOLIO
            self._aligned[members] = align(series, self.benchmark, name, self.factor)
        return self._aligned[members]

    def study(self, event: Event, members: Sequence[str], daily: bool = False):
        """(daily, summary) of one ticker, or of the EW portfolio of several.

        Raises InsufficientHistory with the reason when it cannot run.
        """
        aligned = self._aligned_for(tuple(members))
        if aligned is None:
            missing = [m for m in [*members, self.benchmark_name] if m not in self.series]
            raise InsufficientHistory(f"no stored prices for {', '.join(missing)}")
        return study_at(aligned, event.session, self.windows, event.id, daily=daily)

    def attempt(self, event: Event, members: Sequence[str], daily: bool = False):
        """Like ``study``, None when it cannot run."""
        try:
            return self.study(event, members, daily)
        except InsufficientHistory:
            return None


UNIT_COLUMNS = ["event_id", "ticker", "session", "included", "reason", "car", "t_stat"]


@dataclass
class CrossEventStudy:
    path: pd.DataFrame  # day,n,aar,caar (+ lower, upper: the 95% band)
    summary: pd.DataFrame  # one row: CAAR_SUMMARY_COLUMNS
    units: pd.DataFrame  # UNIT_COLUMNS, every unit considered
    events: list[Event]

    @property
    def tests(self) -> dict:
        return self.summary.iloc[0].to_dict()


def select_events(events: Sequence[Event], params: CaarParams) -> list[Event]:
    selection = params.selection
    if selection.ids:
        known = {e.id for e in events}
        unknown = [i for i in selection.ids if i not in known]
        if unknown:
            raise InputError(f"unknown event id{'s' if len(unknown) > 1 else ''} {', '.join(unknown[:5])}: "
                             "`minerdash events list` shows them")
    chosen = [e for e in events if selection.matches(e)]
    if not chosen:
        raise InputError("no event matches the selection: widen the categories, origins or dates")
    return chosen


def cross_event_study(read_prices: ReadPrices, stored: Sequence[str], events: Sequence[Event],
                      params: CaarParams, settings) -> CrossEventStudy:
    """AAR, CAAR and the tests over the units of the selected events (``analytics.caar``).

    Units are (event, ticker) pairs or each event's equal-weight portfolio of its selected tickers,
    each studied exactly as on the event page; a unit counts only when its study runs and its
    window is complete. Every unit left out is listed with its reason.
    """
    chosen = select_events(events, params)
    study = params.study.resolved(settings.benchmark, settings.factor)
    have = set(stored)
    for role, symbol in (("benchmark", study.benchmark), ("factor", study.factor)):
        if symbol is not None and symbol not in have:
            raise InputError(f"{role} {symbol} is not stored: load it with `minerdash fetch --tickers {symbol}`")
    tickers = [t for t in (study.tickers or settings.tickers) if t not in (study.benchmark, study.factor)]
    unstored = [t for t in tickers if t not in have]
    if unstored and len(unstored) == len(tickers):
        raise InputError(f"none of the tickers is stored: {', '.join(unstored)}")
    regressors = [study.benchmark] + ([study.factor] if study.factor else [])
    prices = read_prices(tuple(dict.fromkeys([*[t for t in tickers if t in have], *regressors])))
    quick = QuickStudies(prices, study.benchmark, study.windows, study.factor)
    dates = {t: pd.DatetimeIndex(g["date"]) for t, g in prices.groupby("ticker")}
    rows, abnormal, sigma = [], {}, {}
    for event in chosen:
        members = [t for t in tickers if event.applies_to(t)]
        confounded = set()
        if study.exclude_confounded and members:
            found = overlaps(event, events, {t: dates[t] for t in members if t in dates}, study.windows)
            confounded = set(found.loc[found["window"] == "event", "ticker"])
        if not members:
            rows.append(_unit_row(event, "", None, "concerns none of the selected tickers"))
            continue
        singles = {}
        for ticker in members:
            reason = None
            if ticker not in have:
                reason = f"{ticker}: no stored prices"
            elif ticker in confounded:
                reason = "another event of this ticker falls in the event window"
            result = None
            if reason is None:
                try:
                    result = quick.study(event, (ticker,), daily=True)
                except InsufficientHistory as exc:
                    reason = str(exc)
            singles[ticker] = result
            if params.unit == "pair":
                _count(rows, abnormal, sigma, event, ticker, result, reason, study.windows)
        if params.unit == "event":
            ok = [t for t, r in singles.items() if r is not None]
            result, reason = None, "no selected ticker of this event could be studied"
            if ok:
                try:
                    result, reason = quick.study(event, tuple(ok), daily=True), None
                except InsufficientHistory as exc:
                    reason = str(exc)
            _count(rows, abnormal, sigma, event, PORTFOLIO, result, reason, study.windows)
    units = pd.DataFrame(rows, columns=UNIT_COLUMNS)
    frame = pd.DataFrame.from_dict(abnormal, orient="index")
    path, tests = caar(frame, pd.Series(sigma))
    summary = pd.DataFrame([{"unit": params.unit, "model": study.model, "benchmark": study.benchmark,
                             "factor": study.factor or "", **tests}], columns=CAAR_SUMMARY_COLUMNS)
    return CrossEventStudy(path=path, summary=summary, units=units, events=chosen)


def _unit_row(event: Event, ticker: str, summary: dict | None, reason: str | None) -> dict:
    return {"event_id": event.id, "ticker": ticker, "session": event.session.isoformat(),
            "included": reason is None, "reason": reason or "",
            "car": summary["car"] if summary else None, "t_stat": summary["t_stat"] if summary else None}


def _count(rows, abnormal, sigma, event, ticker, result, reason, windows) -> None:
    """Add one unit's row; its abnormal returns join the average only when its window is complete."""
    summary = result[1] if result else None
    if reason is None and summary["n_days"] < windows.days:
        reason = f"event window cut at the end of the data ({summary['n_days']} of {windows.days} days)"
    rows.append(_unit_row(event, ticker, summary, reason))
    if reason is None:
        key = (event.id, ticker)
        abnormal[key] = dict(zip(result[0]["day"], result[0]["abnormal_return"], strict=True))
        sigma[key] = summary["sigma"]
