"""The single writer: one lock that every command writing to the store takes.

A PostgreSQL advisory lock, or a file lock beside a SQLite file. A second writer started by
mistake (a worker, a ``fetch`` typed by hand, an ``import-csv``) waits its turn or skips, so two
writers never interleave their transactions.
"""

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from dashboard.errors import StoreUnavailable

_LOCK_KEY = 0x6D696E6572  # "miner"


@contextmanager
def writer_lock(store, wait: bool = True) -> Iterator[bool]:
    """Hold the single-writer lock; yields False (without waiting) when another writer has it."""
    if store.dialect == "postgresql":
        with _postgres_lock(store, wait) as acquired:
            yield acquired
        return
    path = _sqlite_lock_path(store)
    try:
        handle = open(path, "a+")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise StoreUnavailable(f"cannot write to the store: cannot create its lock file {path} "
                               f"({exc.strerror})") from None
    with handle:
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


@contextmanager
def _postgres_lock(store, wait: bool) -> Iterator[bool]:
    with store.engine.connect() as conn:
        if wait:
            conn.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": _LOCK_KEY})
            acquired = True
        else:
            acquired = bool(conn.execute(sa.text("SELECT pg_try_advisory_lock(:k)"),
                                         {"k": _LOCK_KEY}).scalar())
        try:
            yield acquired
        finally:
            if acquired:
                conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": _LOCK_KEY})
                conn.commit()


def _sqlite_lock_path(store) -> Path:
    database = store.engine.url.database
    if not database or database == ":memory:":
        return Path(os.environ.get("TMPDIR", "/tmp")) / f"minerdash-{os.getpid()}.lock"
    return Path(database).with_suffix(".lock")
