"""How a store's URL becomes an engine: SQLite in WAL mode (or opened read-only, immutable in a
folder nobody may write), PostgreSQL with pre-pinged pools (read-only sessions for readers); and
the one-line reading of a driver's error."""

import sqlite3
import tempfile
from pathlib import Path

import sqlalchemy as sa


def make_engine(url: str, read_only: bool) -> sa.Engine:
    if url.startswith("sqlite"):
        return _sqlite_engine(url, read_only)
    engine = sa.create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)
    if read_only:
        sa.event.listen(engine, "connect", _postgres_read_only)
    return engine


def first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def missing_table(exc: BaseException) -> bool:
    text = str(getattr(exc, "orig", exc)).lower()
    return "no such table" in text or ("relation" in text and "does not exist" in text)


def folder_writable(folder: Path) -> bool:
    """Whether a file can be created in ``folder`` (tried: permissions, read-only mounts and immutable
    folders all count, for root too)."""
    try:
        with tempfile.TemporaryFile(dir=folder):
            return True
    except OSError:
        return False


def _sqlite_engine(url: str, read_only: bool) -> sa.Engine:
    if not read_only:
        engine = sa.create_engine(url, connect_args={"timeout": 30})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    path = sa.engine.make_url(url).database
    # In a folder nobody may write (a read-only volume), SQLite cannot create the shared-memory file
    # a WAL database needs: read it as immutable, which it then is.
    immutable = int(not folder_writable(Path(path).parent))

    def connect():
        # mode=ro: this process can never write, whatever the folder's permissions.
        connection = sqlite3.connect(f"file:{path}?mode=ro&immutable={immutable}", uri=True, timeout=30,
                                     check_same_thread=False)
        connection.execute("PRAGMA busy_timeout=30000")
        return connection

    return sa.create_engine("sqlite://", creator=connect)


def _sqlite_pragmas(dbapi_connection, _record):
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _postgres_read_only(dbapi_connection, _record):
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
    dbapi_connection.commit()
