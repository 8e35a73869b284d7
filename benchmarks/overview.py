"""The overview callback server-side, and the time to the first rendered chart in Chromium.

Usage: python benchmarks/overview.py [--no-browser]
Server side: 4 miners + BTC-USD over 5 years with every event category, posted to
/_dash-update-component through Flask's test client: cold (empty cache) and cached medians,
and the response size. Browser: headless Chromium against `minerdash serve`, median time from
navigation to the first plotted trace.
"""

import statistics
import sys
import tempfile
import time
from pathlib import Path

from _common import MINERS, fill, overview_payload, timed
from dashboard.events.catalogue import CATEGORIES

from dashboard.app import create_app
from dashboard.config import Settings
from dashboard.store import Store


def server_side(settings):
    app = create_app(settings)
    client = app.server.test_client()
    payload = overview_payload(MINERS, "2021-05-29", "2026-05-29", list(CATEGORIES))

    def post():
        response = client.post("/_dash-update-component", json=payload)
        assert response.status_code == 200, response.data[:300]
        return response

    cold = []
    for _ in range(5):
        app.server.extensions["minerdash"].cache.clear()
        start = time.perf_counter()
        post()
        cold.append(time.perf_counter() - start)
    cached, _ = timed(post, repeat=50)
    size = len(post().data)
    print("overview callback (4 miners + BTC-USD, 5 years, all events), Flask test client:")
    print(f"  cold cache  median {statistics.median(cold) * 1000:7.1f} ms")
    print(f"  cached      median {cached * 1000:7.1f} ms")
    print(f"  response    {size / 1024:7.1f} KB")


def browser(settings, tmp):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.browser import chromium, chromium_available, running_server

    if not chromium_available():
        print("chromium not installed: browser timing skipped")
        return
    url = "/?tickers=MARA,RIOT,CLSK,HUT&start=2021-05-29&end=2026-05-29"
    with running_server(settings.database_url, tmp) as base, chromium() as instance:
        samples = []
        for _ in range(6):
            page = instance.new_page(viewport={"width": 1366, "height": 768})
            start = time.perf_counter()
            page.goto(base + url)
            page.wait_for_selector(".js-plotly-plot .trace.scatter", timeout=60000)
            samples.append(time.perf_counter() - start)
            page.close()
        warm = samples[1:]
        print("headless Chromium, navigation → first plotted trace (minerdash serve):")
        print(f"  first load {samples[0] * 1000:7.0f} ms; later loads median {statistics.median(warm) * 1000:7.0f} ms")


def main():
    tmp = Path(tempfile.mkdtemp())
    store = fill(Store(f"sqlite:///{tmp / 'bench.sqlite'}"))
    settings = Settings(database_url=store.url, data_dir=tmp, cache_dir=tmp / "cache")
    server_side(settings)
    if "--no-browser" not in sys.argv:
        browser(settings, tmp)


if __name__ == "__main__":
    main()
