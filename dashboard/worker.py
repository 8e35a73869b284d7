"""The worker: refresh on a schedule and right after the US close, with backoff on failure.

It is the single writer in a hosted deployment; every refresh holds ``writer.writer_lock``. After
each refresh it fills the pages' shared cache (``warm_after_refresh``), so the first visitor does
not pay for the new data version.
"""

import re
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pandas as pd

from dashboard.calendars import NEW_YORK, nyse
from dashboard.config import Settings
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


def warm_after_refresh(settings: Settings, cache=None, progress: Callable[[str], None] = lambda m: None) -> None:
    """Compute what every page shares for the current data version into the pages' cache (Redis
    or the cache folder). A failure here is logged and costs the first visitor the wait, nothing more."""
    from dashboard.cached_reads import CachedReads
    from dashboard.viewmodels.overview import warm

    started = time.perf_counter()
    reads = CachedReads(settings, cache=cache)
    try:
        done = warm(reads)
    except Exception as exc:  # noqa: BLE001 - warming is an optimisation; the refresh itself succeeded
        progress(f"cache not warmed: {type(exc).__name__}: {exc}")
        return
    if reads.cache.error:
        progress(f"cache not warmed: the cache is unreachable ({reads.cache.error})")
        return
    progress(f"cache warmed for {done} tickers in {time.perf_counter() - started:.1f} s")


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
                events=None, after: Callable[[], None] = lambda: None) -> None:
    """Refresh, then sleep until the next interval or close; retry failures with backoff.
    ``after`` runs after each refresh that ran (the cache warm-up)."""
    failures, runs = 0, 0
    while max_runs is None or runs < max_runs:
        report = refresh_locked(store, source, symbols, progress=progress, events=events)
        runs += 1
        if report is not None:
            after()
        failures = failures + 1 if report is not None and report.errors else 0
        delay = next_delay(now(), every, failures)
        progress(f"next refresh in {int(delay.total_seconds())} s"
                 + (f" (retry {failures} after failures)" if failures else ""))
        if max_runs is None or runs < max_runs:
            sleep(delay.total_seconds())
