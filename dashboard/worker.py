"""The worker: refresh on a schedule and right after the US close, with backoff on failure.

It is the single writer in a hosted deployment; every refresh holds ``writer.writer_lock``.
"""

import re
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pandas as pd

from dashboard.calendars import NEW_YORK, nyse
from dashboard.errors import InputError
from dashboard.events.refresh import refresh_events
from dashboard.refresh import RefreshReport, refresh
from dashboard.writer import writer_lock

AFTER_CLOSE = timedelta(minutes=20)  # Yahoo's daily bar settles a few minutes after 16:00
_INTERVAL = re.compile(r"^(\d+)\s*([smhd])$")


def parse_interval(text: str) -> timedelta:
    """'90s', '15m', '1h', '1d' → timedelta (at least one minute, at most a week)."""
    match = _INTERVAL.match(str(text).strip().lower())
    if not match:
        raise InputError(f"interval {text!r} is not like 30m, 1h or 1d")
    value = int(match.group(1))
    delta = timedelta(**{{"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}[match.group(2)]: value})
    if not timedelta(minutes=1) <= delta <= timedelta(days=7):
        raise InputError(f"interval {text!r} must be between 1m and 7d")
    return delta


def next_close_after(now: datetime) -> datetime:
    """The next NYSE close (early closes included) plus a settling margin, after ``now``."""
    calendar = nyse()
    moment = pd.Timestamp(now)
    day = pd.Timestamp(moment.tz_convert(NEW_YORK).date())
    session = day if calendar.is_session(day) else calendar.date_to_session(day, direction="next")
    while calendar.session_close(session) + AFTER_CLOSE <= moment:
        session = calendar.next_session(session)
    return (calendar.session_close(session) + AFTER_CLOSE).to_pydatetime()


def next_delay(now: datetime, every: timedelta, failures: int) -> timedelta:
    """Wait before the next run: the interval, or sooner for the close; backoff after failures.

    After ``failures`` failed runs in a row the wait is 1, 2, 4 … minutes, never above ``every``.
    """
    if failures:
        return min(timedelta(minutes=2 ** (failures - 1)), every)
    until_close = next_close_after(now) - now
    return min(every, until_close)


def refresh_locked(store, source, symbols, wait=True, progress=lambda m: None, events=None,
                   **kwargs) -> RefreshReport | None:
    """One refresh of prices (and, given ``events`` settings, of company events) under the writer
    lock; None if skipped because another writer holds it."""
    with writer_lock(store, wait=wait) as acquired:
        if not acquired:
            progress("another refresh is running; skipped")
            return None
        report = refresh(store, source, symbols, progress=progress, **kwargs)
        if events is not None:  # recorded per source in the store; prices alone decide the backoff
            refresh_events(store, events, [s for s in symbols if s != events.benchmark], progress)
        return report


def run_forever(store, source, symbols, every: timedelta, progress: Callable[[str], None],
                sleep=time.sleep, now=lambda: datetime.now(UTC), max_runs: int | None = None,
                events=None) -> None:
    """Refresh, then sleep until the next interval or close; retry failures with backoff."""
    failures, runs = 0, 0
    while max_runs is None or runs < max_runs:
        report = refresh_locked(store, source, symbols, progress=progress, events=events)
        runs += 1
        failures = failures + 1 if report is not None and report.errors else 0
        delay = next_delay(now(), every, failures)
        progress(f"next refresh in {int(delay.total_seconds())} s"
                 + (f" (retry {failures} after failures)" if failures else ""))
        if max_runs is None or runs < max_runs:
            sleep(delay.total_seconds())
