"""Cross-event studies: 50 events × 10 tickers, both units and both models, and the /studies
page's callback cold and warm.

Usage: python benchmarks/caar.py
The ten equities' and BTC-USD's and QQQ's real bars from ../shared/market-data; fifty market-wide
events (a user events file, one every three weeks from 2022-01-10 at 10:00 New York) that
concern every ticker. Medians of 5 runs; warm callback: of 30.
"""

import csv
import tempfile
from datetime import date, timedelta
from pathlib import Path

from _common import callback_payload, callback_times, fill, require_data, timed

from dashboard.app import create_app
from dashboard.cached_reads import CachedReads
from dashboard.config import Settings
from dashboard.params import CaarParams
from dashboard.store import Store
from dashboard.studies import cross_event_study

TEN = ["MARA", "RIOT", "CLSK", "HUT", "BITF", "BTBT", "HIVE", "CORZ", "BTDR", "IBIT"]


def events_file(folder: Path) -> Path:
    path = folder / "bench-events.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "title", "published", "tickers", "category", "source", "summary"])
        for n in range(50):
            day = date(2022, 1, 10) + timedelta(weeks=3 * n)
            writer.writerow([f"bench-{n:02d}", f"Benchmark event {n}", f"{day}T10:00:00-05:00", "", "macro",
                             "https://example.com", ""])
    return path


def main():
    require_data()
    tmp = Path(tempfile.mkdtemp())
    store = Store(f"sqlite:///{tmp / 'bench.sqlite'}")
    store.create_or_migrate()
    fill(store, tickers=[*TEN, "BTC-USD", "QQQ"])
    settings = Settings(database_url=store.url, data_dir=tmp, cache_dir=tmp / "cache", tickers=tuple(TEN),
                        event_files=(events_file(tmp),))
    reads = CachedReads(settings)
    events = reads.events()
    print(f"{len([e for e in events if e.id.startswith('bench-')])} events × {len(TEN)} tickers "
          f"against BTC-USD (two-factor: + QQQ), windows L=120, gap 10, −1…+5")
    for unit in ("pair", "event"):
        for model in ("market", "two-factor"):
            params = CaarParams.parse(categories=["macro"], unit=unit, tickers=TEN, model=model)
            result = cross_event_study(store.read_prices, store.stored_tickers(), events, params, settings)
            run, _ = timed(lambda p=params: cross_event_study(store.read_prices, store.stored_tickers(), events,
                                                              p, settings))
            counted = int(result.units["included"].sum())
            print(f"  unit {unit:<5} model {model:<10}: median {run * 1000:6.0f} ms; {len(result.events)} "
                  f"events (with the catalogue's macro ones); {counted} of {len(result.units)} units counted; CAAR {result.tests['caar']:+.2%}, "
                  f"t_cs {result.tests['t_cs']:+.2f}")

    app = create_app(settings)
    for unit in ("pair", "event"):
        payload = callback_payload(app, "studies-caar.figure", {
            "studies-categories.value": ["macro"], "studies-unit.value": unit, "studies-tickers.value": TEN,
            "studies-benchmark.value": "BTC-USD", "studies-model.value": "market", "studies-estimation.value": 120,
            "studies-gap.value": 10, "studies-pre.value": 1, "studies-post.value": 5, "studies-exclude.value": [],
            "theme-store.data": "light"})
        times = callback_times(app, payload)
        print(f"/studies callback, unit {unit}: cold {times['cold'] * 1000:6.0f} ms | warm {times['warm'] * 1000:5.1f} ms "
              f"| response {times['size'] / 1024:6.1f} KB")


if __name__ == "__main__":
    main()
