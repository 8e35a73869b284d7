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
        from tests.conftest import write_snapshot_csvs

        files = sorted(write_snapshot_csvs(Path(tempfile.mkdtemp())).glob("*.csv"))
    return [f for f in files if tickers is None or f.stem in tickers]


def fill(store, tickers=None):
    from dashboard.sources.csv_file import read_price_csv

    for path in csv_files(tickers):
        parsed = read_price_csv(path)
        store.write_bars(parsed.ticker, parsed.bars, f"csv:{path.name}", fields=parsed.fields)
    return store


def timed(function, repeat: int = 5) -> tuple[float, list[float]]:
    """Median wall time of ``repeat`` calls, in seconds, and every sample."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), samples


def overview_payload(tickers, start, end, categories, origins, scale="linear", theme="light") -> dict:
    """The JSON Dash's renderer posts for the overview callback."""
    outputs = [("overview-graph", "figure"), ("overview-table", "rowData"),
               ("overview-message", "children"), ("overview-table-note", "children"),
               ("overview-freshness", "children")]
    inputs = [("overview-tickers", "value", tickers), ("overview-dates", "start_date", start),
              ("overview-dates", "end_date", end), ("overview-categories", "value", categories),
              ("overview-origins", "value", origins), ("overview-scale", "value", scale),
              ("theme-store", "data", theme)]
    return {
        "output": ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..",
        "outputs": [{"id": i, "property": p} for i, p in outputs],
        "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
        "changedPropIds": ["overview-tickers.value"],
        "state": [],
    }
