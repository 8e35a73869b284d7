"""The store: every query of the database, over SQLAlchemy Core, on SQLite and PostgreSQL alike.

Writers create and migrate the schema on first use; readers only check it and say what to run
when it is missing. Every write is one transaction, so a rejected or interrupted import leaves
what was stored before. A database that cannot be reached, or has lost its tables, raises
``StoreUnavailable`` with a sentence saying so, never a driver traceback.
"""

import gc
import json
import math
import sqlite3
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from dashboard.bars import BAR_COLUMNS, PRICE_FIELDS, VALUE_FIELDS
from dashboard.errors import StoreNotReady, StoreUnavailable
from dashboard.schema import (
    MIGRATIONS,
    SCHEMA_VERSION,
    actions,
    as_utc,
    metadata,
    prices,
    refresh_runs,
    schema_info,
    tickers,
    utcnow,
)
from dashboard.store_events import EventQueries

_SCHEMA_LOCK = 0x6D64736368  # "mdsch"
STATUS_COLUMNS = ["ticker", "first_date", "last_date", "rows", "source", "fetched_at", "last_error"]
_SHOWN_CHANGED_DATES = 5


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _missing_table(exc: BaseException) -> bool:
    text = str(getattr(exc, "orig", exc)).lower()
    return "no such table" in text or ("relation" in text and "does not exist" in text)


@dataclass
class WriteReport:
    """What one ticker's write did: rows added, changed, unchanged, and what it left alone."""

    ticker: str
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    changed_dates: list[date] = field(default_factory=list)
    kept_fields: list[str] = field(default_factory=list)
    dry_run: bool = False
    span: tuple | None = None  # (first, last) date given

    def describe(self) -> str:
        """``MARA\t3 rows added\t1 changed\t5 unchanged`` (+ first changed dates, kept fields)."""
        text = f"{self.ticker}\t{self.added} rows added\t{self.changed} changed\t{self.unchanged} unchanged"
        if self.changed_dates:
            more = "…" if self.changed > len(self.changed_dates) else ""
            text += "\tfirst changed: " + ", ".join(d.isoformat() for d in self.changed_dates) + more
        if self.kept_fields:
            text += f"\tkept stored {', '.join(self.kept_fields)} (not in the source)"
        if self.dry_run:
            text += "\t(dry run: nothing written)"
        return text



WRITES_KEY = "writes"  # schema_info row counting committed write transactions


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Hold Python's cyclic garbage collector while hundreds of thousands of row tuples are made:
    none of them can form a cycle, and the collections they trigger cost a third of a large read."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()

class Store(EventQueries):
    """All reads and writes of stored data. Build one per process and share it."""

    def __init__(self, url: str, read_only: bool = False):
        self.url = url
        self.read_only = read_only
        if url.startswith("sqlite"):
            self.engine = _sqlite_engine(url, read_only)
        else:
            self.engine = sa.create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)
            if read_only:
                sa.event.listen(self.engine, "connect", _postgres_read_only)
        self._checked = False
        self._created = False

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def __repr__(self) -> str:
        return f"Store({self.engine.url.render_as_string(hide_password=True)})"

    # -- connections ----------------------------------------------------------------------

    @contextmanager
    def _translated(self) -> Iterator[None]:
        try:
            yield
        except (sa.exc.OperationalError, sa.exc.ProgrammingError, sa.exc.InterfaceError) as exc:
            self._checked = self._created = False
            if _missing_table(exc) or self._missing_file():
                raise StoreNotReady(f"the store {self!r} has no tables yet: run `minerdash init-db`, "
                                    "or load prices with `minerdash fetch`") from None
            raise StoreUnavailable(f"cannot reach the store {self!r}: {_first_line(exc)}") from None

    def _missing_file(self) -> bool:
        """A SQLite store whose file does not exist yet: empty, not unreachable."""
        if self.dialect != "sqlite":
            return False
        path = self.url.split("?")[0].removeprefix("sqlite:///")
        return bool(path) and path != ":memory:" and not Path(path).exists()

    @contextmanager
    def reading(self) -> Iterator[sa.Connection]:
        """A connection for reads, after checking (once) that the schema is there."""
        with self._translated():
            if not self._checked:
                self.check_schema()
            with self.engine.connect() as conn:
                yield conn

    @contextmanager
    def writing(self) -> Iterator[sa.Connection]:
        """One transaction for writes, creating or migrating the schema on first use. Each one
        that commits also counts itself in ``schema_info`` (``data_version`` reads the count)."""
        if self.read_only:
            raise StoreUnavailable(f"the store {self!r} is open read-only")
        with self._translated():
            if not self._created:
                self.create_or_migrate()
            with self.engine.begin() as conn:
                yield conn
                self._count_write(conn)

    def _count_write(self, conn: sa.Connection) -> None:
        counted = conn.execute(
            sa.update(schema_info).where(schema_info.c.key == WRITES_KEY)
            .values(value=sa.cast(sa.cast(schema_info.c.value, sa.BigInteger) + 1, sa.String))).rowcount
        if not counted:
            conn.execute(self._upsert(schema_info, ["key"]), [{"key": WRITES_KEY, "value": "1"}])

    # -- schema ---------------------------------------------------------------------------

    def check_schema(self) -> int:
        """The schema version, or StoreNotReady saying what to run (readers never create)."""
        with self._translated(), self.engine.connect() as conn:
            if not sa.inspect(conn).has_table("schema_info"):
                raise StoreNotReady(f"the store {self!r} has no tables yet: run `minerdash init-db`, "
                                    "or load prices with `minerdash fetch`")
            version = int(conn.execute(
                sa.select(schema_info.c.value).where(schema_info.c.key == "version")).scalar_one())
        if version > SCHEMA_VERSION:
            raise StoreNotReady(f"the store has schema version {version}, newer than this minerdash "
                                f"({SCHEMA_VERSION}); upgrade minerdash")
        if version < SCHEMA_VERSION:
            raise StoreNotReady(f"the store has schema version {version}; run `minerdash init-db` "
                                f"to migrate it to version {SCHEMA_VERSION}")
        self._checked = True
        return version

    def create_or_migrate(self) -> int:
        """Create the tables on first use and migrate older versions; returns the version."""
        if self._created:
            return SCHEMA_VERSION
        for attempt in range(5):
            try:
                with self.engine.begin() as conn:
                    self._create_schema(conn)
                break
            except (sa.exc.OperationalError, sa.exc.IntegrityError, sa.exc.ProgrammingError) as exc:
                # Two processes creating a new store at once: the loser sees "already exists"
                # or a lock; the schema is there (or will be) on the next try.
                if attempt == 4:
                    raise StoreUnavailable(f"cannot open the store {self!r}: {_first_line(exc)}") from None
                time.sleep(0.2 * (attempt + 1))
        self._created = self._checked = True
        return SCHEMA_VERSION

    def _create_schema(self, conn: sa.Connection) -> None:
        if self.dialect == "postgresql":  # serialize concurrent first uses of one database
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK})
        existing = sa.inspect(conn).has_table("schema_info")
        version = SCHEMA_VERSION
        if existing:
            version = int(conn.execute(sa.select(schema_info.c.value)
                                       .where(schema_info.c.key == "version")).scalar_one())
            if version > SCHEMA_VERSION:
                raise StoreNotReady(f"the store has schema version {version}, newer than this "
                                    f"minerdash ({SCHEMA_VERSION}); upgrade minerdash")
            for step in range(version, SCHEMA_VERSION):
                MIGRATIONS[step](conn)
        metadata.create_all(conn, checkfirst=True)
        conn.execute(self._upsert(schema_info, ["key"]),
                     [{"key": "version", "value": str(SCHEMA_VERSION)}])

    def schema_version(self) -> int:
        return self.check_schema()

    def ping(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
            return True
        except sa.exc.SQLAlchemyError:
            return False

    def _upsert(self, table: sa.Table, keys: list[str], columns: list[str] | None = None):
        """INSERT … ON CONFLICT DO UPDATE of ``columns`` (default: every non-key column)."""
        insert = postgresql.insert if self.dialect == "postgresql" else sqlite.insert
        stmt = insert(table)
        names = columns or [c.name for c in table.columns if c.name not in keys]
        updates = {name: stmt.excluded[name] for name in names}
        if not updates:
            return stmt.on_conflict_do_nothing(index_elements=keys)
        return stmt.on_conflict_do_update(index_elements=keys, set_=updates)

    # -- price writes ---------------------------------------------------------------------

    def write_bars(
        self,
        ticker: str,
        bars: pd.DataFrame,
        source: str,
        corporate_actions: pd.DataFrame | None = None,
        fields: Iterable[str] | None = None,
        dry_run: bool = False,
        claim_source: bool = True,
    ) -> WriteReport:
        """Upsert one ticker's bars (and actions) in one transaction.

        ``fields`` are the value fields the source really carries (default: all): stored rows are
        updated only in those, so a close-only file never erases a stored open or volume; new rows
        get what the frame has. A ``partial`` column marks bars of a session still open. With
        ``dry_run`` nothing is written and the report says what would change.
        """
        given = [f for f in VALUE_FIELDS if fields is None or f in set(fields)]
        incoming = _bar_frame(bars)
        report = WriteReport(ticker, dry_run=dry_run)
        if not incoming.empty:
            report.span = (incoming["date"].min(), incoming["date"].max())
        if incoming.empty and not claim_source:
            return report
        context = self.reading() if dry_run else self.writing()
        with context as conn:
            stored = self._stored_bars(conn, ticker, incoming)
            new, changed = _diff(incoming, stored, given)
            report.added, report.changed = len(new), len(changed)
            report.unchanged = len(incoming) - len(new) - len(changed)
            report.changed_dates = [d.date() for d in changed["date"].iloc[:_SHOWN_CHANGED_DATES]]
            report.kept_fields = [f for f in VALUE_FIELDS if f not in given and stored[f].notna().any()
                                  and not (f == "adj_close" and "close" in given and _derived(stored).all())]
            if dry_run:
                return report
            if not new.empty:
                conn.execute(self._upsert(prices, ["ticker", "date"]), _records(ticker, new, VALUE_FIELDS))
            if not changed.empty:
                for fields_set, rows in _update_groups(changed, stored, given):
                    conn.execute(
                        prices.update()
                        .where(prices.c.ticker == sa.bindparam("k_ticker"))
                        .where(prices.c.date == sa.bindparam("k_date"))
                        .values({f: sa.bindparam(f"v_{f}") for f in [*fields_set, "partial"]}),
                        [{"k_ticker": ticker, "k_date": r["date"],
                          **{f"v_{k}": v for k, v in r.items() if k not in ("ticker", "date")}}
                         for r in _records(ticker, rows, fields_set)],
                    )
            if corporate_actions is not None and not corporate_actions.empty:
                conn.execute(self._upsert(actions, ["ticker", "date", "kind"]), [
                    {"ticker": ticker, "date": pd.Timestamp(r.date).date(), "kind": r.kind,
                     "value": float(r.value)} for r in corporate_actions.itertuples(index=False)])
            if claim_source:
                conn.execute(self._upsert(tickers, ["ticker"]), [
                    {"ticker": ticker, "source": source, "fetched_at": utcnow(),
                     "last_error": None, "last_error_at": None}])
        return report

    def _stored_bars(self, conn, ticker: str, incoming: pd.DataFrame) -> pd.DataFrame:
        if incoming.empty:
            return pd.DataFrame(columns=["date", *VALUE_FIELDS, "partial"])
        query = (sa.select(prices.c.date, *[prices.c[f] for f in VALUE_FIELDS], prices.c.partial)
                 .where(prices.c.ticker == ticker)
                 .where(prices.c.date.between(incoming["date"].min().date(),
                                              incoming["date"].max().date())))
        stored = pd.DataFrame([tuple(r) for r in conn.execute(query)],
                              columns=["date", *VALUE_FIELDS, "partial"])
        stored["date"] = pd.to_datetime(stored["date"])
        for name in VALUE_FIELDS:
            stored[name] = stored[name].astype("float64")
        stored["partial"] = stored["partial"].astype(bool)
        return stored

    def record_error(self, ticker: str, message: str) -> None:
        """Remember a failed fetch without touching the ticker's stored bars."""
        with self.writing() as conn:
            conn.execute(self._upsert(tickers, ["ticker"], ["last_error", "last_error_at"]),
                         [{"ticker": ticker, "last_error": message, "last_error_at": utcnow()}])

    def start_run(self) -> int:
        with self.writing() as conn:
            result = conn.execute(refresh_runs.insert().values(started_at=utcnow(), status="running"))
            return result.inserted_primary_key[0]

    def finish_run(self, run_id: int, rows_added: dict[str, int], errors: dict[str, str]) -> None:
        status = "ok" if not errors else ("failed" if not rows_added else "partial")
        with self.writing() as conn:
            conn.execute(refresh_runs.update().where(refresh_runs.c.id == run_id).values(
                finished_at=utcnow(), status=status,
                rows_added=json.dumps(rows_added, sort_keys=True),
                errors=json.dumps(errors, sort_keys=True)))

    # -- price reads ----------------------------------------------------------------------

    def stored_tickers(self) -> list[str]:
        with self.reading() as conn:
            return list(conn.execute(
                sa.select(prices.c.ticker).distinct().order_by(prices.c.ticker)).scalars())

    def last_dates(self, symbols: Iterable[str] | None = None) -> dict[str, date]:
        query = sa.select(prices.c.ticker, sa.func.max(prices.c.date)).group_by(prices.c.ticker)
        if symbols is not None:
            query = query.where(prices.c.ticker.in_(list(symbols)))
        with self.reading() as conn:
            return {t: _as_date(d) for t, d in conn.execute(query).all()}

    def read_prices(
        self,
        symbols: Iterable[str] | None = None,
        start: date | None = None,
        end: date | None = None,
        include_partial: bool = False,
    ) -> pd.DataFrame:
        """Long frame with BAR_COLUMNS (date as datetime64), sorted by ticker then date.

        Partial bars (a session still open when stored) are left out unless asked for.
        """
        # Dates come back as ISO text from both backends and are parsed once, vectorized, below.
        columns = [sa.cast(prices.c.date, sa.String).label("date")] + [prices.c[c] for c in BAR_COLUMNS[1:]]
        query = sa.select(*columns)
        if symbols is not None:
            query = query.where(prices.c.ticker.in_(list(symbols)))
        if start is not None:
            query = query.where(prices.c.date >= start)
        if end is not None:
            query = query.where(prices.c.date <= end)
        if not include_partial:
            query = query.where(prices.c.partial.is_(False))
        query = query.order_by(prices.c.ticker, prices.c.date)
        with self.reading() as conn, _collector_paused():
            # The driver's own tuples: the selected types (text, float, integer) need no result
            # processing, and building a Row per bar costs more than the read itself.
            rows = conn.execute(query).cursor.fetchall()
            table = np.array(rows, dtype=object) if rows else np.empty((0, len(BAR_COLUMNS)), dtype=object)
        return pd.DataFrame({
            "date": pd.to_datetime(table[:, 0], format="%Y-%m-%d"),
            "ticker": pd.Series(table[:, 1], dtype="str"),
            **{c: table[:, i].astype("float64") for i, c in enumerate(PRICE_FIELDS, start=2)},
            "volume": pd.array(table[:, -1], dtype="Int64"),
        })

    def read_partial_bars(self) -> pd.DataFrame:
        """Bars stored while their session was open: ticker, date, close."""
        with self.reading() as conn:
            rows = conn.execute(sa.select(prices.c.ticker, prices.c.date, prices.c.close)
                                .where(prices.c.partial.is_(True))).all()
        frame = pd.DataFrame(rows, columns=["ticker", "date", "close"])
        frame["date"] = pd.to_datetime(frame["date"])
        return frame

    def read_actions(self, symbols: Iterable[str] | None = None) -> pd.DataFrame:
        """Frame ticker, date, kind ('split' or 'dividend'), value."""
        query = sa.select(actions).order_by(actions.c.ticker, actions.c.date)
        if symbols is not None:
            query = query.where(actions.c.ticker.in_(list(symbols)))
        with self.reading() as conn:
            rows = conn.execute(query).all()
        frame = pd.DataFrame(rows, columns=["ticker", "date", "kind", "value"])
        frame["date"] = pd.to_datetime(frame["date"])
        return frame

    def status(self) -> pd.DataFrame:
        """Per ticker: first/last date, rows, source, fetched_at (UTC), last error (+ its time)."""
        spans = (sa.select(prices.c.ticker, sa.func.min(prices.c.date).label("first_date"),
                           sa.func.max(prices.c.date).label("last_date"),
                           sa.func.count().label("rows"))
                 .where(prices.c.partial.is_(False)).group_by(prices.c.ticker).subquery())
        with self.reading() as conn:
            span_rows = {r.ticker: r for r in conn.execute(sa.select(spans)).all()}
            state_rows = {r.ticker: r for r in conn.execute(sa.select(tickers)).all()}
        records = []
        for symbol in sorted(set(span_rows) | set(state_rows)):
            span, state = span_rows.get(symbol), state_rows.get(symbol)
            records.append({
                "ticker": symbol,
                "first_date": _as_date(span.first_date) if span else None,
                "last_date": _as_date(span.last_date) if span else None,
                "rows": span.rows if span else 0,
                "source": state.source if state else None,
                "fetched_at": as_utc(state.fetched_at) if state else None,
                "last_error": state.last_error if state else None,
                "last_error_at": as_utc(state.last_error_at) if state else None,
            })
        frame = pd.DataFrame(records, columns=STATUS_COLUMNS + ["last_error_at"], dtype=object)
        return frame.where(frame.notna(), None)

    def data_version(self) -> str:
        """Changes with every committed write: a fetch, an import, a recorded error, a refresh run,
        an event (timestamps alone are to the second, and two writes can share one)."""
        with self.reading() as conn:  # one small read: it is made on every request
            count = conn.execute(sa.select(schema_info.c.value).where(schema_info.c.key == WRITES_KEY)).scalar()
        return f"writes:{count or 0}"

    def runs(self, limit: int = 20) -> list[dict]:
        """Most recent refresh runs first."""
        with self.reading() as conn:
            rows = conn.execute(sa.select(refresh_runs).order_by(refresh_runs.c.id.desc())
                                .limit(limit)).all()
        return [_run(r) for r in rows]

    def last_successful_run(self) -> dict | None:
        with self.reading() as conn:
            row = conn.execute(sa.select(refresh_runs)
                               .where(refresh_runs.c.status.in_(["ok", "partial"]))
                               .order_by(refresh_runs.c.id.desc()).limit(1)).first()
        return _run(row) if row is not None else None

    def dispose(self) -> None:
        self.engine.dispose()


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


def _as_date(value) -> date | None:
    if value is None:
        return None
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value if not isinstance(value, datetime) else value.date()


def _run(row) -> dict:
    return {"id": row.id, "started_at": as_utc(row.started_at), "finished_at": as_utc(row.finished_at),
            "status": row.status,
            "rows_added": json.loads(row.rows_added) if row.rows_added else {},
            "errors": json.loads(row.errors) if row.errors else {}}


def _bar_frame(bars: pd.DataFrame) -> pd.DataFrame:
    """``bars`` with every value field (NaN where absent), a boolean ``partial``, sorted by date."""
    frame = pd.DataFrame({"date": pd.to_datetime(bars["date"]).dt.normalize()})
    for name in VALUE_FIELDS:
        frame[name] = bars[name].astype("float64").to_numpy() if name in bars.columns else np.nan
    frame["partial"] = bars["partial"].astype(bool).to_numpy() if "partial" in bars.columns else False
    return frame.sort_values("date", kind="stable").reset_index(drop=True)


def _diff(incoming: pd.DataFrame, stored: pd.DataFrame, given: list[str]):
    """Rows of ``incoming`` not stored yet, and stored rows whose given fields differ."""
    merged = incoming.merge(stored, on="date", how="left", suffixes=("", "_stored"), indicator=True)
    is_new = (merged["_merge"] == "left_only").to_numpy()
    differs = np.zeros(len(merged), dtype=bool)
    for name in [*given, "partial"]:
        a = merged[name].to_numpy("float64")
        b = merged[f"{name}_stored"].to_numpy("float64")
        differs |= ~((a == b) | (np.isnan(a) & np.isnan(b)))
    return incoming[is_new], incoming[~is_new & differs]


def _derived(stored: pd.DataFrame) -> pd.Series:
    """Stored rows whose adjusted close is the close itself (a source without adjustments)."""
    return (stored["adj_close"] == stored["close"]) | stored["adj_close"].isna()


def _update_groups(changed: pd.DataFrame, stored: pd.DataFrame, given: list[str]):
    """The changed rows in groups of the fields to update. Without an adjusted close of its own, a
    source's new close also replaces an adjusted close that was the old close, never a real one."""
    if "adj_close" in given or "close" not in given:
        return [(given, changed)]
    derived_dates = set(stored.loc[_derived(stored), "date"])
    follows = changed["date"].isin(derived_dates).to_numpy()
    groups = [([*given, "adj_close"], changed[follows].assign(adj_close=changed.loc[follows, "close"])),
              (given, changed[~follows])]
    return [(fields, rows) for fields, rows in groups if not rows.empty]


def _records(ticker: str, frame: pd.DataFrame, fields: list[str]) -> list[dict]:
    records = []
    columns = {name: frame[name].to_numpy() for name in fields}
    partial = frame["partial"].to_numpy()
    for i, day in enumerate(frame["date"]):
        record = {"ticker": ticker, "date": day.date(), "partial": bool(partial[i])}
        for name in fields:
            value = float(columns[name][i])
            if math.isnan(value):
                record[name] = None
            else:
                record[name] = int(value) if name == "volume" else value
        records.append(record)
    return records
