"""The event study for every catalogue event × every stored ticker (plus EW), against BTC-USD.

Usage: python benchmarks/event_study.py
Prints the median time per event, the total, and how many (event, ticker) pairs succeeded.
"""

import statistics
import tempfile
import time
from pathlib import Path

from _common import fill
from dashboard.reactions import study_event

from dashboard.analytics.event_study import Windows
from dashboard.config import Settings
from dashboard.events.collect import collect_events
from dashboard.store import Store


def main():
    tmp = Path(tempfile.mkdtemp())
    store = fill(Store(f"sqlite:///{tmp / 'bench.sqlite'}"))
    settings = Settings(database_url=store.url, data_dir=tmp)
    events = collect_events(settings, store)
    tickers = [t for t in store.stored_tickers() if t != "BTC-USD"]
    prices = store.read_prices()
    for benchmark in ("BTC-USD", "QQQ"):
        per_event, ok, failed = [], 0, 0
        start_all = time.perf_counter()
        for event in events:
            start = time.perf_counter()
            result = study_event(store, event, benchmark, Windows(), tickers=tickers, prices=prices)
            per_event.append(time.perf_counter() - start)
            ok += len(result.summary)
            failed += len(result.errors)
        total = time.perf_counter() - start_all
        print(f"benchmark {benchmark}: {len(events)} events × {len(tickers)} tickers (+EW)")
        print(f"  median per event {statistics.median(per_event) * 1000:7.1f} ms, "
              f"total {total * 1000:7.1f} ms; {ok} rows computed, {failed} clear errors")


if __name__ == "__main__":
    main()
