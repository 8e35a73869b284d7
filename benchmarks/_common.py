"""Helpers for the benchmark scripts: real prices, a filled store, medians, callback payloads."""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MARKET_DATA = Path(os.environ.get("MINERDASH_MARKET_DATA", ROOT.parent / "shared" / "market-data"))
MINERS = ["MARA", "RIOT", "CLSK", "HUT"]


def csv_files(tickers=None) -> list[Path]:
    """One Yahoo-format CSV per ticker: ../shared/market-data, else the bundled snapshot's."""
    if MARKET_DATA.is_dir():
        files = sorted(MARKET_DATA.glob("*.csv"))
    else:
        from dashboard.snapshot import write_snapshot_csvs

        files = sorted(write_snapshot_csvs(Path(tempfile.mkdtemp())).glob("*.csv"))
    return [f for f in files if tickers is None or f.stem in tickers]


def require_data() -> Path:
    if not MARKET_DATA.is_dir():
        raise SystemExit(f"needs the shared market data at {MARKET_DATA} (or set MINERDASH_MARKET_DATA)")
    return MARKET_DATA


def fill(store, tickers=None, copies: int = 0):
    """Write the CSVs' bars into ``store``; ``copies`` more tickers (MARA2, RIOT2, …) repeat the
    miners' real bars under new symbols, for universes larger than the data we have."""
    from dashboard.sources.csv_file import read_price_csv

    store.create_or_migrate()
    parsed = {path.stem: read_price_csv(path) for path in csv_files(tickers)}
    for symbol, found in parsed.items():
        store.write_bars(symbol, found.bars, f"csv:{symbol}.csv", fields=found.fields)
    miners = [m for m in MINERS if m in parsed]
    for n in range(copies):
        original = parsed[miners[n % len(miners)]]
        store.write_bars(f"{miners[n % len(miners)]}{n // len(miners) + 2}", original.bars, "copy",
                         fields=original.fields)
    return store


def copy_symbols(copies: int) -> list[str]:
    """The symbols ``fill(..., copies=n)`` adds."""
    return [f"{MINERS[n % len(MINERS)]}{n // len(MINERS) + 2}" for n in range(copies)]


def timed(function, repeat: int = 5) -> tuple[float, list[float]]:
    """Median wall time of ``repeat`` calls, in seconds, and every sample."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), samples


def callback_payload(app, output: str, values: dict) -> dict:
    """The JSON Dash's renderer posts for the callback whose outputs include ``output``
    ("component.property"), built from the app's own callback map; ``values`` maps
    "component.property" to each input's or state's value (None when absent)."""
    key = next(k for k in app.callback_map if f"..{output}.." in k or k == output)
    spec = app.callback_map[key]

    def listed(items):
        return [{**item, "value": values.get(f"{item['id']}.{item['property']}")} for item in items]

    outputs = [dict(zip(("id", "property"), o.rsplit(".", 1), strict=True)) for o in key.strip(".").split("...")]
    inputs = listed(spec["inputs"])
    return {"output": key, "outputs": outputs, "inputs": inputs, "state": listed(spec["state"]),
            "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"]}


def overview_payload(app, tickers, start, end, scale="linear", theme="light") -> dict:
    """The overview callback's request for one view, with every event category and origin."""
    from dashboard.events.model import CATEGORIES, ORIGINS

    return callback_payload(app, "overview-graph.figure", {
        "overview-tickers.value": list(tickers), "overview-dates.start_date": start,
        "overview-dates.end_date": end, "overview-categories.value": list(CATEGORIES),
        "overview-origins.value": list(ORIGINS), "overview-scale.value": scale, "theme-store.data": theme})


def callback_times(app, payload: dict, prepare=None, repeat: int = 5, warm_repeat: int = 30) -> dict:
    """Medians of one callback through Flask's test client: ``cold`` (the cache emptied before each
    call, as a refresh does; ``prepare()`` then runs first, e.g. the worker's warm-up) and ``warm``;
    ``size`` of the answer in bytes."""
    client = app.server.test_client()
    cache = app.server.extensions["minerdash"].cache

    def post():
        response = client.post("/_dash-update-component", json=payload)
        assert response.status_code == 200, response.data[:300]
        return response

    cold = []
    for _ in range(repeat):
        cache.clear()
        if prepare is not None:
            prepare()
        began = time.perf_counter()
        post()
        cold.append(time.perf_counter() - began)
    warm, _ = timed(post, repeat=warm_repeat)
    return {"cold": statistics.median(cold), "warm": warm, "size": len(post().data)}
