"""The packed copy of each ticker's bars (price_columns) on SQLite and PostgreSQL: every read equals
the stored rows, and older stores are packed anew."""

from datetime import date

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from dashboard.errors import StoreNotReady, StoreUnavailable
from dashboard.price_columns import BAR_BYTES, unpack
from dashboard.schema import SCHEMA_VERSION, price_columns, schema_info
from dashboard.sources.csv_file import read_price_csv
from dashboard.store import Store
from tests.conftest import drop_postgres_store, fill_store, make_postgres_store


def rows_read_independently(store, tickers, start=None, end=None, include_partial=False):
    """The bars straight from the ``prices`` rows through pandas' own SQL reader."""
    query = "SELECT date, ticker, open, high, low, close, adj_close, volume, partial FROM prices"
    with store.engine.connect() as conn:
        frame = pd.read_sql(sa.text(query), conn)
    frame["date"] = pd.to_datetime(frame["date"].astype(str))
    keep = frame["ticker"].isin(tickers)
    if not include_partial:
        keep &= ~frame["partial"].astype(bool)
    if start is not None:
        keep &= frame["date"] >= pd.Timestamp(start)
    if end is not None:
        keep &= frame["date"] <= pd.Timestamp(end)
    frame = frame[keep].sort_values(["ticker", "date"], ignore_index=True)
    return frame.drop(columns="partial").astype({"volume": "Int64"})


def assert_reads_equal_the_rows(store, tickers):
    for start, end, partial in [(None, None, False), (None, None, True), ("2024-04-19", "2025-07-29", False),
                                ("2025-07-29", "2025-07-29", True), ("2030-01-01", None, False)]:
        read = store.read_prices(tickers, start=start and date.fromisoformat(start),
                                 end=end and date.fromisoformat(end), include_partial=partial)
        expected = rows_read_independently(store, tickers, start, end, partial)
        pd.testing.assert_frame_equal(read, expected, check_dtype=False)
        assert read["date"].dtype.kind == "M" and str(read["volume"].dtype) == "Int64"


def test_the_packed_copy_read_equals_the_stored_rows_through_every_kind_of_write(store, market_data):
    """Reads come from each ticker's packed bars: after revisions, close-only files, partial bars
    and a refresh that replaces them, they equal the rows bar for bar (real prices)."""
    fill_store(store, market_data, ["MARA", "BTC-USD"])
    mara = read_price_csv(market_data / "MARA.csv").bars
    assert len(store.read_prices(["MARA"])) == len(mara)  # every bar of the file
    revised = mara.tail(3).assign(close=lambda f: f["close"] * 1.01, volume=[None, 5, 6])
    store.write_bars("MARA", revised, "yahoo")
    close_only = mara.tail(2)[["date", "close", "adj_close"]].assign(close=12.5)
    store.write_bars("MARA", close_only, "csv:MARA.csv", fields=["close"])
    next_day = mara["date"].max() + pd.Timedelta(days=3)
    store.write_bars("MARA", pd.DataFrame({"date": [next_day], "close": [13.0], "adj_close": [13.0],
                                           "partial": [True]}), "yahoo")
    assert_reads_equal_the_rows(store, ["MARA", "BTC-USD", "ZZZ"])
    assert store.read_prices(["MARA"], include_partial=True)["date"].max() == next_day
    store.write_bars("MARA", pd.DataFrame({"date": [next_day], "close": [13.5], "adj_close": [13.5]}), "yahoo")
    assert store.read_prices(["MARA"])["close"].iloc[-1] == 13.5
    assert_reads_equal_the_rows(store, ["MARA", "BTC-USD"])
    assert store.read_prices([]).empty and list(store.read_prices([]).columns) == list(rows_read_independently(
        store, []).columns)


def test_packed_rows_in_any_order_and_any_window_unpack_to_the_rows(store, market_data):
    """Rows are copied into the frame as they arrive, sorted by code point (BTC-USD before BTC1,
    which a natural-language collation puts the other way) whatever order the database sends, and
    a narrow window keeps no more memory than it shows."""
    fill_store(store, market_data, ["MARA", "BTC-USD"])
    btc = read_price_csv(market_data / "BTC-USD.csv")
    store.write_bars("BTC1", btc.bars[btc.bars["date"] >= "2025-01-01"], "copy", fields=btc.fields)
    tickers = ["MARA", "BTC1", "BTC-USD"]
    with store.reading() as conn:
        rows = [(t, bytes(b)) for t, b in conn.execute(sa.select(price_columns.c.ticker, price_columns.c.packed)
                                                       .where(price_columns.c.ticker.in_(tickers)))]
    rows.sort(key=lambda row: tickers.index(row[0]))
    bars = sum(len(blob) for _, blob in rows) // BAR_BYTES
    for start, end in [(None, None), ("2024-04-19", "2025-07-29"), ("2025-07-29", "2025-07-29")]:
        expected = rows_read_independently(store, tickers, start, end)
        assert list(expected["ticker"].unique()) == ["BTC-USD", "BTC1", "MARA"] or start
        for given in (None, bars):
            read = unpack(iter(rows) if given else rows, start and date.fromisoformat(start),
                          end and date.fromisoformat(end), bars=given)
            pd.testing.assert_frame_equal(read, expected, check_dtype=False)
    narrow = unpack(sorted(rows), date(2025, 7, 29), date(2025, 7, 29), bars=bars)
    assert len(narrow) == 3 and narrow["close"].to_numpy().base.nbytes < 1000
    pd.testing.assert_frame_equal(store.read_prices(tickers), rows_read_independently(store, tickers),
                                  check_dtype=False)


def test_postgresql_keeps_the_packed_bars_uncompressed(market_data):
    """A wide read need not decompress every blob: the packed bars are stored as they are, and a
    store that kept them compressed has them rewritten by its next writer, reading the same."""
    store = make_postgres_store()

    def storage():
        with store.reading() as conn:
            kind = conn.execute(sa.text("SELECT attstorage FROM pg_attribute WHERE attrelid = "
                                        "'price_columns'::regclass AND attname = 'packed'")).scalar_one()
            methods = conn.execute(sa.text("SELECT pg_column_compression(packed) FROM price_columns")).scalars()
            return kind, set(methods)

    try:
        fill_store(store, market_data, ["MARA", "RIOT"])
        assert storage() == ("e", {None})
        stored = store.read_prices()
        with store.engine.begin() as conn:  # as PostgreSQL stores a bytea by default
            conn.execute(sa.text("ALTER TABLE price_columns ALTER COLUMN packed SET STORAGE EXTENDED"))
            conn.execute(sa.text("UPDATE price_columns SET packed = packed || ''::bytea"))
        kind, methods = storage()
        assert kind == "x" and None not in methods
        writer = Store(store.url)
        writer.create_or_migrate()
        assert storage() == ("e", {None})
        pd.testing.assert_frame_equal(writer.read_prices(), stored)
        writer.dispose()
    finally:
        drop_postgres_store(store)


def test_a_version_2_store_is_packed_when_migrated(store, market_data):
    fill_store(store, market_data, ["RIOT", "HUT"])
    expected = store.read_prices()
    with store.engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE price_columns"))
        conn.execute(schema_info.update().where(schema_info.c.key == "version").values(value="2"))
    with pytest.raises(StoreNotReady, match="schema version 2; run `minerdash init-db`"):
        Store(store.url).check_schema()
    migrated = Store(store.url)
    assert migrated.create_or_migrate() == SCHEMA_VERSION
    pd.testing.assert_frame_equal(migrated.read_prices(), expected)
    assert_reads_equal_the_rows(migrated, ["RIOT", "HUT"])


def test_a_version_3_store_has_its_bars_packed_again_column_after_column(store, market_data):
    """Version 3 packed each bar's fields together, in a column ``bars``; version 4 packs each
    field's column together, in ``packed``. A version 3 store (its blobs written here in the old
    layout) reads the same after migrating, and a reader of the old code fails instead of misreading."""
    fill_store(store, market_data, ["HUT"])
    expected = store.read_prices(include_partial=True)
    rows = rows_read_independently(store, ["HUT"], include_partial=True)
    fields = ["open", "high", "low", "close", "adj_close", "volume"]
    old = np.zeros(len(rows), dtype=[("date", "<i8"), *[(f, "<f8") for f in fields], ("partial", "?")])
    old["date"] = (rows["date"] - pd.Timestamp("1970-01-01")).dt.days
    for field in fields:
        old[field] = rows[field].astype("float64")
    blob_type = "BYTEA" if store.dialect == "postgresql" else "BLOB"
    with store.engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE price_columns"))
        conn.execute(sa.text(f"CREATE TABLE price_columns (ticker VARCHAR(15) PRIMARY KEY, bars {blob_type} NOT NULL)"))
        conn.execute(sa.text("INSERT INTO price_columns VALUES ('HUT', :bars)"), {"bars": old.tobytes()})
        conn.execute(schema_info.update().where(schema_info.c.key == "version").values(value="3"))
    migrated = Store(store.url)
    assert migrated.create_or_migrate() == SCHEMA_VERSION == 4
    pd.testing.assert_frame_equal(migrated.read_prices(include_partial=True), expected)
    assert_reads_equal_the_rows(migrated, ["HUT"])
    with migrated.reading() as conn:
        blob = bytes(conn.execute(sa.text("SELECT packed FROM price_columns")).scalar_one())
    with pytest.raises(StoreUnavailable, match="bars"), migrated.reading() as conn:
        conn.execute(sa.text("SELECT ticker, bars FROM price_columns"))  # version 3's read
    count = len(rows)
    assert len(blob) == count * 57
    assert np.array_equal(np.frombuffer(blob, "<i8", count), old["date"])
    closes = np.frombuffer(blob, "<f8", count, 8 * count * 4)  # dates, open, high, low, then close
    assert np.array_equal(closes, rows["close"].to_numpy("float64"))
    migrated.dispose()
