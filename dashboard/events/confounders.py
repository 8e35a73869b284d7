"""Confounders: the other events that share an event study's windows.

For event E and ticker T, every other event that concerns T (names T, or names no ticker) whose
session falls in E's event window or estimation window, counted in T's own sessions from E's
day 0. A study whose window holds a company's own earnings credits that move to E otherwise.
"""

from collections.abc import Sequence

import pandas as pd

from dashboard.analytics.event_study import Windows
from dashboard.calendars import XNYS
from dashboard.events.model import Event

OVERLAP_COLUMNS = ["event_id", "ticker", "other_id", "other_session", "day", "window", "category", "title"]


def _position(dates: pd.DatetimeIndex, session: pd.Timestamp) -> int | None:
    """Index of ``session`` among the ticker's dates; past the last date, counted on with XNYS."""
    if len(dates) == 0:
        return None
    if session > dates[-1]:
        return len(dates) - 1 + len(XNYS.sessions(dates[-1] + pd.Timedelta(days=1), session))
    at = dates.searchsorted(session)
    return int(at) if at < len(dates) and dates[at] == session else None


def overlaps(event: Event, others: Sequence[Event], ticker_dates: dict[str, pd.DatetimeIndex],
             windows: Windows) -> pd.DataFrame:
    """``OVERLAP_COLUMNS`` rows for each ticker of ``ticker_dates``, sorted by ticker then day."""
    rows = []
    near = [o for o in others if o.id != event.id and abs((o.session - event.session).days) <= 2 * 366]
    for ticker, dates in ticker_dates.items():
        dates = pd.DatetimeIndex(dates)
        zero = _position(dates, pd.Timestamp(event.session))
        if zero is None:
            continue
        first_estimation = -(windows.gap + windows.estimation)
        for other in near:
            if not other.applies_to(ticker):
                continue
            position = _position(dates, pd.Timestamp(other.session))
            if position is None:
                continue
            day = position - zero
            if -windows.pre <= day <= windows.post:
                window = "event"
            elif first_estimation <= day <= -(windows.gap + 1):
                window = "estimation"
            else:
                continue
            rows.append({"event_id": event.id, "ticker": ticker, "other_id": other.id,
                         "other_session": other.session.isoformat(), "day": day, "window": window,
                         "category": other.category, "title": other.title})
    frame = pd.DataFrame(rows, columns=OVERLAP_COLUMNS)
    return frame.sort_values(["ticker", "day", "other_id"], kind="stable").reset_index(drop=True)
