"""The bundled snapshot: real daily prices of the default universe, so a first run works offline.

``data/snapshot/prices.csv.gz`` holds MARA, RIOT, CLSK, HUT, BTC-USD and QQQ from 2020-06-01
(see its README for where the values come from). Loaded into an empty store by ``serve`` and the
release step; into a non-empty store it only adds the dates that are missing. A later ``fetch``
replaces snapshot rows with live ones.
"""

import csv
import gzip
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from dashboard.bar_changes import WriteReport
from dashboard.config import PROJECT_DIR
from dashboard.errors import StoreNotReady
from dashboard.sources.csv_file import read_price_csv
from dashboard.store import Store

SNAPSHOT_SOURCE = "snapshot"


def snapshot_path() -> Path:
    """Installed as ``dashboard.data/snapshot`` in a wheel, read in place from a checkout."""
    try:
        path = Path(str(resources.files("dashboard.data") / "snapshot" / "prices.csv.gz"))
    except ModuleNotFoundError:
        path = PROJECT_DIR / "data" / "snapshot" / "prices.csv.gz"
    return path


def load_snapshot(store: Store, progress: Callable[[str], None] = lambda m: None) -> dict[str, WriteReport]:
    """Write the snapshot: whole tickers where none are stored, else only their missing dates.

    The caller holds the writer lock.
    """
    parsed = read_price_csv(snapshot_path())
    store.create_or_migrate()
    stored = store.last_dates()
    reports = {}
    for ticker, bars in parsed.frames.items():
        if ticker in stored:
            have = set(store.read_prices([ticker], include_partial=True)["date"])
            bars = bars[~bars["date"].isin(have)]
        reports[ticker] = store.write_bars(ticker, bars, SNAPSHOT_SOURCE, fields=parsed.fields,
                                           claim_source=ticker not in stored)
        progress(f"{ticker}: {reports[ticker].added} snapshot rows added")
    return reports


def is_empty(store: Store) -> bool:
    """True when the store holds no prices (or no tables yet)."""
    try:
        return not store.last_dates()
    except StoreNotReady:
        return True


def write_snapshot_csvs(directory: Path) -> Path:
    """The snapshot as one Yahoo-format CSV per ticker in ``directory``, with the same cell strings
    (for tests and benchmarks, which read prices as files)."""
    rows: dict[str, list[list[str]]] = {}
    with gzip.open(snapshot_path(), "rt", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        for date, ticker, *values in reader:
            rows.setdefault(ticker, []).append([date, *values])
    for ticker, lines in rows.items():
        with (directory / f"{ticker}.csv").open("w", newline="") as out:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(["Date", "Open", "High", "Low", "Close", "Volume"])
            writer.writerows(lines)
    return directory
