"""Import every shared CSV into a fresh store, read all tickers back, write a long export.

Usage: python benchmarks/store_io.py [DATABASE_URL]   (default: a temporary SQLite file)
Prints median seconds of 5 runs for each step.
"""

import sys
import tempfile
from pathlib import Path

from _common import require_data, timed
from dashboard.csv_export import to_csv_text

from dashboard.exports import prices_long
from dashboard.sources.csv_file import read_price_csv
from dashboard.store import Store, metadata


def main():
    files = sorted(require_data().glob("*.csv"))
    tmp = Path(tempfile.mkdtemp())
    url = sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{tmp / 'bench.sqlite'}"
    store = Store(url)

    def fresh_import():
        store.ensure_schema()
        metadata.drop_all(store.engine)
        store._schema_ready = False
        for path in files:
            parsed = read_price_csv(path)
            store.write_bars(parsed.ticker, parsed.bars, f"csv:{path.name}")

    def parse_only():
        for path in files:
            read_price_csv(path)

    parse, _ = timed(parse_only)
    imported, _ = timed(fresh_import)
    reimport, _ = timed(lambda: [store.write_bars(p.stem, read_price_csv(p).bars, "csv") for p in files])
    frame = store.read_prices()
    read, _ = timed(store.read_prices)
    export, _ = timed(lambda: to_csv_text(prices_long(store.read_prices())))
    rows = len(frame)
    print(f"store: {store!r}")
    print(f"files: {len(files)}, rows: {rows}")
    print(f"parse all CSVs:           median {parse * 1000:8.1f} ms")
    print(f"import into empty store:  median {imported * 1000:8.1f} ms  ({rows / imported:,.0f} rows/s)")
    print(f"re-import (all upserts):  median {reimport * 1000:8.1f} ms")
    print(f"full read of all tickers: median {read * 1000:8.1f} ms")
    print(f"long CSV export (all):    median {export * 1000:8.1f} ms  ({len(to_csv_text(prices_long(frame))) / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
