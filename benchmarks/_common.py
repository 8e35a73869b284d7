"""Helpers for the benchmark scripts: the shared data, a filled store, medians."""

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MARKET_DATA = ROOT.parent / "shared" / "market-data"
MINERS = ["MARA", "RIOT", "CLSK", "HUT"]


def require_data() -> Path:
    if not MARKET_DATA.is_dir():
        sys.exit(f"shared market data not found at {MARKET_DATA}")
    return MARKET_DATA


def fill(store):
    from dashboard.sources.csv_file import read_price_csv

    for path in sorted(require_data().glob("*.csv")):
        parsed = read_price_csv(path)
        store.write_bars(parsed.ticker, parsed.bars, f"csv:{path.name}")
    return store


def timed(function, repeat: int = 5) -> tuple[float, list[float]]:
    """Median wall time of ``repeat`` calls, in seconds, and every sample."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), samples


def overview_payload(tickers, start, end, categories, theme="light") -> dict:
    """The JSON Dash's renderer posts for the overview callback."""
    outputs = [("overview-graph", "figure"), ("overview-table", "rowData"),
               ("overview-message", "children"), ("overview-table-note", "children"),
               ("overview-freshness", "children")]
    inputs = [("overview-tickers", "value", tickers), ("overview-dates", "start_date", start),
              ("overview-dates", "end_date", end), ("overview-categories", "value", categories),
              ("theme-store", "data", theme)]
    return {
        "output": ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..",
        "outputs": [{"id": i, "property": p} for i, p in outputs],
        "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
        "changedPropIds": ["overview-tickers.value"],
        "state": [],
    }
