"""Company events: a refresh of all three sources for 4 and for 50 tickers from replayed responses,
and the overview with 5,000 stored events.

Usage: python benchmarks/events_refresh.py [DATABASE_URL]   (default: temporary SQLite files; a
PostgreSQL URL must name an empty, scratch database: each part drops what it wrote)
The replies are the hand-built fixtures of tests/fixtures/handbuilt (replayed by the tests' own
replay helper: run with the test extra installed), served for every ticker
through yfinance's real code path and our EDGAR client (the rate limiter is lifted: nothing leaves
the machine). Prints the time and rows of a first and a second refresh (the second must write
nothing), then the overview callback's cold and warm time and response size with 5,000 events.
"""

import random
import re
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import responses
import yfinance as yf
from _common import MINERS, callback_times, copy_symbols, fill, overview_payload

from dashboard.app import create_app
from dashboard.config import Settings
from dashboard.events.refresh import default_sources, refresh_events
from dashboard.events.sources import record
from dashboard.events.sources.sec import HEADER_URL, SUBMISSIONS_URL, RateLimiter
from dashboard.schema import metadata
from dashboard.store import Store
from dashboard.worker import warm_after_refresh
from tests.conftest import HANDBUILT
from tests.yahoo_replay import session, yahoo_replay

AGENT = "minerdash benchmark bench@example.com"
MARA_CIK = 1507605


def fresh_store(url: str | None, name: str) -> Store:
    store = Store(url or f"sqlite:///{Path(tempfile.mkdtemp()) / name}")
    metadata.drop_all(store.engine)
    store.create_or_migrate()
    return store


def refresh_from_replay(url: str | None, count: int) -> None:
    tickers = [*MINERS, *copy_symbols(count - len(MINERS))][:count]
    store = fresh_store(url, f"events-{count}.sqlite")
    settings = Settings(database_url=store.url, data_dir=Path(tempfile.mkdtemp()), sec_user_agent=AGENT)
    text = {p.name: p.read_text() for p in HANDBUILT.iterdir()}
    with yahoo_replay() as replay:
        sec = replay.mock  # one mock for both hosts: nested mocks would hide Yahoo's routes
        for ticker in tickers:  # RIOT's real-shaped pages for every ticker
            replay.serve_page("earnings", ticker, text["yahoo-earnings-RIOT.html"])
            replay.serve_page("pressRelease", ticker, text["yahoo-news-RIOT-press.json"])
            replay.serve_page("latestNews", ticker, text["yahoo-news-RIOT-news.json"])
        sec.add(responses.GET, SUBMISSIONS_URL.format(name=f"CIK{MARA_CIK:010d}.json"),
                body=text["sec-submissions-MARA.json"])
        headers = {HEADER_URL.format(cik=MARA_CIK, folder=n[11:31].replace("-", ""), accession=n[11:31]): body
                   for n, body in text.items() if n.startswith("sec-header-0001507605")}
        sec.add_callback(responses.GET, re.compile(r"https://www\.sec\.gov/Archives/.*"),
                         callback=lambda r: (200, {}, headers[r.url]) if r.url in headers else (404, {}, "Not Found"))
        store.write_ciks(dict.fromkeys(tickers, (MARA_CIK, "MARA Holdings")))  # MARA's filings for each

        for attempt in ("first", "second"):
            sources = default_sources(store, settings, tickers, progress=lambda m: None, session=session())
            sources[1].limiter = RateLimiter(10_000)  # replayed: no need to pace
            before = len(sec.calls)
            started = time.perf_counter()
            outcome = refresh_events(store, settings, tickers, sources=sources)
            elapsed = time.perf_counter() - started
            edgar = sum(1 for c in list(sec.calls)[before:] if "sec.gov" in c.request.url)
            written = {s.name: s.added + s.changed for s in outcome.sources}
            failed = sum(len(s.errors) for s in outcome.sources)
            print(f"{count:>2} tickers, {attempt} refresh: {elapsed * 1000:6.0f} ms; rows written "
                  f"{sum(written.values()):4d} ({', '.join(f'{k} {v}' for k, v in written.items())}); "
                  f"failures {failed}; stored {len(store.read_events())}; {edgar} EDGAR requests "
                  f"(≥ {edgar * RateLimiter().interval:.1f} s at the SEC's pace)")


def many_events(tickers: list[str], count: int) -> list[dict]:
    """``count`` company events spread over 2021-2026 across ``tickers`` (seeded, repeatable)."""
    chooser = random.Random(7)
    kinds = [("earnings", "earnings"), ("sec", "filing"), ("press", "press"), ("news", "news")]
    start = datetime(2021, 6, 1, 13, 30, tzinfo=UTC)
    records = []
    for n in range(count):
        ticker = tickers[n % len(tickers)]
        origin, category = kinds[chooser.randrange(len(kinds))]
        published = start + timedelta(minutes=chooser.randrange(0, 5 * 365 * 24 * 60))
        records.append(record(origin, f"{ticker.lower()}-{origin}-bench-{n}", ticker, published,
                              f"{ticker} item {n}", "https://example.com/item", category, {}))
    return records


def overview_with_events(url: str | None) -> None:
    store = fresh_store(url, "overview-events.sqlite")
    fill(store)
    tickers = [t for t in store.stored_tickers() if t != "BTC-USD"]
    store.write_events(many_events(tickers, 5000))
    tmp = Path(tempfile.mkdtemp())
    settings = Settings(database_url=store.url, data_dir=tmp, cache_dir=tmp / "cache")
    app = create_app(settings)
    cache = app.server.extensions["minerdash"].cache
    print(f"overview with {len(store.read_events())} stored events ({len(tickers)} tickers hold them):")
    for label, start in (("1 year", "2025-05-29"), ("5 years", "2021-05-29")):
        payload = overview_payload(app, MINERS, start, "2026-05-29")
        bare = callback_times(app, payload)
        worked = callback_times(app, payload, prepare=lambda: warm_after_refresh(settings, cache))
        print(f"  4 miners, {label}: cold {bare['cold'] * 1000:6.0f} ms | cold after the worker "
              f"{worked['cold'] * 1000:6.0f} ms | warm {bare['warm'] * 1000:5.1f} ms | "
              f"response {bare['size'] / 1024:6.1f} KB")


def main():
    yf.set_tz_cache_location(tempfile.mkdtemp())
    url = sys.argv[1] if len(sys.argv) > 1 else None
    refresh_from_replay(url, 4)
    refresh_from_replay(url, 50)
    overview_with_events(url)
    print(f"(run {date.today()})")


if __name__ == "__main__":
    main()
