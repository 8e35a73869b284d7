"""The overview callback server-side: cold (first request after a refresh) and warm.

Usage: python benchmarks/overview.py [DATABASE_URL]   (default: a temporary SQLite file)
4 miners + BTC-USD, and 50 tickers (the shared CSVs plus copies of the miners under new symbols),
5 years with every event category and origin, posted to /_dash-update-component through Flask's
test client. "Cold" clears the cache first, as a refresh does (a new data version); "cold after the
worker" first runs what the worker runs after each refresh (``warm_after_refresh``). Medians of 5
(warm: of 50), and the response size.
"""

import sys
import tempfile
from pathlib import Path

from _common import MINERS, callback_times, copy_symbols, fill, overview_payload

from dashboard.app import create_app
from dashboard.config import Settings
from dashboard.store import Store
from dashboard.worker import warm_after_refresh


def measure(app, settings, tickers, label):
    cache = app.server.extensions["minerdash"].cache
    payload = overview_payload(app, tickers, "2021-05-29", "2026-05-29")
    bare = callback_times(app, payload, warm_repeat=50)
    worked = callback_times(app, payload, prepare=lambda: warm_after_refresh(settings, cache), warm_repeat=5)
    print(f"{label}: cold {bare['cold'] * 1000:7.1f} ms | cold after the worker {worked['cold'] * 1000:7.1f} ms | "
          f"warm {bare['warm'] * 1000:6.1f} ms | response {bare['size'] / 1024:6.1f} KB")


def main():
    tmp = Path(tempfile.mkdtemp())
    url = sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{tmp / 'bench.sqlite'}"
    store = Store(url)
    store.create_or_migrate()
    if store.stored_tickers():
        raise SystemExit(f"{url} already holds prices: give an empty database")
    fill(store, copies=50)
    stored = store.stored_tickers()
    fifty = [*MINERS, *[t for t in stored if t not in MINERS and t != "BTC-USD"]][:50]
    settings = Settings(database_url=url, data_dir=tmp, cache_dir=tmp / "cache")
    app = create_app(settings)
    print(f"overview callback, 2021-05-29 … 2026-05-29, every category, {store!r}")
    measure(app, settings, MINERS, " 4 tickers")
    measure(app, settings, fifty, "50 tickers")
    print(f"  (the 50: {', '.join(fifty[:14])}, … {', '.join(copy_symbols(50)[-2:])})")


if __name__ == "__main__":
    main()
