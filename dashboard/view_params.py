"""URL and control values of a view (tickers, start, end, categories): parsed, validated, bounded."""

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

import pandas as pd

from dashboard.errors import InputError
from dashboard.events.catalogue import CATEGORIES
from dashboard.symbols import parse_symbols

RANGES = ("1M", "3M", "6M", "YTD", "1Y", "5Y", "All")
_EARLIEST = date(1970, 1, 1)


def parse_day(value, name: str) -> date | None:
    if value in (None, ""):
        return None
    text = str(value)[:10]
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{name} {str(value)[:40]!r} is not a date in YYYY-MM-DD form") from None
    if day < _EARLIEST or day > date(2100, 1, 1):
        raise InputError(f"{name} {day} is out of range")
    return day


def parse_categories(value) -> list[str]:
    """Known categories from a comma string or a list; None means all."""
    if value is None:
        return list(CATEGORIES)
    items = value.split(",") if isinstance(value, str) else list(value)
    chosen = [str(i).strip().lower() for i in items if str(i).strip()]
    unknown = [c for c in chosen if c not in CATEGORIES]
    if unknown:
        raise InputError(f"unknown categor{'y' if len(unknown) == 1 else 'ies'} {', '.join(unknown)}: "
                         f"use {', '.join(CATEGORIES)}")
    return [c for c in CATEGORIES if c in chosen]


@dataclass(frozen=True)
class View:
    tickers: tuple[str, ...]
    start: date | None
    end: date | None
    categories: tuple[str, ...]

    @classmethod
    def parse(cls, tickers=None, start=None, end=None, categories=None) -> "View":
        view = cls(
            tickers=tuple(parse_symbols(tickers)),
            start=parse_day(start, "start"),
            end=parse_day(end, "end"),
            categories=tuple(parse_categories(categories)),
        )
        if view.start and view.end and view.start > view.end:
            raise InputError(f"start {view.start} is after end {view.end}")
        return view

    def query(self) -> str:
        """``?tickers=…&start=…&end=…&categories=…``, omitting what is unset."""
        params = {}
        if self.tickers:
            params["tickers"] = ",".join(self.tickers)
        if self.start:
            params["start"] = self.start.isoformat()
        if self.end:
            params["end"] = self.end.isoformat()
        if set(self.categories) != set(CATEGORIES):
            params["categories"] = ",".join(self.categories)
        return "?" + urlencode(params, safe=",") if params else ""


def range_start(label: str, last: date, first: date | None = None) -> date | None:
    """Start date of a range button ending at ``last`` (None for All)."""
    end = pd.Timestamp(last)
    offsets = {"1M": pd.DateOffset(months=1), "3M": pd.DateOffset(months=3),
               "6M": pd.DateOffset(months=6), "1Y": pd.DateOffset(years=1),
               "5Y": pd.DateOffset(years=5)}
    if label == "YTD":
        return date(last.year, 1, 1)
    if label == "All":
        return first
    if label not in offsets:
        raise InputError(f"unknown range {label!r}: use {', '.join(RANGES)}")
    return (end - offsets[label]).date()
