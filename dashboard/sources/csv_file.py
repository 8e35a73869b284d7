"""Price files in Yahoo's export format: ``Date,Open,High,Low,Close,Adj Close,Volume``.

Without ``Adj Close`` the adjusted close is the close; close-only files (``Date,Close``) are
accepted. Every problem names the file and its own line number (the header is line 1).
Yahoo's literal ``null`` rows are skipped with a warning; any other bad row rejects the file,
so nothing is imported from a file we could not read whole.
"""

import csv
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from dashboard.errors import InputError
from dashboard.sources import BAR_FIELDS, FetchResult
from dashboard.symbols import normalize_symbol

_HEADER_MAP = {
    "date": "date",
    "open": "open",
    "high": "high",
    "low": "low",
    "close": "close",
    "adj close": "adj_close",
    "adj_close": "adj_close",
    "adjclose": "adj_close",
    "volume": "volume",
}
_MAX_PROBLEMS_SHOWN = 5


@dataclass
class ParsedCsv:
    ticker: str
    bars: pd.DataFrame
    warnings: list[str] = field(default_factory=list)


def _parse_date(text: str) -> date:
    value = text.strip()
    # yfinance writes index values such as "2024-12-06 00:00:00+00:00": keep the calendar date.
    return date.fromisoformat(value[:10]) if len(value) >= 10 else date.fromisoformat(value)


def _parse_number(text: str) -> float | None:
    value = text.strip()
    if value == "":
        return None
    number = float(value)
    if math.isnan(number) or math.isinf(number):
        raise ValueError(value)
    return number


def read_price_csv(path: Path | str, ticker: str | None = None) -> ParsedCsv:
    """Parse and validate one file; raise InputError listing its problems, else return its bars."""
    path = Path(path)
    symbol = normalize_symbol(ticker or path.stem)
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"{path}: cannot read file: {exc.strerror}") from exc
    with handle:
        reader = csv.reader(handle)
        try:
            header = next(reader)
        except StopIteration:
            raise InputError(f"{path}: line 1: the file is empty") from None
        except (csv.Error, UnicodeDecodeError) as exc:
            raise InputError(f"{path}: line 1: not a CSV file ({exc})") from None
        columns = [_HEADER_MAP.get(h.strip().lower()) for h in header]
        missing = [name for name in ("date", "close") if name not in columns]
        if missing:
            raise InputError(
                f"{path}: line 1: missing required column(s) "
                f"{', '.join(n.title() for n in missing)}; expected "
                "Date,Open,High,Low,Close,Adj Close,Volume or Date,Close"
            )
        index = {name: i for i, name in enumerate(columns) if name is not None}
        records, problems, warnings, seen = [], [], [], {}
        try:
            for row in reader:
                line = reader.line_num
                if not row or all(not cell.strip() for cell in row):
                    continue
                problem = _check_row(row, index, line, records, seen, warnings, path)
                if problem:
                    problems.append(problem)
        except (csv.Error, UnicodeDecodeError) as exc:
            problems.append(f"line {reader.line_num}: unreadable CSV ({exc})")
    if problems:
        shown = "; ".join(problems[:_MAX_PROBLEMS_SHOWN])
        more = len(problems) - _MAX_PROBLEMS_SHOWN
        suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more > 0 else ""
        raise InputError(f"{path}: rejected, nothing imported: {shown}{suffix}")
    if not records:
        raise InputError(f"{path}: no price rows found")
    bars = pd.DataFrame(records, columns=BAR_FIELDS).sort_values("date", ignore_index=True)
    bars["date"] = pd.to_datetime(bars["date"])
    return ParsedCsv(symbol, bars, warnings)


def _check_row(row, index, line, records, seen, warnings, path) -> str | None:
    """Append the row's bar to ``records`` or return a description of what is wrong with it."""
    if len(row) < len(index):
        return f"line {line}: expected {len(index)} fields, found {len(row)}"
    cells = {name: row[i] for name, i in index.items()}
    values = [cells[name].strip().lower() for name in cells if name != "date"]
    if values and all(v == "null" for v in values):
        warnings.append(f"{path}: line {line}: skipped Yahoo 'null' row for {cells['date'].strip()}")
        return None
    try:
        day = _parse_date(cells["date"])
    except ValueError:
        return f"line {line}: unparsable date {cells['date']!r}"
    parsed = {}
    for name in ("open", "high", "low", "close", "adj_close", "volume"):
        if name not in cells:
            parsed[name] = None
            continue
        try:
            parsed[name] = _parse_number(cells[name])
        except ValueError:
            return f"line {line}: unparsable {name} {cells[name]!r}"
    if parsed["close"] is None:
        return f"line {line}: missing close"
    for name in ("open", "high", "low", "close", "adj_close"):
        if parsed[name] is not None and parsed[name] <= 0:
            return f"line {line}: {name} must be positive, found {parsed[name]:g}"
    if parsed["high"] is not None and parsed["low"] is not None and parsed["high"] < parsed["low"]:
        return f"line {line}: high {parsed['high']:g} is below low {parsed['low']:g}"
    volume = parsed["volume"]
    if volume is not None and (volume < 0 or volume != int(volume)):
        return f"line {line}: volume must be a whole number ≥ 0, found {cells['volume'].strip()}"
    if day in seen:
        return f"line {line}: duplicate date {day.isoformat()} (first on line {seen[day]})"
    seen[day] = line
    if parsed["adj_close"] is None:
        parsed["adj_close"] = parsed["close"]
    records.append({"date": day, **parsed})
    return None


class CsvDirectorySource:
    """Serves ``<directory>/<TICKER>.csv`` files as a source: offline demos, tests, benchmarks."""

    def __init__(self, directory: Path | str):
        self.directory = Path(directory)
        self.name = f"csv:{self.directory}"

    def fetch(
        self, symbols: Sequence[str], start: date | None = None, end: date | None = None
    ) -> FetchResult:
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
