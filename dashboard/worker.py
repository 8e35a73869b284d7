"""The single writer: refresh on a schedule and right after the US close, with backoff on failure.

Only one refresh runs at a time across processes: a PostgreSQL advisory lock, or a file lock
next to a SQLite database. A second worker started by mistake waits its turn or skips.
"""

import fcntl
import os
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from dashboard.errors import InputError
from dashboard.events.align import nyse_calendar
from dashboard.refresh import RefreshReport, refresh
from dashboard.store import Store

_LOCK_KEY = 0x6D696E6572  # "miner"
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
    calendar = nyse_calendar()
    moment = pd.Timestamp(now)
    day = pd.Timestamp(moment.tz_convert("America/New_York").date())
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


@contextmanager
def writer_lock(store: Store, wait: bool = True) -> Iterator[bool]:
    """Hold the single-writer lock; yields False (without waiting) when another writer has it."""
    if store.dialect == "postgresql":
        with store.engine.connect() as conn:
            if wait:
                conn.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": _LOCK_KEY})
                acquired = True
            else:
                acquired = conn.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": _LOCK_KEY}).scalar()
            try:
                yield bool(acquired)
            finally:
                if acquired:
                    conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": _LOCK_KEY})
                    conn.commit()
        return
    path = _sqlite_lock_path(store)
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
            acquired = True
        except BlockingIOError:
            acquired = False
        try:
            yield acquired
        finally:
            if acquired:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _sqlite_lock_path(store: Store) -> Path:
    database = store.engine.url.database
    if not database or database == ":memory:":
        return Path(os.environ.get("TMPDIR", "/tmp")) / f"minerdash-{os.getpid()}.lock"
    return Path(database).with_suffix(".lock")


def refresh_locked(store, source, symbols, wait=True, progress=lambda m: None, **kwargs) -> RefreshReport | None:
    """One refresh under the writer lock; None if skipped because another writer holds it."""
    with writer_lock(store, wait=wait) as acquired:
        if not acquired:
            progress("another refresh is running; skipped")
            return None
        return refresh(store, source, symbols, progress=progress, **kwargs)


def run_forever(store, source, symbols, every: timedelta, progress: Callable[[str], None],
                sleep=time.sleep, now=lambda: datetime.now(UTC), max_runs: int | None = None) -> None:
    """Refresh, then sleep until the next interval or close; retry failures with backoff."""
    failures, runs = 0, 0
    while max_runs is None or runs < max_runs:
        report = refresh_locked(store, source, symbols, progress=progress)
        runs += 1
        failures = failures + 1 if report is not None and report.errors else 0
        delay = next_delay(now(), every, failures)
        progress(f"next refresh in {int(delay.total_seconds())} s"
                 + (f" (retry {failures} after failures)" if failures else ""))
        if max_runs is None or runs < max_runs:
            sleep(delay.total_seconds())
