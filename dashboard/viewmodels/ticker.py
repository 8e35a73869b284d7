"""One ticker: price and volume on its own calendar, its news, rolling beta, drawdown, statistics
and the data-quality flags of its series."""

from dataclasses import dataclass
from datetime import date

import pandas as pd

from dashboard.analytics.performance import to_drawdown, to_rolling_beta, to_rolling_correlation
from dashboard.analytics.statistics import BETA_SESSIONS, calc_ticker_stats
from dashboard.calendars import calendar_for
from dashboard.figures.charts import drawdown_figure, price_figure, rolling_figure
from dashboard.figures.markers import event_marker
from dashboard.figures.theme import themed
from dashboard.numbers import format_value
from dashboard.params import range_start
from dashboard.quality import flags_in

ROLLING_WINDOW = 60
CURRENCY = "USD"  # every ticker we follow is quoted in US dollars on Yahoo


@dataclass(frozen=True)
class TickerView:
    symbol: str
    start: date
    end: date


def window(reads, symbol: str, start: date | None, end: date | None) -> TickerView:
    """The shown range: as given, else the last year up to the ticker's last stored date."""
    last = reads.prices((symbol,))["date"].max().date()
    end = end or last
    return TickerView(symbol, start or range_start("1Y", end), end)


def holidays(first, last) -> list[str]:
    """Weekdays without an NYSE session between two dates: the price chart's axis breaks."""
    weekdays = pd.bdate_range(first, last)
    sessions = calendar_for("MARA").sessions(first, last)
    return [d.strftime("%Y-%m-%d") for d in weekdays.difference(sessions)]


def stats_cards(stats: dict, benchmark: str, is_benchmark: bool) -> list[tuple[str, str]]:
    cards = [(f"Last close ({CURRENCY})", format_value("number", stats["last_close"])),
             ("1D", format_value("signed", stats["ret_1d"])), ("1W (7 days)", format_value("signed", stats["ret_1w"])),
             ("1M", format_value("signed", stats["ret_1m"])), ("YTD", format_value("signed", stats["ret_ytd"])),
             ("1Y", format_value("signed", stats["ret_1y"])),
             ("Vol 30D, annualised", format_value("whole-percent", stats["vol_30d"])),
             ("Max drawdown (range)", format_value("percent", stats["max_drawdown"]))]
    if not is_benchmark:
        cards += [(f"Beta {BETA_SESSIONS} sessions vs {benchmark}", format_value("decimal", stats["beta_90d"])),
                  (f"Corr {BETA_SESSIONS} sessions vs {benchmark}", format_value("decimal", stats["corr_90d"]))]
    return cards + [("As of", stats["as_of"] or "–")]


def ticker_view(reads, view: TickerView, theme: str) -> dict:
    """Figures, statistics cards, events rows and notices of one ticker page (one cache entry)."""

    def compute() -> dict:
        symbol, benchmark = view.symbol, reads.settings.benchmark
        lo, hi = pd.Timestamp(view.start), pd.Timestamp(view.end)
        prices = reads.prices((symbol,))
        shown = prices[(prices["date"] >= lo) & (prices["date"] <= hi)]
        if shown.empty:
            return {"empty": f"No {symbol} prices between {view.start} and {view.end}."}
        bench = reads.prices((benchmark,)).set_index("date")["adj_close"]
        is_benchmark = symbol == benchmark or bench.empty
        events = [e for e in reads.events() if e.applies_to(symbol) and lo <= pd.Timestamp(e.session) <= hi]
        adj = prices.set_index("date")["adj_close"]
        every_day = calendar_for(symbol).continuous
        price = price_figure(shown, [event_marker(e) for e in events], theme, every_day,
                             [] if every_day else holidays(shown["date"].min(), shown["date"].max()),
                             CURRENCY)
        rolling = None
        if not is_benchmark:
            beta = to_rolling_beta(adj, bench, ROLLING_WINDOW)
            corr = to_rolling_correlation(adj, bench, ROLLING_WINDOW)
            beta, corr = beta[(beta.index >= lo) & (beta.index <= hi)], corr[(corr.index >= lo) & (corr.index <= hi)]
            if beta.notna().any():
                rolling = themed(rolling_figure(beta, corr, benchmark, theme), theme)
        stats = calc_ticker_stats(prices, None if is_benchmark else bench, benchmark, lo, hi)
        flags = flags_in(reads.quality_flags((symbol,)), lo, hi)
        return {
            "price": themed(price, theme),
            "rolling": rolling,
            "rolling_note": None if rolling or is_benchmark else
            f"Not enough overlapping {benchmark} history for a {ROLLING_WINDOW}-session window.",
            "drawdown": themed(drawdown_figure(to_drawdown(shown.set_index("date")["adj_close"]), theme), theme),
            "cards": stats_cards(stats, benchmark, is_benchmark),
            "events": [{"session": e.session.isoformat(), "title": e.title, "category": e.category,
                        "origin": e.origin, "source": e.source or "", "event_link": f"/events/{e.id}"}
                       for e in sorted(events, key=lambda e: e.session, reverse=True)],
            "flags": flags,
        }

    return reads.memo("ticker", (view, theme), compute)
