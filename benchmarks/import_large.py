"""A 200 MB price file through ``minerdash import-csv``: time, peak memory, progress lines.

Usage: python benchmarks/import_large.py [--megabytes 200] [--db URL]
Builds a long-format file (our own export's columns, a ticker column) of real bars: MARA's
history from ../shared/market-data (or the bundled snapshot) repeated under as many symbols as the
size needs. Runs the real command in a child process and reads its peak resident memory from the
kernel (getrusage of the child), so the figure is the command's own, interpreter included.
"""

import argparse
import csv
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import csv_files


def build(path: Path, megabytes: int) -> tuple[int, int]:
    source = next(iter(csv_files(["MARA"])))
    with source.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    written = 0
    with path.open("w", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["date", "ticker", "open", "high", "low", "close", "adj_close", "volume"])
        n = 0
        while out.tell() < megabytes * 1_000_000:
            symbol = f"T{n:04d}"
            writer.writerows([r["Date"], symbol, r["Open"], r["High"], r["Low"], r["Close"],
                              r.get("Adj Close", r["Close"]), r["Volume"]] for r in rows)
            written += len(rows)
            n += 1
    return written, n


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--megabytes", type=int, default=200)
    parser.add_argument("--db", default=None)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    path = tmp / "large.csv"
    rows, tickers = build(path, min(args.megabytes, 2000))
    size = path.stat().st_size
    db = args.db or f"sqlite:///{tmp / 'import.sqlite'}"
    command = [sys.executable, "-m", "dashboard", "--db", db, "import-csv", str(path)]
    began = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - began
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    progress = [line for line in done.stderr.splitlines() if line.strip()]
    print(f"file {size / 1e6:.0f} MB, {rows:,} rows, {tickers} tickers; exit {done.returncode}")
    print(f"import: {elapsed:.1f} s ({rows / elapsed:,.0f} rows/s); peak RSS {peak / 1e6:.0f} MB "
          f"= {peak / size:.2f}× the file")
    print(f"{len(progress)} progress lines on stderr; first: {progress[0] if progress else '-'}")
    print(f"  last: {progress[-1] if progress else '-'}")
    if done.returncode:
        print(done.stderr[-2000:])


if __name__ == "__main__":
    main()
