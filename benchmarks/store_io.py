"""Import every shared CSV into a fresh store, read it back, export it; and how reads scale.

Usage: python benchmarks/store_io.py [DATABASE_URL]   (default: a temporary SQLite file; a
PostgreSQL URL must name an empty database, e.g. a scratch one)
Prints median seconds of 5 runs for each step, then ``Store.read_prices`` of 5 and of 100
tickers × 10 years (the miners' and bitcoin's real bars from 2016-05-29, copied under new symbols).
"""

import sys
import tempfile
from pathlib import Path

import pandas as pd
from _common import require_data, timed

from dashboard.exports import prices_long, to_csv_text
from dashboard.sources.csv_file import read_price_csv
from dashboard.store import Store

TEN_YEARS_FROM = pd.Timestamp("2016-05-29")
BASES = ["MARA", "RIOT", "CLSK", "HUT", "BTC-USD"]


def empty_store(url: str) -> Store:
    store = Store(url)
    store.create_or_migrate()
    if store.stored_tickers():
        raise SystemExit(f"{url} already holds prices: give an empty database")
    return store


def import_export(url: str, files: list[Path]) -> None:
    store = empty_store(url)
    parsed = [read_price_csv(p) for p in files]

    def parse_only():
        for path in files:
            read_price_csv(path)

    def import_all():
        for found in parsed:
            store.write_bars(found.ticker, found.bars, f"csv:{found.ticker}.csv", fields=found.fields)

    parse, _ = timed(parse_only)
    imported, _ = timed(import_all, repeat=1)
    reimport, _ = timed(import_all)
    frame = store.read_prices()
    read, _ = timed(store.read_prices)
    text = to_csv_text(prices_long(frame))
    export, _ = timed(lambda: to_csv_text(prices_long(store.read_prices())))
    rows = len(frame)
    print(f"store: {store!r}; files: {len(files)}, rows: {rows:,}")
    print(f"parse all CSVs:           median {parse * 1000:8.1f} ms")
    print(f"import into empty store:         {imported * 1000:8.1f} ms  ({rows / imported:,.0f} rows/s)")
    print(f"re-import (nothing changes):  median {reimport * 1000:8.1f} ms")
    print(f"full read of all tickers: median {read * 1000:8.1f} ms")
    print(f"long CSV export (all):    median {export * 1000:8.1f} ms  ({len(text) / 1e6:.1f} MB)")


def read_scaling(url: str, files: dict[str, Path]) -> None:
    store = empty_store(url)
    bars = {}
    for base in BASES:
        found = read_price_csv(files[base])
        bars[base] = (found.bars[found.bars["date"] >= TEN_YEARS_FROM], found.fields)
    symbols = []
    for n in range(100):
        base = BASES[n % len(BASES)]
        symbol = base if n < len(BASES) else f"{base.split('-')[0]}{n}"
        store.write_bars(symbol, bars[base][0], "copy", fields=bars[base][1])
        symbols.append(symbol)
    reader = Store(url, read_only=True)  # as a web worker reads: not through the writer's connection
    five, _ = timed(lambda: reader.read_prices(symbols[:5]), repeat=9)
    hundred, _ = timed(lambda: reader.read_prices(symbols), repeat=9)
    rows5, rows100 = len(reader.read_prices(symbols[:5])), len(reader.read_prices(symbols))
    print(f"Store.read_prices, 10 years each: 5 tickers ({rows5:,} rows) median {five * 1000:6.1f} ms; "
          f"100 tickers ({rows100:,} rows) median {hundred * 1000:6.1f} ms; "
          f"ratio {hundred / five:4.1f}x for {rows100 / rows5:4.1f}x the rows")


def main():
    data = require_data()
    files = sorted(data.glob("*.csv"))
    tmp = Path(tempfile.mkdtemp())
    given = sys.argv[1] if len(sys.argv) > 1 else None
    import_export(given or f"sqlite:///{tmp / 'bench.sqlite'}", files)
    if given:
        Store(given).engine.dispose()
        from dashboard.schema import metadata

        metadata.drop_all(Store(given).engine)
    read_scaling(given or f"sqlite:///{tmp / 'scaling.sqlite'}", {p.stem: p for p in files})


if __name__ == "__main__":
    main()
