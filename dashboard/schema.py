"""The store's tables. Bump SCHEMA_VERSION and add a step to MIGRATIONS when they change."""

from datetime import UTC, datetime

import sqlalchemy as sa

SCHEMA_VERSION = 4

metadata = sa.MetaData()


def utcnow() -> datetime:
    """Every timestamp the store writes is UTC, to the second."""
    return datetime.now(UTC).replace(microsecond=0)


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every timestamp we write is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)

schema_info = sa.Table(
    "schema_info",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.String(255), nullable=False),
)

prices = sa.Table(
    "prices",
    metadata,
    sa.Column("ticker", sa.String(15), primary_key=True),
    sa.Column("date", sa.Date, primary_key=True),
    sa.Column("open", sa.Double),
    sa.Column("high", sa.Double),
    sa.Column("low", sa.Double),
    sa.Column("close", sa.Double, nullable=False),
    sa.Column("adj_close", sa.Double, nullable=False),
    sa.Column("volume", sa.BigInteger),
    # A bar stored while its session was still open: kept, but out of every return until a
    # refresh after the close replaces it.
    sa.Column("partial", sa.Boolean, nullable=False, server_default=sa.false()),
)

# The bars of ``prices`` again, one blob per ticker, for fast wide reads (see price_columns.py).
price_columns = sa.Table(
    "price_columns",
    metadata,
    sa.Column("ticker", sa.String(15), primary_key=True),
    sa.Column("packed", sa.LargeBinary, nullable=False),
)

tickers = sa.Table(
    "tickers",
    metadata,
    sa.Column("ticker", sa.String(15), primary_key=True),
    sa.Column("source", sa.String(255)),
    sa.Column("fetched_at", sa.DateTime(timezone=True)),
    sa.Column("last_error", sa.Text),
    sa.Column("last_error_at", sa.DateTime(timezone=True)),
)

actions = sa.Table(
    "actions",
    metadata,
    sa.Column("ticker", sa.String(15), primary_key=True),
    sa.Column("date", sa.Date, primary_key=True),
    sa.Column("kind", sa.String(16), primary_key=True),
    sa.Column("value", sa.Double, nullable=False),
)

refresh_runs = sa.Table(
    "refresh_runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True)),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("rows_added", sa.Text),
    sa.Column("errors", sa.Text),
)

# Company news kept from the event sources (earnings, SEC filings, press releases, news).
events = sa.Table(
    "events",
    metadata,
    sa.Column("origin", sa.String(16), primary_key=True),
    sa.Column("id", sa.String(160), primary_key=True),
    sa.Column("tickers", sa.Text, nullable=False),  # ';'-joined, empty = every ticker
    sa.Column("published", sa.String(40), nullable=False),  # ISO date, or date-time with offset
    sa.Column("session", sa.Date, nullable=False, index=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("url", sa.Text),
    sa.Column("category", sa.String(16), nullable=False),
    sa.Column("details", sa.Text),  # a small JSON object
    sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

event_sources = sa.Table(
    "event_sources",
    metadata,
    sa.Column("origin", sa.String(16), primary_key=True),
    sa.Column("ticker", sa.String(15), primary_key=True),  # '*' for the source as a whole
    sa.Column("last_success", sa.DateTime(timezone=True)),
    sa.Column("last_error", sa.Text),
    sa.Column("last_error_at", sa.DateTime(timezone=True)),
)

sec_ciks = sa.Table(
    "sec_ciks",
    metadata,
    sa.Column("ticker", sa.String(15), primary_key=True),
    sa.Column("cik", sa.Integer, nullable=False),
    sa.Column("name", sa.Text),
    sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
)


def _v1_to_v2(conn) -> None:
    """Version 2: partial bars flagged; company events, their sources' state, SEC CIKs."""
    conn.execute(sa.text("ALTER TABLE prices ADD COLUMN partial BOOLEAN NOT NULL DEFAULT FALSE"))


def _v2_to_v3(conn) -> None:
    """Version 3: each ticker's bars packed in ``price_columns`` (created, and filled from the rows,
    after the migrations: ``Store._create_schema``)."""


def _v3_to_v4(conn) -> None:
    """Version 4: the packed bars laid out column after column instead of bar after bar, in a
    column renamed from ``bars`` to ``packed``: a reader still running the old code (a deploy's
    old workers) then fails on the missing column instead of misreading the new layout. The table
    is created again and every ticker packed from its rows right after."""
    conn.execute(sa.text("DROP TABLE IF EXISTS price_columns"))


# from-version → step that brings a store to from-version + 1 (new tables are created after).
MIGRATIONS = {1: _v1_to_v2, 2: _v2_to_v3, 3: _v3_to_v4}
