"""The overview: miners rebased against bitcoin at their first shared date, news with each
miner's abnormal return, and the statistics table with stale rows marked."""

from dataclasses import replace
from datetime import date

import pandas as pd

from dashboard.analytics.event_study import Windows
from dashboard.analytics.performance import to_rebased
from dashboard.analytics.statistics import STATS_COLUMNS, calc_max_drawdowns, calc_stats_table
from dashboard.calendars import calendar_for
from dashboard.figures.charts import overview_figure
from dashboard.figures.markers import event_marker, numbered
from dashboard.figures.theme import themed
from dashboard.numbers import format_value
from dashboard.params import View, range_start
from dashboard.studies import QuickStudies
from dashboard.viewmodels.freshness import freshness

# The table has a row for each ticker with prices from this long before the view's start on: enough
# history for its statistics (1Y, YTD, 90-session beta).
HISTORY_BEFORE_START = pd.Timedelta(days=400)


def with_defaults(reads, view: View) -> View:
    """Fill what the URL left out: the universe, the last year up to the last stored date."""
    stored = set(reads.stored_tickers())
    tickers = view.tickers or tuple(t for t in reads.settings.tickers if t in stored)
    end = view.end
    if end is None:
        latest = freshness(reads, tickers or None).latest
        end = latest or date.today()
    start = view.start or range_start("1Y", end)
    return replace(view, tickers=tickers, start=start, end=end)


def first_shared_date(wide: pd.DataFrame) -> pd.Timestamp | None:
    """The first date on which every column has a value (None when they never overlap)."""
    complete = wide.dropna()
    return complete.index[0] if not complete.empty else None


def last_session_by(ticker: str, end: date) -> pd.Timestamp:
    """The ticker's last session on or before ``end`` (its own calendar)."""
    sessions = calendar_for(ticker).sessions(pd.Timestamp(end) - pd.Timedelta(days=10), end)
    return sessions[-1] if len(sessions) else pd.Timestamp(end)


def reaction_line(ticker: str, summary: dict, windows: Windows) -> str:
    """'MARA CAR(−1,+5) −5.2% (t −0.47)', with the days used when the window was cut short."""
    cut = "" if summary["n_days"] == windows.days else f", {summary['n_days']} of {windows.days} days"
    t_stat = format_value("signed-decimal", summary["t_stat"])
    return f"{ticker} CAR(−{windows.pre},+{windows.post}) {format_value('signed', summary['car'])} (t {t_stat}{cut})"


def ticker_reactions(reads, prices: pd.DataFrame, ticker: str, benchmark: str) -> dict[str, str]:
    """Per event id, the hover line of ``ticker`` for every event that concerns it.

    Computed on the full history (``prices`` must hold the ticker's and the benchmark's), so the
    numbers do not depend on the view; kept per data version and shared by every view, page and
    worker process (the worker fills it right after each refresh)."""

    def compute() -> dict[str, str]:
        windows = Windows()
        quick = QuickStudies(prices[prices["ticker"].isin([ticker, benchmark])], benchmark, windows)
        found = {}
        for event in reads.events():
            result = quick.attempt(event, (ticker,)) if event.applies_to(ticker) else None
            if result is not None:
                found[event.id] = reaction_line(ticker, result[1], windows)
        return found

    return reads.memo("reactions", (ticker, benchmark), compute)


def reactions(reads, prices: pd.DataFrame, events, tickers: tuple[str, ...], benchmark: str) -> dict[str, list[str]]:
    """Per event id, one hover line for each of ``tickers`` it concerns."""
    stored = set(prices["ticker"].unique())
    per_ticker = {t: ticker_reactions(reads, prices, t, benchmark) for t in tickers
                  if t != benchmark and t in stored}
    found: dict[str, list[str]] = {}
    for event in events:
        lines = [per_ticker[t][event.id] for t in tickers if t in per_ticker and event.id in per_ticker[t]]
        if lines:
            found[event.id] = lines
    return found


def warm(reads) -> int:
    """What the first visitor after a refresh would otherwise compute: every stored ticker's
    reactions and statistics as of the default view's end, and the default overview in both
    themes. Returns how many tickers were done."""
    benchmark = reads.settings.benchmark
    stored = reads.stored_tickers()
    if benchmark not in stored:
        return 0
    for ticker in stored:
        if ticker != benchmark:
            ticker_reactions(reads, reads.prices((ticker, benchmark)), ticker, benchmark)
    view = with_defaults(reads, View())
    stats_as_of(reads, tuple(stored), benchmark, view.end)
    if view.tickers:
        for theme in ("light", "dark"):
            overview(reads, view, theme)
    return len(stored) - 1


def stats_as_of(reads, tickers: tuple[str, ...], benchmark: str, end: date) -> pd.DataFrame:
    """The statistics table of ``tickers`` as of ``end`` (its max drawdown over each one's whole
    history). One cache entry per ticker and end, which any selection, the range buttons (they move
    only the start) and the other theme reuse; the worker fills them for every stored ticker."""
    keys = [(ticker, benchmark, end) for ticker in tickers]

    def compute(missing) -> dict:
        wanted = [ticker for ticker, _, _ in missing]
        table = calc_stats_table(reads.prices((*wanted, benchmark)), benchmark, None, end, order=wanted)
        return {(row["ticker"], benchmark, end): row for row in table.to_dict("records")}

    rows = reads.memo_each("stats", keys, compute)
    return pd.DataFrame([rows[key] for key in keys if rows[key] is not None], columns=STATS_COLUMNS)


def overview(reads, view: View, theme: str) -> dict:
    """Figure, table rows, notices and the table's note of one complete view (one cache entry)."""

    def compute() -> dict:
        benchmark = reads.settings.benchmark
        stored = set(reads.stored_tickers())
        shown = tuple(dict.fromkeys([*view.tickers, benchmark]))
        present = tuple(t for t in shown if t in stored)
        notices = []
        missing = [t for t in shown if t not in stored]
        if missing:
            notices.append(f"Not stored: {', '.join(missing)} (load with `minerdash fetch --tickers "
                           f"{','.join(missing)}`).")
        start, end = pd.Timestamp(view.start), pd.Timestamp(view.end)
        prices = reads.prices(present)
        in_range = prices[(prices["date"] >= start) & (prices["date"] <= end)]
        wide = in_range.pivot(index="date", columns="ticker", values="adj_close")
        empty = [t for t in present if t not in wide.columns or wide[t].isna().all()]
        for ticker in empty:
            last = prices.loc[prices["ticker"] == ticker, "date"].max()
            ends = f" (stored to {last:%Y-%m-%d})" if pd.notna(last) else ""
            notices.append(f"No {ticker} prices between {view.start} and {view.end}{ends}.")
        lines = [t for t in present if t not in empty]
        base = first_shared_date(wide[lines]) if lines else None
        firsts = [wide[t].first_valid_index() for t in lines]
        if base is not None and (base - min(firsts)).days > 4:
            notices.append(f"Lines are rebased to 100 on {base:%Y-%m-%d}, the first date all of them "
                           "have prices.")
        rebased = pd.DataFrame({t: to_rebased(wide.loc[wide.index >= base, t]) for t in lines}) \
            if base is not None else pd.DataFrame()
        events = [e for e in reads.events()
                  if start <= pd.Timestamp(e.session) <= end and e.category in view.categories
                  and e.origin in view.origins
                  and (not e.tickers or any(e.applies_to(t) for t in view.tickers))]
        cars = reactions(reads, prices, events, view.tickers, benchmark)
        markers = [event_marker(e, cars.get(e.id, [])) for e in events]
        figure = overview_figure(rebased, benchmark, markers, theme, view.scale, base)
        table = stats_as_of(reads, present, benchmark, view.end)
        listed = prices.loc[prices["date"] >= start - HISTORY_BEFORE_START, "ticker"].unique()
        table = table[table["ticker"].isin(listed)].reset_index(drop=True)
        table["max_drawdown"] = calc_max_drawdowns(in_range, table["ticker"])
        table["stale"] = [bool(a) and pd.Timestamp(a) < last_session_by(t, view.end)
                          for t, a in zip(table["ticker"], table["as_of"], strict=True)]
        stale = table.loc[table["stale"], ["ticker", "as_of"]]
        if not stale.empty:
            notices.append("Data ends before the view does for " + ", ".join(
                f"{t} (as of {a})" for t, a in zip(stale["ticker"], stale["as_of"], strict=True))
                + ": its statistics are as of that date.")
        numbers = numbered(markers)
        key = [{"n": numbers[m["id"]], "session": m["session"].isoformat(), "title": m["title"], "id": m["id"],
                "category": m["category"]} for m in sorted(markers, key=lambda m: numbers.get(m["id"], 0))
               if m["id"] in numbers]
        return {"figure": themed(figure, theme), "table": table, "notices": notices,
                "events": len(events), "key": key}

    return reads.memo("overview", (view, theme), compute)
