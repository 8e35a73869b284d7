"""Price files: Yahoo's export format, or our own long export (a ``ticker`` column, many tickers).

Headers: ``Date,Open,High,Low,Close,Adj Close,Volume`` or any subset with Date and Close, in
Yahoo's or our spelling, plus an optional ``Ticker`` column. Without ``Adj Close`` the adjusted
close is the close (and a stored adjusted close is left as it is). Files are streamed in chunks
and converted column by column, with progress, so a 200 MB file needs a fraction of its size in
memory. Every problem names the file and its own line (the header is line 1). Yahoo's literal
``null`` rows are skipped with a warning; any other bad row rejects the file, so nothing is
imported from a file we could not read whole.
"""

import csv
import gzip
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from dashboard.bars import VALUE_FIELDS, bar_problems
from dashboard.errors import InputError
from dashboard.sources import FetchResult
from dashboard.symbols import normalize_symbol

_HEADER_MAP = {
    "date": "date", "open": "open", "high": "high", "low": "low", "close": "close",
    "adj close": "adj_close", "adj_close": "adj_close", "adjclose": "adj_close",
    "volume": "volume", "ticker": "ticker", "symbol": "ticker",
}
CHUNK_ROWS = 100_000
_SHOWN_PROBLEMS = 5
_KEPT_PROBLEMS = 1000
_TIME_SUFFIX = r"^(?:[ T]\d\d:\d\d.*)?$"  # yfinance writes "2024-12-06 00:00:00+00:00"


@dataclass
class ParsedCsv:
    """One file's bars per ticker, and the value fields the file really carries."""

    path: Path
    frames: dict[str, pd.DataFrame]
    fields: tuple[str, ...]
    warnings: list[str] = field(default_factory=list)
    rows: int = 0

    @property
    def ticker(self) -> str:
        """The file's only ticker (a long file with several has no single one)."""
        if len(self.frames) != 1:
            raise InputError(f"{self.path}: holds {len(self.frames)} tickers, not one")
        return next(iter(self.frames))

    @property
    def bars(self) -> pd.DataFrame:
        return self.frames[self.ticker]


class _Problems:
    def __init__(self, path: Path):
        self.path, self.items, self.count = path, [], 0

    def add(self, line: int, message: str) -> None:
        self.count += 1
        if len(self.items) < _KEPT_PROBLEMS:
            self.items.append((line, message))

    def raise_if_any(self) -> None:
        if not self.count:
            return
        shown = "; ".join(f"line {line}: {message}" for line, message in sorted(self.items)[:_SHOWN_PROBLEMS])
        more = self.count - min(self.count, _SHOWN_PROBLEMS)
        suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more > 0 else ""
        raise InputError(f"{self.path}: rejected, nothing imported: {shown}{suffix}")


def ticker_from_filename(path: Path) -> str:
    stem = path.name.split(".csv")[0] if ".csv" in path.name.lower() else path.stem
    try:
        return normalize_symbol(stem)
    except InputError as exc:
        raise InputError(f"{path}: the file name does not give a ticker ({exc}); "
                         "name the file TICKER.csv or pass --ticker") from None


def read_price_csv(
    path: Path | str,
    ticker: str | None = None,
    progress: Callable[[str], None] | None = None,
    today: date | None = None,
) -> ParsedCsv:
    """Parse and validate one file; raise InputError listing its problems, else return its bars."""
    path = Path(path)
    try:
        raw = path.open("rb")
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"{path}: cannot read file: {exc.strerror}") from None
    binary = gzip.GzipFile(fileobj=raw) if path.suffix == ".gz" else raw
    handle = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
    problems, warnings, parts = _Problems(path), [], []
    with raw, handle:
        reader = csv.reader(handle)
        header = _header(reader, path)
        columns = [_HEADER_MAP.get(h.strip().lower()) for h in header]
        index = {name: i for i, name in enumerate(columns) if name is not None}
        if "ticker" in index and ticker:
            raise InputError(f"{path}: --ticker cannot be used with a file that has a Ticker column")
        symbol = None if "ticker" in index else (normalize_symbol(ticker) if ticker
                                                  else ticker_from_filename(path))
        width, rows, lines, total = len(header), [], [], 0
        try:
            for row in reader:
                if len(row) != width:
                    if row and "".join(row).strip():
                        problems.add(reader.line_num, f"expected {width} fields, found {len(row)}")
                    continue
                rows.append(row)
                lines.append(reader.line_num)
                if len(rows) >= CHUNK_ROWS:
                    parts.append(_chunk(rows, lines, index, symbol, problems, warnings, path, today))
                    total += len(rows)
                    rows, lines = [], []
                    if progress:
                        progress(f"{path.name}: {total:,} rows read ({raw.tell() * 100 // max(size, 1)}%)")
        except (csv.Error, UnicodeDecodeError, OSError, EOFError) as exc:
            problems.add(reader.line_num, f"unreadable CSV ({exc})")
        if rows:
            parts.append(_chunk(rows, lines, index, symbol, problems, warnings, path, today))
    problems.raise_if_any()
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    if frame.empty:
        raise InputError(f"{path}: no price rows found")
    _check_duplicates(frame, problems, long="ticker" in index)
    problems.raise_if_any()
    fields = tuple(f for f in VALUE_FIELDS if f in index)
    frames = {t: g.drop(columns=["ticker", "line"]).sort_values("date", ignore_index=True)
              for t, g in frame.groupby("ticker", sort=True, observed=True)}
    return ParsedCsv(path, frames, fields, warnings, len(frame))


def _header(reader, path: Path) -> list[str]:
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(f"{path}: line 1: the file is empty") from None
    except (csv.Error, UnicodeDecodeError, OSError, EOFError) as exc:
        raise InputError(f"{path}: line 1: not a CSV file ({exc})") from None
    names = [_HEADER_MAP.get(h.strip().lower()) for h in header]
    missing = [name for name in ("date", "close") if name not in names]
    if missing:
        raise InputError(
            f"{path}: line 1: missing required column(s) {', '.join(n.title() for n in missing)}; "
            "expected Date,Open,High,Low,Close,Adj Close,Volume (optionally Ticker) or Date,Close")
    return header


def _chunk(rows, lines, index, symbol, problems, warnings, path, today) -> pd.DataFrame:
    """One chunk of raw rows → typed bars (date, ticker, values, line); problems recorded."""
    raw = pd.DataFrame(rows, dtype=object)
    line = np.asarray(lines, dtype=np.int64)
    text = {name: raw[i].str.strip() for name, i in index.items()}
    keep = np.ones(len(raw), dtype=bool)
    blank = np.logical_and.reduce([t.eq("").to_numpy() for t in text.values()])
    keep &= ~blank
    values = [t.str.lower().eq("null").to_numpy() for name, t in text.items() if name not in ("date", "ticker")]
    nulls = np.logical_and.reduce(values) & keep if values else np.zeros(len(raw), bool)
    for i in np.flatnonzero(nulls):
        warnings.append(f"{path}: line {line[i]}: skipped Yahoo 'null' row for {text['date'].iloc[i]}")
    keep &= ~nulls
    dates = pd.to_datetime(text["date"].str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
    bad_date = (dates.isna() | ~text["date"].str.slice(10).str.match(_TIME_SUFFIX)).to_numpy() & keep
    for i in np.flatnonzero(bad_date):
        problems.add(line[i], f"unparsable date {raw[index['date']].iloc[i]!r}")
    keep &= ~bad_date
    out = pd.DataFrame({"date": dates})
    for name in VALUE_FIELDS:
        if name not in text:
            out[name] = np.nan
            continue
        number = pd.to_numeric(text[name], errors="coerce").astype("float64")
        bad = (text[name].ne("") & (number.isna() | np.isinf(number))).to_numpy() & keep
        for i in np.flatnonzero(bad):
            problems.add(line[i], f"unparsable {name} {raw[index[name]].iloc[i]!r}")
        keep &= ~bad
        out[name] = number
    if "adj_close" not in text:
        out["adj_close"] = out["close"]
    else:
        out["adj_close"] = out["adj_close"].fillna(out["close"])
    out["ticker"] = _tickers(text.get("ticker"), symbol, line, keep, problems)
    out["line"] = line
    out = out[keep & out["ticker"].notna().to_numpy()].reset_index(drop=True)
    for ticker, group in out.groupby("ticker", sort=False):
        for position, message in bar_problems(group, ticker, today):
            problems.add(int(group["line"].iloc[position]), message)
    return out.astype({"ticker": "category"})


def _tickers(column: pd.Series | None, symbol: str | None, line, keep, problems) -> pd.Series:
    if column is None:
        return pd.Series(symbol, index=range(len(line)), dtype=object)
    normalized = {}
    for raw in column[keep].unique():
        try:
            normalized[raw] = normalize_symbol(raw)
        except InputError as exc:
            first = int(line[np.flatnonzero(column.eq(raw).to_numpy() & keep)[0]])
            problems.add(first, str(exc))
            normalized[raw] = None
    return column.map(normalized)


def _check_duplicates(frame: pd.DataFrame, problems: _Problems, long: bool) -> None:
    repeated = frame.duplicated(["ticker", "date"], keep=False)
    if not repeated.any():
        return
    for _key, group in frame[repeated].groupby(["ticker", "date"], observed=True):
        first, *others = group["line"].tolist()
        for line in others:
            who = f" of {group['ticker'].iloc[0]}" if long else ""
            problems.add(line, f"duplicate date {group['date'].iloc[0]:%Y-%m-%d}{who} "
                               f"(first on line {first})")


class CsvDirectorySource:
    """Serves ``<directory>/<TICKER>.csv`` files as a source: offline demos, tests, benchmarks."""

    def __init__(self, directory: Path | str):
        self.directory = Path(directory)
        self.name = f"csv:{self.directory}"

    def fetch(self, symbols: Sequence[str], start: date | None = None,
              end: date | None = None) -> FetchResult:
        result = FetchResult()
        for symbol in symbols:
            path = self.directory / f"{symbol}.csv"
            if not path.exists():
                result.errors[symbol] = f"no data: {path} does not exist"
                continue
            try:
                bars = read_price_csv(path, symbol).bars
            except InputError as exc:
                result.errors[symbol] = str(exc)
                continue
            if start is not None:
                bars = bars[bars["date"] >= pd.Timestamp(start)]
            if end is not None:
                bars = bars[bars["date"] <= pd.Timestamp(end)]
            result.bars[symbol] = bars.reset_index(drop=True)
        return result
