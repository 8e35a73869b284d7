"""Rebuild data/snapshot/prices.csv.gz, the bundled demo snapshot, from ../shared/market-data.

Usage: python scripts/build_snapshot.py [MARKET_DATA_DIR]
Copies the cells of each ticker's file as they are (the same strings), from 2020-06-01 to the
file's last row, into one long gzip CSV: Date,Ticker,Open,High,Low,Close,Volume.
"""

import csv
import gzip
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TICKERS = ("MARA", "RIOT", "CLSK", "HUT", "BTC-USD", "QQQ")
FIRST = "2020-06-01"


def main() -> None:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "market-data"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Date", "Ticker", "Open", "High", "Low", "Close", "Volume"])
    for ticker in TICKERS:
        with (source / f"{ticker}.csv").open(newline="") as handle:
            for row in csv.DictReader(handle):
                if row["Date"] >= FIRST:
                    writer.writerow([row["Date"], ticker, row["Open"], row["High"], row["Low"],
                                     row["Close"], row["Volume"]])
    target = ROOT / "data" / "snapshot" / "prices.csv.gz"
    with target.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as gz:
        gz.write(out.getvalue().encode())
    print(f"wrote {target} ({target.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
