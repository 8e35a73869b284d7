"""Trading calendars: on which days a ticker trades, counted the same way everywhere.

Exchange-listed tickers follow the NYSE (XNYS, early closes included); 24/7 assets such as
``BTC-USD`` trade every calendar day, one UTC-midnight bar a day. Alignment of news, freshness,
statistics windows, data-quality checks and the worker's schedule all ask this module.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import exchange_calendars as xcals
import pandas as pd

NEW_YORK = ZoneInfo("America/New_York")
FIRST_YEAR = 1990
# Quote currencies of 24/7 pairs on Yahoo (BTC-USD, ETH-USDT, BTC-EUR …).
_CONTINUOUS_QUOTES = ("USD", "USDT", "USDC", "EUR", "GBP", "JPY", "BTC", "ETH")


@lru_cache(maxsize=1)
def nyse() -> xcals.ExchangeCalendar:
    """XNYS from 1990 to two years ahead (built once per process)."""
    end = date.today() + timedelta(days=2 * 366)
    return xcals.get_calendar("XNYS", start=f"{FIRST_YEAR}-01-01", end=end.isoformat())


def trades_every_day(ticker: str) -> bool:
    """True for 24/7 pairs such as ``BTC-USD``: a base symbol, '-', a quote currency."""
    base, _, quote = ticker.rpartition("-")
    return bool(base) and quote in _CONTINUOUS_QUOTES


def _as_utc(now: datetime | None) -> pd.Timestamp:
    moment = pd.Timestamp(now or datetime.now(UTC))
    return moment.tz_localize("UTC") if moment.tzinfo is None else moment.tz_convert("UTC")


@dataclass(frozen=True)
class TradingCalendar:
    """The sessions of one kind of ticker. ``name`` is 'XNYS' or '24/7'."""

    name: str

    @property
    def continuous(self) -> bool:
        return self.name == "24/7"

    @property
    def sessions_per_year(self) -> int:
        """252 for exchange-traded, 365 for a 7-day asset: the annualisation factor's square."""
        return 365 if self.continuous else 252

    def sessions(self, start, end) -> pd.DatetimeIndex:
        """Every session from ``start`` to ``end`` inclusive."""
        start, end = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
        if end < start:
            return pd.DatetimeIndex([])
        if self.continuous:
            return pd.date_range(start, end, freq="D")
        first = max(start, pd.Timestamp(f"{FIRST_YEAR}-01-01"))
        return pd.DatetimeIndex(nyse().sessions_in_range(first, end)).tz_localize(None)

    def is_session(self, day) -> bool:
        return self.continuous or bool(nyse().is_session(pd.Timestamp(day).normalize()))

    def next_session(self, day) -> date:
        """The first session strictly after ``day``."""
        day = pd.Timestamp(day).normalize()
        if self.continuous:
            return (day + pd.Timedelta(days=1)).date()
        return nyse().date_to_session(day + pd.Timedelta(days=1), direction="next").date()

    def session_close(self, day) -> pd.Timestamp:
        """When the session of ``day`` ends (UTC): the NYSE close, or the next UTC midnight."""
        day = pd.Timestamp(day).normalize()
        if self.continuous:
            return (day + pd.Timedelta(days=1)).tz_localize("UTC")
        return nyse().session_close(day)

    def last_closed_session(self, now: datetime | None = None) -> date:
        """The most recent session whose close is at or before ``now``."""
        moment = _as_utc(now)
        if self.continuous:
            return (moment.normalize() - pd.Timedelta(days=1)).date()
        return nyse().minute_to_past_session(moment.floor("min")).date()

    def open_session(self, now: datetime | None = None) -> date | None:
        """The session under way at ``now`` (opened, not yet closed), if any."""
        moment = _as_utc(now)
        if self.continuous:
            return moment.tz_localize(None).normalize().date()
        calendar = nyse()
        day = pd.Timestamp(moment.tz_convert(NEW_YORK).date())
        if not calendar.is_session(day):
            return None
        if calendar.session_open(day) <= moment < calendar.session_close(day):
            return day.date()
        return None

    def sessions_behind(self, last_date, now: datetime | None = None) -> int:
        """Closed sessions after ``last_date`` up to ``now`` (0 = up to date)."""
        last_closed = pd.Timestamp(self.last_closed_session(now))
        last = pd.Timestamp(last_date).normalize()
        if last >= last_closed:
            return 0
        return len(self.sessions(last + pd.Timedelta(days=1), last_closed))

    def latest_plausible_date(self, today: date | None = None) -> date:
        """The latest date a bar may carry: the next session after today (clock skew, time zones)."""
        return self.next_session(today or datetime.now(UTC).date())


XNYS = TradingCalendar("XNYS")
EVERY_DAY = TradingCalendar("24/7")


def calendar_for(ticker: str) -> TradingCalendar:
    return EVERY_DAY if trades_every_day(ticker) else XNYS
