"""The store's tables. Bump SCHEMA_VERSION and migrate in Store.ensure_schema when they change."""

import sqlalchemy as sa

SCHEMA_VERSION = 1

metadata = sa.MetaData()

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
