"""Earnings dates from Yahoo (through yfinance), past and upcoming, with the time of day when
Yahoo gives one: after the close or before the open decides the session.

Yahoo's earnings calendar shows a midnight time when it does not know the hour: those keep only
their date (the session of that date). EPS estimate, reported EPS and surprise go to details.
"""

import logging
import math
import warnings
from datetime import date

import pandas as pd
import yfinance as yf
from yfinance.data import YfData

from dashboard.calendars import NEW_YORK
from dashboard.events.sources import EventFetch, record, slug
from dashboard.sources.yahoo import captured_yfinance_log, explain_failure, is_network_failure

LIMIT = 100  # quarters asked per ticker (Yahoo's maximum): 25 years of history and what is planned
log = logging.getLogger("minerdash.events")


def _number(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def earnings_records(ticker: str, frame: pd.DataFrame, since: date | None) -> list[dict]:
    """Records from yfinance's earnings-dates frame (index: tz-aware dates; EPS columns)."""
    records = []
    for when, row in frame.iterrows():
        moment = pd.Timestamp(when)
        moment = moment.tz_localize(NEW_YORK) if moment.tzinfo is None else moment.tz_convert(NEW_YORK)
        day = moment.date()
        if since is not None and day < since:
            continue
        time_known = (moment.hour, moment.minute) != (0, 0)
        published = moment.to_pydatetime() if time_known else day
        estimate, reported = _number(row.get("EPS Estimate")), _number(row.get("Reported EPS"))
        surprise = _number(row.get("Surprise(%)"))
        if reported is not None:
            title = f"{ticker} earnings: EPS {reported:.2f}"
            title += f" vs {estimate:.2f} expected" if estimate is not None else ""
            title += f" ({surprise:+.1f}%)" if surprise is not None else ""
        else:
            title = f"{ticker} earnings expected" + (f" (EPS estimate {estimate:.2f})" if estimate is not None else "")
        details = {"eps_estimate": estimate, "reported_eps": reported, "surprise_pct": surprise,
                   "time_known": time_known}
        records.append(record("earnings", f"{slug(ticker)}-earnings-{day.isoformat()}", ticker, published,
                              title, f"https://finance.yahoo.com/calendar/earnings?symbol={ticker}",
                              "earnings", details))
    return records


class EarningsSource:
    name = "earnings"
    origins = ("earnings",)

    def __init__(self, session=None):
        self.session = session

    def fetch(self, tickers: list[str], since: date | None) -> EventFetch:
        result = EventFetch()
        for ticker in tickers:
            # yfinance memoizes scraped pages for the whole process (no public switch): a
            # long-running worker must ask Yahoo again on each refresh.
            YfData.cache_get.cache_clear()
            with captured_yfinance_log() as messages, warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    frame = yf.Ticker(ticker, session=self.session).get_earnings_dates(limit=LIMIT)
                except Exception as exc:  # yfinance raises its own and the HTTP library's errors
                    messages.append(f"{type(exc).__name__}: {exc}")
                    frame = None
            if frame is None or frame.empty:
                reason = next((m for m in messages if is_network_failure(m)), messages[-1] if messages else None)
                result.errors[ticker] = (explain_failure(reason) if reason
                                         else "no earnings dates from Yahoo for this symbol")
                continue
            try:
                result.records.extend(earnings_records(ticker, frame, since))
            except (KeyError, ValueError, TypeError) as exc:
                result.errors[ticker] = f"Yahoo's earnings table was not as expected ({exc})"
        if result.errors and len(result.errors) == len(tickers):
            network = [r for r in result.errors.values() if r.startswith("cannot reach")]
            if len(network) == len(tickers):
                result.unreachable = f"{network[0]}; the stored events are kept"
        return result
