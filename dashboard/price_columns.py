"""Each ticker's stored bars packed into one blob of columns, for fast wide reads.

The ``prices`` rows stay the record; ``price_columns`` holds the same bars per ticker, sorted by
date, as one column after another: the dates (days since 1970, int64), each of VALUE_FIELDS
(float64; volume included, as every stored volume is a whole number below 1e15, exact in a float64,
NaN when missing), then the partial flags (one byte each). The writer repacks a ticker in the
transaction that changes its rows, so the two never disagree for a reader. A wide read copies whole
columns, each blob once, into arrays allocated before the first arrives: 100 tickers × 10 years
(262,300 bars, 15 MB) read from PostgreSQL in 17–19 ms, against 31–33 ms when every blob was
fetched before any was unpacked, and about 2 µs a bar when every value was a Python object
(``benchmarks/store_io.py``).
"""

from collections.abc import Iterable
from itertools import chain

import numpy as np
import pandas as pd
import sqlalchemy as sa

from dashboard.bars import PRICE_FIELDS, VALUE_FIELDS
from dashboard.schema import price_columns, prices
from dashboard.store_engine import stream, upsert

_US_PER_DAY = 86_400_000_000
BAR_BYTES = 8 + 8 * len(VALUE_FIELDS) + 1  # a date, the values, the partial flag


def pack(rows: Iterable[tuple]) -> bytes:
    """The bytes of (ISO date, *VALUE_FIELDS, partial) rows sorted by date."""
    table = np.array(list(rows), dtype=object).reshape(-1, len(VALUE_FIELDS) + 2)
    days = pd.to_datetime(table[:, 0], format="%Y-%m-%d").values.astype("datetime64[D]").view("i8")
    values = table[:, 1:-1].T.astype("f8")  # None → NaN
    return b"".join([days.astype("<i8").tobytes(), values.astype("<f8").tobytes(),
                     table[:, -1].astype(bool).tobytes()])


def columns(blob: bytes | memoryview) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Views of a packed blob: dates (days since 1970), values (one row per VALUE_FIELDS), partial."""
    count = len(blob) // BAR_BYTES
    days = np.frombuffer(blob, "<i8", count)
    values = np.frombuffer(blob, "<f8", count * len(VALUE_FIELDS), 8 * count).reshape(len(VALUE_FIELDS), count)
    partial = np.frombuffer(blob, "?", count, 8 * count * (1 + len(VALUE_FIELDS)))
    return days, values, partial


def repack(conn: sa.Connection, ticker: str) -> None:
    """Rewrite ``ticker``'s packed bars from its rows (inside the writer's transaction)."""
    query = (sa.select(sa.cast(prices.c.date, sa.String), *[prices.c[f] for f in VALUE_FIELDS],
                       prices.c.partial)
             .where(prices.c.ticker == ticker).order_by(prices.c.date))
    blob = pack(conn.execute(query).cursor.fetchall())
    conn.execute(upsert(conn.dialect.name, price_columns, ["ticker"]), [{"ticker": ticker, "packed": blob}])


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
                                   "'price_columns'::regclass AND attname = 'packed'")).scalar_one()
    if storage != "e":
        conn.execute(sa.text("ALTER TABLE price_columns ALTER COLUMN packed SET STORAGE EXTERNAL"))
        conn.execute(sa.text("UPDATE price_columns SET packed = packed || ''::bytea"))  # a new value: stored anew


def read_packed(conn: sa.Connection, symbols: Iterable[str] | None = None, start=None, end=None,
                include_partial: bool = False) -> pd.DataFrame:
    """Long frame with BAR_COLUMNS of ``symbols`` (all when None) from their packed bars.

    One statement brings the blobs, in the order of their tickers' code points, and the length of
    them all (one snapshot, on either database): the frame's arrays are allocated before the first
    blob arrives, and each is copied in and let go while the next streams.
    """
    chosen = sa.true() if symbols is None else price_columns.c.ticker.in_(list(symbols))
    total = (sa.select(sa.func.coalesce(sa.func.sum(sa.func.length(price_columns.c.packed)), 0))
             .where(chosen).scalar_subquery())
    ticker = price_columns.c.ticker
    by_code_point = ticker.collate("C") if conn.dialect.name == "postgresql" else ticker  # SQLite's own: binary
    rows = stream(conn, sa.select(ticker, price_columns.c.packed, total).where(chosen).order_by(by_code_point))
    first = next(rows, None)
    if first is None:
        return unpack([], start, end, include_partial)
    return unpack(((t, blob) for t, blob, _ in chain([first], rows)), start, end, include_partial,
                  bars=first[2] // BAR_BYTES)


def unpack(rows: Iterable[tuple[str, bytes | memoryview]], start=None, end=None,
           include_partial: bool = False, bars: int | None = None) -> pd.DataFrame:
    """Long frame with BAR_COLUMNS (sorted by ticker, then date) from (ticker, blob) rows.

    ``bars``, when known before the rows arrive, is how many bars their blobs hold in all: each
    blob's window (a slice of its sorted dates) is then copied straight into the frame's arrays
    and let go, so a stream of rows is never held whole. Rows sorted by ticker are kept in place;
    others are put in order with one more copy.
    """
    if bars is None:
        rows = list(rows)
        bars = sum(len(blob) for _, blob in rows) // BAR_BYTES
    first = None if start is None else _days(start)
    last = None if end is None else _days(end)
    all_days, all_values = np.empty(bars, "i8"), np.empty((len(VALUE_FIELDS), bars))
    names, counts, used = [], [], 0
    for ticker, blob in rows:
        days, values, partial = columns(blob)
        lo = 0 if first is None else days.searchsorted(first)
        hi = len(days) if last is None else days.searchsorted(last, "right")
        days, values, partial = days[lo:hi], values[:, lo:hi], partial[lo:hi]
        if not include_partial and partial.any():
            days, values = days[~partial], values[:, ~partial]
        all_days[used:used + len(days)] = days
        all_values[:, used:used + len(days)] = values
        names.append(ticker)
        counts.append(len(days))
        used += len(days)
    days, values = all_days[:used], all_values[:, :used]
    if names != sorted(names):
        order = np.argsort(np.array(names, dtype=object), kind="stable")
        ends = np.cumsum(counts)
        taken = np.concatenate([np.arange(ends[i] - counts[i], ends[i]) for i in order]).astype("i8")
        days, values = days[taken], values[:, taken]
        names, counts = [names[i] for i in order], [counts[i] for i in order]
    elif used < bars // 2:  # a narrow window: keep only what the frame holds
        days, values = days.copy(), values.copy()
    volume = values[-1]
    missing = np.isnan(volume)
    volume[missing] = 0
    days *= _US_PER_DAY
    frame = {"date": pd.DatetimeIndex(days.view("datetime64[us]")),
             "ticker": pd.Series(np.repeat(np.array(names, dtype=object), counts), dtype="str"),
             **dict(zip(PRICE_FIELDS, values[:len(PRICE_FIELDS)], strict=True)),
             "volume": pd.arrays.IntegerArray(volume.astype("i8"), missing)}
    return pd.DataFrame(frame, copy=False)


def _days(day) -> int:
    return int(np.datetime64(pd.Timestamp(day).date(), "D").view("i8"))
