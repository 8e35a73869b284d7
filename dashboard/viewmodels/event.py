"""One event's study: CAR paths, the summary with each ticker's confounders, the prices around the
event (shown even when the study cannot run), and every notice the numbers need."""

from urllib.parse import quote

import pandas as pd

from dashboard.analytics.event_study import PORTFOLIO
from dashboard.analytics.performance import to_rebased
from dashboard.errors import MinerdashError
from dashboard.events.confounders import overlaps
from dashboard.figures.charts import car_figure, overview_figure
from dashboard.figures.markers import event_marker
from dashboard.figures.theme import themed
from dashboard.params import StudyParams
from dashboard.quality import flags_in
from dashboard.studies import event_tickers, study_event

AROUND = 30  # sessions of price chart before and after the event
# Benchmarks to suggest when the chosen one lacks history, in order of preference.
SUGGESTED_BENCHMARKS = ("QQQ", "IBIT", "SPY", "BTC-USD")


def resolve(reads, params: StudyParams) -> StudyParams:
    return params.resolved(reads.settings.benchmark, reads.settings.factor)


def chosen_tickers(reads, event, params: StudyParams) -> list[str]:
    stored = reads.stored_tickers()
    return list(params.tickers) or event_tickers(event, reads.settings.tickers, stored)


def confounders(reads, event, tickers, params: StudyParams) -> pd.DataFrame:
    """Other events in the event or estimation window of each ticker (``OVERLAP_COLUMNS``)."""
    prices = reads.prices(tuple(tickers))
    dates = {t: pd.DatetimeIndex(g["date"]) for t, g in prices.groupby("ticker")}
    return overlaps(event, reads.events(), dates, params.windows)


def run(reads, event, params: StudyParams):
    """The study (cached per data version), leaving confounded tickers out of EW when asked."""
    tickers = chosen_tickers(reads, event, params)

    def compute():
        leave_out = ()
        if params.exclude_confounded:
            found = confounders(reads, event, tickers, params)
            leave_out = tuple(sorted(set(found.loc[found["window"] == "event", "ticker"])))
        return study_event(reads.prices, reads.stored_tickers(), event, params,
                           reads.settings.tickers, ew_leaves_out=leave_out), leave_out

    return reads.memo("study", (event.id, params), compute)


def suggest_benchmark(reads, event, params: StudyParams) -> str | None:
    """A stored benchmark with prices before the estimation window, other than the chosen one."""
    stored = set(reads.stored_tickers())
    need = pd.Timestamp(event.session) - pd.Timedelta(days=int((params.windows.estimation
                                                                + params.windows.gap) * 1.5) + 7)
    for symbol in SUGGESTED_BENCHMARKS:
        if symbol in stored and symbol != params.benchmark:
            first = reads.prices((symbol,))["date"].min()
            if pd.notna(first) and first <= need:
                return symbol
    return None


def prices_around(reads, event, tickers, benchmark, theme) -> dict | None:
    prices = reads.prices(tuple(dict.fromkeys([*tickers, benchmark])))
    session = pd.Timestamp(event.session)
    equity_dates = sorted(prices.loc[prices["ticker"].isin(tickers), "date"].unique())
    if not equity_dates:
        return None
    position = pd.Index(equity_dates).searchsorted(session)
    lo = equity_dates[max(position - AROUND, 0)]
    hi = equity_dates[min(position + AROUND, len(equity_dates) - 1)]
    window = prices[(prices["date"] >= lo) & (prices["date"] <= hi)]
    wide = window.pivot(index="date", columns="ticker", values="adj_close")
    rebased = pd.DataFrame({t: to_rebased(wide[t]) for t in [*tickers, benchmark] if t in wide})
    base = rebased.dropna().index[0] if not rebased.dropna().empty else None
    return themed(overview_figure(rebased, benchmark, [event_marker(event)], theme, base_date=base), theme)


def event_view(reads, event, params: StudyParams, theme: str) -> dict:
    """Everything the event page shows for resolved ``params`` (one cache entry per theme)."""

    def compute() -> dict:
        tickers = chosen_tickers(reads, event, params)
        notices, warnings = [], []
        prices_figure = prices_around(reads, event, [t for t in tickers if t != params.benchmark],
                                      params.benchmark, theme)
        try:
            result, left_out = run(reads, event, params)
        except MinerdashError as exc:
            return {"error": str(exc), "prices": prices_figure}
        summary = result.summary.copy()
        found = confounders(reads, event, tickers, params)
        in_window = found[found["window"] == "event"]
        summary["significant"] = ["yes ★" if p < 0.05 else "no" for p in summary["p_value"]]
        summary["days"] = [f"{n} of {params.windows.days}" for n in summary["n_days"]]
        shared = [in_window[in_window["ticker"] == t] for t in summary["ticker"]]
        links = [[[f"{r.title} (day {r.day:+d})", f"/events/{quote(r.other_id)}"] for r in rows.itertuples()]
                 for rows in shared]
        summary["confounders_links"] = pd.Series(links, index=summary.index, dtype=object)
        summary["confounders"] = ["; ".join(text for text, _ in pairs) for pairs in links]
        if not in_window.empty:
            warnings.append(
                "Other news shares this event window, so these CARs mix its effect in: " + "; ".join(
                    f"{r.ticker} — {r.title}, day {r.day:+d}" for r in in_window.itertuples()) + ".")
        if left_out:
            notices.append(f"EW leaves out {', '.join(left_out)} (other news in the event window).")
        short = summary[summary["n_days"] < params.windows.days]
        if not short.empty:
            notices.append("The event window is cut short at the end of the data for "
                           + ", ".join(f"{t} ({n} of {params.windows.days} days)"
                                       for t, n in zip(short["ticker"], short["n_days"], strict=True)) + ".")
        flags = flags_in(reads.quality_flags(tuple(t for t in tickers if t != PORTFOLIO)),
                         pd.Timestamp(event.session) - pd.Timedelta(days=int(params.windows.estimation * 1.6) + 30),
                         pd.Timestamp(event.session) + pd.Timedelta(days=params.windows.post * 2 + 7))
        if not flags.empty:
            warnings.append("The data is suspect near this event: " + "; ".join(
                f"{r.ticker} {r.date:%Y-%m-%d}: {r.detail}" for r in flags.head(5).itertuples())
                + (f" (and {len(flags) - 5} more)" if len(flags) > 5 else "") + ".")
        suggestion = None
        if result.summary.empty or any("insufficient history" in e and params.benchmark in e
                                       for e in result.errors.values()):
            alternative = suggest_benchmark(reads, event, params)
            if alternative:
                suggestion = alternative
        return {
            "car": themed(car_figure(result.daily, theme), theme) if not result.daily.empty else None,
            "summary": summary, "daily": result.daily, "errors": list(result.errors.values()),
            "notices": notices, "warnings": warnings, "confounders": found, "prices": prices_figure,
            "suggestion": suggestion,
        }

    return reads.memo("event-view", (event.id, params, theme), compute)
