"""How stored tickers reacted to an event: reads the store, runs the pure event study."""

from collections.abc import Sequence

import pandas as pd

from dashboard.analytics.event_study import EventStudy, Windows, run_event_study
from dashboard.errors import InputError
from dashboard.events.align import nyse_calendar
from dashboard.events.catalogue import Event
from dashboard.store import Store


def _session_before(series: pd.Series, position: int) -> str:
    """Date of a (negative) position counted in NYSE sessions from the series' first date."""
    calendar = nyse_calendar()
    first = pd.Timestamp(series.index[0])
    try:
        return calendar.session_offset(first, position).strftime("%Y-%m-%d")
    except (ValueError, KeyError, IndexError):
        return f"{-position} sessions before {first:%Y-%m-%d}"


def event_tickers(event: Event, universe: Sequence[str], stored: Sequence[str]) -> list[str]:
    """The event's own tickers (the universe when it names none) that have stored data."""
    wanted = list(event.tickers) or list(universe)
    return [t for t in wanted if t in set(stored)]


def study_event(
    store: Store,
    event: Event,
    benchmark: str,
    windows: Windows,
    tickers: Sequence[str] | None = None,
    universe: Sequence[str] = (),
    prices: pd.DataFrame | None = None,
) -> EventStudy:
    """Market-model event study of ``event`` for ``tickers`` (default: the event's, with data).

    ``prices`` may be a long frame already read from the store (the pages pass a cached one).
    """
    windows.validate()
    stored = store.stored_tickers() if prices is None else sorted(prices["ticker"].unique())
    if benchmark not in stored:
        raise InputError(
            f"benchmark {benchmark} is not stored: load it with `minerdash fetch --tickers {benchmark}`"
        )
    chosen = list(tickers) if tickers else event_tickers(event, universe, stored)
    missing = [t for t in chosen if t not in stored]
    chosen = [t for t in chosen if t in stored and t != benchmark]
    if prices is None:
        prices = store.read_prices([*chosen, benchmark])
    by_ticker = {t: g.set_index("date")["adj_close"] for t, g in prices.groupby("ticker")}
    result = run_event_study(
        {t: by_ticker[t] for t in chosen if t in by_ticker},
        by_ticker[benchmark],
        pd.Timestamp(event.session),
        windows,
        benchmark,
        event.id,
        first_needed=_session_before,
    )
    for ticker in missing:
        result.errors[ticker] = (
            f"{ticker}: no stored prices; load them with `minerdash fetch --tickers {ticker}`"
        )
    if not chosen and not missing:
        result.errors["*"] = f"no ticker of event {event.id} has stored prices"
    return result
