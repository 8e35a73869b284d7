"""The store: every query of the database, over SQLAlchemy Core, on SQLite and PostgreSQL alike.

Writers create and migrate the schema on first use; readers only check it and say what to run
when it is missing. Every write is one transaction, so a rejected or interrupted import leaves
what was stored before. A database that cannot be reached, or has lost its tables, raises
``StoreUnavailable`` with a sentence saying so, never a driver traceback.
"""

import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from dashboard.bar_changes import (
    SHOWN_CHANGED_DATES,
    WriteReport,
    bar_frame,
    kept_fields,
    new_and_changed,
    records,
    update_groups,
)
from dashboard.bars import VALUE_FIELDS
from dashboard.errors import StoreNotReady, StoreUnavailable
from dashboard.price_columns import read_packed, reconcile, repack
from dashboard.schema import (
    MIGRATIONS,
    SCHEMA_VERSION,
    actions,
    as_utc,
    metadata,
    prices,
    schema_info,
    tickers,
    utcnow,
)
from dashboard.store_engine import first_line, make_engine, missing_table, upsert
from dashboard.store_events import EventQueries
from dashboard.store_runs import RunQueries

_SCHEMA_LOCK = 0x6D64736368  # "mdsch"
STATUS_COLUMNS = ["ticker", "first_date", "last_date", "rows", "source", "fetched_at", "last_error"]
WRITES_KEY = "writes"  # schema_info row counting committed write transactions


class Store(EventQueries, RunQueries):
    """All reads and writes of stored data. Build one per process and share it."""

    def __init__(self, url: str, read_only: bool = False):
        self.url = url
        self.read_only = read_only
        self.engine = make_engine(url, read_only)
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
            if missing_table(exc) or self._missing_file():
                raise StoreNotReady(f"the store {self!r} has no tables yet: run `minerdash init-db`, "
                                    "or load prices with `minerdash fetch`") from None
            raise StoreUnavailable(f"cannot reach the store {self!r}: {first_line(exc)}") from None

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
            stored = conn.execute(
                sa.select(schema_info.c.value).where(schema_info.c.key == "version")).scalar_one_or_none()
        if stored is None:
            raise StoreNotReady(f"the store {self!r} is being created (its tables have no version yet): "
                                "try again in a moment, or run `minerdash init-db`")
        version = int(stored)
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
                    raise StoreUnavailable(f"cannot open the store {self!r}: {first_line(exc)}") from None
                time.sleep(0.2 * (attempt + 1))
        self._created = self._checked = True
        return SCHEMA_VERSION

    def _create_schema(self, conn: sa.Connection) -> None:
        if self.dialect == "postgresql":  # serialize concurrent first uses of one database
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK})
        stored = None
        if sa.inspect(conn).has_table("schema_info"):
            # No version row yet: another process is creating the store (SQLite commits each CREATE
            # TABLE at once) or a creation was cut short. Either way, finish creating it.
            stored = conn.execute(sa.select(schema_info.c.value)
                                  .where(schema_info.c.key == "version")).scalar_one_or_none()
        if stored is not None:
            version = int(stored)
            if version > SCHEMA_VERSION:
                raise StoreNotReady(f"the store has schema version {version}, newer than this "
                                    f"minerdash ({SCHEMA_VERSION}); upgrade minerdash")
            for step in range(version, SCHEMA_VERSION):
                MIGRATIONS[step](conn)
        metadata.create_all(conn, checkfirst=True)
        reconcile(conn)
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
        return upsert(self.dialect, table, keys, columns)

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
        incoming = bar_frame(bars)
        report = WriteReport(ticker, dry_run=dry_run)
        if not incoming.empty:
            report.span = (incoming["date"].min(), incoming["date"].max())
        if incoming.empty and not claim_source:
            return report
        context = self.reading() if dry_run else self.writing()
        with context as conn:
            stored = self._stored_bars(conn, ticker, incoming)
            new, changed = new_and_changed(incoming, stored, given)
            report.added, report.changed = len(new), len(changed)
            report.unchanged = len(incoming) - len(new) - len(changed)
            report.changed_dates = [d.date() for d in changed["date"].iloc[:SHOWN_CHANGED_DATES]]
            report.kept_fields = kept_fields(stored, given)
            if dry_run:
                return report
            if not new.empty:
                conn.execute(self._upsert(prices, ["ticker", "date"]), records(ticker, new, VALUE_FIELDS))
            if not changed.empty:
                for fields_set, rows in update_groups(changed, stored, given):
                    conn.execute(
                        prices.update()
                        .where(prices.c.ticker == sa.bindparam("k_ticker"))
                        .where(prices.c.date == sa.bindparam("k_date"))
                        .values({f: sa.bindparam(f"v_{f}") for f in [*fields_set, "partial"]}),
                        [{"k_ticker": ticker, "k_date": r["date"],
                          **{f"v_{k}": v for k, v in r.items() if k not in ("ticker", "date")}}
                         for r in records(ticker, rows, fields_set)],
                    )
            if not new.empty or not changed.empty:
                repack(conn, ticker)
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

        Partial bars (a session still open when stored) are left out unless asked for. Read from
        the packed copy of each ticker's bars (``price_columns``), which the writer keeps equal to
        the rows.
        """
        with self.reading() as conn:
            return read_packed(conn, symbols, start, end, include_partial)

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

    def dispose(self) -> None:
        self.engine.dispose()


def _as_date(value) -> date | None:
    if value is None:
        return None
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value if not isinstance(value, datetime) else value.date()
