"""The price store: daily bars, corporate actions and per-ticker fetch state over SQLAlchemy Core.

One code path for SQLite (the default file) and PostgreSQL (hosted). Every write is one
transaction of upserts, so a rejected or interrupted import leaves what was stored before, and
writing the same rows twice changes nothing.
"""

import json
import math
import time
from collections.abc import Iterable
from datetime import UTC, date, datetime

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from dashboard.errors import StoreUnavailable
from dashboard.schema import (
    SCHEMA_VERSION,
    actions,
    metadata,
    prices,
    refresh_runs,
    schema_info,
    tickers,
)

BAR_COLUMNS = ["date", "ticker", "open", "high", "low", "close", "adj_close", "volume"]
PRICE_FIELDS = ["open", "high", "low", "close", "adj_close"]

_SCHEMA_LOCK = 0x6D64736368  # "mdsch"

STATUS_COLUMNS = ["ticker", "first_date", "last_date", "rows", "source", "fetched_at", "last_error"]


def utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _as_utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every timestamp we write is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def _clean(value):
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if pd.isna(value):
        return None
    return value


def _sqlite_pragmas(dbapi_connection, _record):
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class Store:
    """All reads and writes of stored market data. Build one per process and share it."""

    def __init__(self, url: str):
        self.url = url
        if url.startswith("sqlite"):
            self.engine = sa.create_engine(url, connect_args={"timeout": 30})
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        else:
            self.engine = sa.create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)
        self._schema_ready = False

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def __repr__(self) -> str:
        return f"Store({self.engine.url.render_as_string(hide_password=True)})"

    # -- schema -------------------------------------------------------------------------

    def ensure_schema(self) -> int:
        """Create the tables on first use and migrate older versions; returns the version."""
        if self._schema_ready:
            return SCHEMA_VERSION
        for attempt in range(5):
            try:
                self._create_schema()
                break
            except (sa.exc.OperationalError, sa.exc.IntegrityError, sa.exc.ProgrammingError) as exc:
                # Two processes creating a new store at once: the loser sees "already exists"
                # or a lock; the schema is there (or will be) on the next try.
                if attempt == 4:
                    raise StoreUnavailable(f"cannot open the store {self!r}: {exc.orig}") from exc
                time.sleep(0.2 * (attempt + 1))
        self._schema_ready = True
        return SCHEMA_VERSION

    def _create_schema(self) -> None:
        with self.engine.begin() as conn:
            if self.dialect == "postgresql":  # serialize concurrent first uses of one database
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK})
            metadata.create_all(conn, checkfirst=True)
            row = conn.execute(
                sa.select(schema_info.c.value).where(schema_info.c.key == "version")
            ).first()
            if row is None:
                conn.execute(
                    self._upsert(schema_info, ["key"]),
                    [{"key": "version", "value": str(SCHEMA_VERSION)}],
                )
            elif int(row.value) > SCHEMA_VERSION:
                raise StoreUnavailable(
                    f"the store has schema version {row.value}, newer than this "
                    f"minerdash ({SCHEMA_VERSION}); upgrade minerdash"
                )

    def schema_version(self) -> int:
        self.ensure_schema()
        with self.engine.connect() as conn:
            return int(
                conn.execute(
                    sa.select(schema_info.c.value).where(schema_info.c.key == "version")
                ).scalar_one()
            )

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

    # -- writes -------------------------------------------------------------------------

    def write_bars(
        self,
        ticker: str,
        bars: pd.DataFrame,
        source: str,
        corporate_actions: pd.DataFrame | None = None,
    ) -> int:
        """Upsert one ticker's bars (and actions) in one transaction; returns dates not stored before.

        ``bars`` has a ``date`` column and the price fields; missing fields are stored as NULL.
        """
        self.ensure_schema()
        rows = _bar_records(ticker, bars)
        with self.engine.begin() as conn:
            added = 0
            if rows:
                dates = [r["date"] for r in rows]
                in_range = (
                    sa.select(sa.func.count())
                    .select_from(prices)
                    .where(prices.c.ticker == ticker)
                    .where(prices.c.date.between(min(dates), max(dates)))
                )
                before = conn.execute(in_range).scalar_one()
                conn.execute(self._upsert(prices, ["ticker", "date"]), rows)
                added = conn.execute(in_range).scalar_one() - before
            if corporate_actions is not None and not corporate_actions.empty:
                conn.execute(
                    self._upsert(actions, ["ticker", "date", "kind"]),
                    [
                        {
                            "ticker": ticker,
                            "date": pd.Timestamp(r.date).date(),
                            "kind": r.kind,
                            "value": float(r.value),
                        }
                        for r in corporate_actions.itertuples(index=False)
                    ],
                )
            conn.execute(
                self._upsert(tickers, ["ticker"]),
                [
                    {
                        "ticker": ticker,
                        "source": source,
                        "fetched_at": utcnow(),
                        "last_error": None,
                        "last_error_at": None,
                    }
                ],
            )
        return added

    def record_error(self, ticker: str, message: str) -> None:
        """Remember a failed fetch without touching the ticker's stored bars."""
        self.ensure_schema()
        with self.engine.begin() as conn:
            conn.execute(
                self._upsert(tickers, ["ticker"], ["last_error", "last_error_at"]),
                [{"ticker": ticker, "last_error": message, "last_error_at": utcnow()}],
            )

    def start_run(self) -> int:
        self.ensure_schema()
        with self.engine.begin() as conn:
            result = conn.execute(
                refresh_runs.insert().values(started_at=utcnow(), status="running")
            )
            return result.inserted_primary_key[0]

    def finish_run(self, run_id: int, rows_added: dict[str, int], errors: dict[str, str]) -> None:
        status = "ok" if not errors else ("failed" if not rows_added else "partial")
        with self.engine.begin() as conn:
            conn.execute(
                refresh_runs.update()
                .where(refresh_runs.c.id == run_id)
                .values(
                    finished_at=utcnow(),
                    status=status,
                    rows_added=json.dumps(rows_added, sort_keys=True),
                    errors=json.dumps(errors, sort_keys=True),
                )
            )

    # -- reads --------------------------------------------------------------------------

    def stored_tickers(self) -> list[str]:
        self.ensure_schema()
        with self.engine.connect() as conn:
            return list(
                conn.execute(sa.select(prices.c.ticker).distinct().order_by(prices.c.ticker))
                .scalars()
                .all()
            )

    def last_dates(self, symbols: Iterable[str] | None = None) -> dict[str, date]:
        self.ensure_schema()
        query = sa.select(prices.c.ticker, sa.func.max(prices.c.date)).group_by(prices.c.ticker)
        if symbols is not None:
            query = query.where(prices.c.ticker.in_(list(symbols)))
        with self.engine.connect() as conn:
            return {t: d for t, d in conn.execute(query).all()}

    def read_prices(
        self,
        symbols: Iterable[str] | None = None,
        start: date | None = None,
        end: date | None = None,
    ) -> pd.DataFrame:
        """Long frame with BAR_COLUMNS (date as datetime64), sorted by ticker then date."""
        self.ensure_schema()
        # Dates come back raw (ISO text on SQLite) and are parsed once, vectorized, below.
        columns = [sa.type_coerce(prices.c.date, sa.String).label("date")] + [
            prices.c[c] for c in BAR_COLUMNS[1:]
        ]
        query = sa.select(*columns)
        if symbols is not None:
            query = query.where(prices.c.ticker.in_(list(symbols)))
        if start is not None:
            query = query.where(prices.c.date >= start)
        if end is not None:
            query = query.where(prices.c.date <= end)
        query = query.order_by(prices.c.ticker, prices.c.date)
        with self.engine.connect() as conn:
            rows = [tuple(row) for row in conn.execute(query)]
        frame = pd.DataFrame.from_records(rows, columns=BAR_COLUMNS)
        frame["date"] = pd.to_datetime(frame["date"])
        for column in PRICE_FIELDS:
            frame[column] = frame[column].astype("float64")
        frame["volume"] = frame["volume"].astype("Int64")
        return frame

    def read_actions(self, symbols: Iterable[str] | None = None) -> pd.DataFrame:
        """Frame ticker, date, kind ('split' or 'dividend'), value."""
        self.ensure_schema()
        query = sa.select(actions).order_by(actions.c.ticker, actions.c.date)
        if symbols is not None:
            query = query.where(actions.c.ticker.in_(list(symbols)))
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        frame = pd.DataFrame(rows, columns=["ticker", "date", "kind", "value"])
        frame["date"] = pd.to_datetime(frame["date"])
        return frame

    def status(self) -> pd.DataFrame:
        """Per ticker: first/last date, rows, source, fetched_at (UTC), last error."""
        self.ensure_schema()
        spans = (
            sa.select(
                prices.c.ticker,
                sa.func.min(prices.c.date).label("first_date"),
                sa.func.max(prices.c.date).label("last_date"),
                sa.func.count().label("rows"),
            )
            .group_by(prices.c.ticker)
            .subquery()
        )
        with self.engine.connect() as conn:
            span_rows = {r.ticker: r for r in conn.execute(sa.select(spans)).all()}
            state_rows = {r.ticker: r for r in conn.execute(sa.select(tickers)).all()}
        records = []
        for symbol in sorted(set(span_rows) | set(state_rows)):
            span, state = span_rows.get(symbol), state_rows.get(symbol)
            records.append(
                {
                    "ticker": symbol,
                    "first_date": span.first_date if span else None,
                    "last_date": span.last_date if span else None,
                    "rows": span.rows if span else 0,
                    "source": state.source if state else None,
                    "fetched_at": _as_utc(state.fetched_at) if state else None,
                    "last_error": state.last_error if state else None,
                    "last_error_at": _as_utc(state.last_error_at) if state else None,
                }
            )
        frame = pd.DataFrame(records, columns=STATUS_COLUMNS + ["last_error_at"], dtype=object)
        return frame.where(frame.notna(), None)

    def runs(self, limit: int = 20) -> list[dict]:
        """Most recent refresh runs first."""
        self.ensure_schema()
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(refresh_runs).order_by(refresh_runs.c.id.desc()).limit(limit)
            ).all()
        return [
            {
                "id": r.id,
                "started_at": _as_utc(r.started_at),
                "finished_at": _as_utc(r.finished_at),
                "status": r.status,
                "rows_added": json.loads(r.rows_added) if r.rows_added else {},
                "errors": json.loads(r.errors) if r.errors else {},
            }
            for r in rows
        ]

    def last_successful_run(self) -> dict | None:
        for run in self.runs(limit=200):
            if run["status"] in ("ok", "partial"):
                return run
        return None

    def dispose(self) -> None:
        self.engine.dispose()


def _bar_records(ticker: str, bars: pd.DataFrame) -> list[dict]:
    records = []
    columns = set(bars.columns)
    for row in bars.itertuples(index=False):
        record = {"ticker": ticker, "date": pd.Timestamp(row.date).date()}
        for field in PRICE_FIELDS:
            record[field] = _clean(getattr(row, field)) if field in columns else None
            if record[field] is not None:
                record[field] = float(record[field])
        volume = _clean(row.volume) if "volume" in columns else None
        record["volume"] = int(volume) if volume is not None else None
        records.append(record)
    return records
