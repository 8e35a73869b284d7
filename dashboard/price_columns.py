"""Each ticker's stored bars packed into one blob of fixed-width columns, for fast wide reads.

The ``prices`` rows stay the record; ``price_columns`` holds the same bars per ticker as the raw
bytes of a numpy array of ``PACKED`` (date as days since 1970, each value a float64, volume
included: every stored volume is a whole number below 1e15, exact in a float64, NaN when missing).
The writer repacks a ticker in the transaction that changes its rows, so the two never disagree
for a reader. Reading 100 tickers × 10 years decodes 100 arrays instead of building a Python
object per stored value (about 2 µs a bar before: ``benchmarks/store_io.py``).
"""

from collections.abc import Iterable

import numpy as np
import pandas as pd
import sqlalchemy as sa

from dashboard.bars import PRICE_FIELDS, VALUE_FIELDS
from dashboard.schema import price_columns, prices
from dashboard.store_engine import upsert

_US_PER_DAY = 86_400_000_000
PACKED = np.dtype([("date", "<i8"), *[(f, "<f8") for f in VALUE_FIELDS], ("partial", "?")])


def pack(rows: Iterable[tuple]) -> bytes:
    """The bytes of (ISO date, *VALUE_FIELDS, partial) rows sorted by date."""
    rows = list(rows)
    array = np.empty(len(rows), dtype=PACKED)
    if rows:
        table = np.array(rows, dtype=object)
        array["date"] = pd.to_datetime(table[:, 0], format="%Y-%m-%d").values.astype("datetime64[D]").view("i8")
        for i, name in enumerate(VALUE_FIELDS, start=1):
            array[name] = table[:, i].astype("f8")  # None → NaN
        array["partial"] = table[:, -1].astype(bool)
    return array.tobytes()


def repack(conn: sa.Connection, ticker: str) -> None:
    """Rewrite ``ticker``'s packed bars from its rows (inside the writer's transaction)."""
    query = (sa.select(sa.cast(prices.c.date, sa.String), *[prices.c[f] for f in VALUE_FIELDS],
                       prices.c.partial)
             .where(prices.c.ticker == ticker).order_by(prices.c.date))
    blob = pack(conn.execute(query).cursor.fetchall())
    conn.execute(upsert(conn.dialect.name, price_columns, ["ticker"]), [{"ticker": ticker, "bars": blob}])


def reconcile(conn: sa.Connection) -> None:
    """Pack every ticker that has rows but no packed copy, and drop packed copies without rows
    (a store from before the copy, or one whose tables were lost and recreated). On PostgreSQL,
    first make sure the copies are stored uncompressed."""
    if conn.dialect.name == "postgresql":
        _stored_uncompressed(conn)
    stored = sa.select(prices.c.ticker).distinct()
    conn.execute(price_columns.delete().where(price_columns.c.ticker.not_in(stored)))
    missing = stored.where(prices.c.ticker.not_in(sa.select(price_columns.c.ticker)))
    for ticker in conn.execute(missing).scalars().all():
        repack(conn, ticker)


def _stored_uncompressed(conn: sa.Connection) -> None:
    """PostgreSQL compresses a large bytea by default, and every wide read then decompresses the
    packed bars (float64s that pglz shrinks to about 40 %): they are kept as they are (EXTERNAL
    storage), and blobs stored compressed before are rewritten once. 100 tickers × 10 years is
    15 MB, and reads in about two thirds of the time."""
    storage = conn.execute(sa.text("SELECT attstorage FROM pg_attribute WHERE attrelid = "
                                   "'price_columns'::regclass AND attname = 'bars'")).scalar_one()
    if storage != "e":
        conn.execute(sa.text("ALTER TABLE price_columns ALTER COLUMN bars SET STORAGE EXTERNAL"))
        conn.execute(sa.text("UPDATE price_columns SET bars = bars || ''::bytea"))  # a new value: stored anew


def unpack(rows: Iterable[tuple[str, bytes | memoryview]], start=None, end=None,
           include_partial: bool = False) -> pd.DataFrame:
    """Long frame with BAR_COLUMNS (sorted by ticker, then date) from (ticker, blob) rows.

    Each ticker's window is a slice of its sorted dates, and each column is written once, straight
    into the frame's own arrays (the five prices as one block): a wide read is bound by memory, and
    every intermediate copy of 100 tickers × 10 years cost milliseconds.
    """
    first = None if start is None else _days(start)
    last = None if end is None else _days(end)
    names, parts = [], []
    for ticker, blob in sorted(rows):
        bars = np.frombuffer(blob, dtype=PACKED)
        dates = bars["date"]
        lo = 0 if first is None else dates.searchsorted(first)
        hi = len(bars) if last is None else dates.searchsorted(last, "right")
        bars = bars[lo:hi]
        if not include_partial and bars["partial"].any():
            bars = bars[~bars["partial"]]
        names.append(ticker)
        parts.append(bars)
    counts = [len(bars) for bars in parts]
    total = sum(counts)
    days, prices, volume = np.empty(total, "i8"), np.empty((len(PRICE_FIELDS), total)), np.empty(total)
    at = 0
    for bars in parts:
        count = len(bars)
        days[at:at + count] = bars["date"]
        for row, name in enumerate(PRICE_FIELDS):
            prices[row, at:at + count] = bars[name]
        volume[at:at + count] = bars["volume"]
        at += count
    missing = np.isnan(volume)
    frame = pd.DataFrame(prices.T, columns=PRICE_FIELDS, copy=False)
    frame.insert(0, "date", pd.DatetimeIndex((days * _US_PER_DAY).view("datetime64[us]")))
    frame.insert(1, "ticker", pd.Series(np.repeat(np.array(names, dtype=object), counts), dtype="str"))
    frame["volume"] = pd.arrays.IntegerArray(np.where(missing, 0, volume).astype("i8"), missing)
    return frame


def _days(day) -> int:
    return int(np.datetime64(pd.Timestamp(day).date(), "D").view("i8"))
