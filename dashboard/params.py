"""The parameters of every view: parsed from URLs, controls and options, validated, bounded, and
written back to URLs. One object per kind of view, so the pages and the CLI read them alike.

``parse`` raises InputError on the first bad value (controls, CLI). ``from_link`` keeps what is
good in a URL and names what it ignored, for the "Ignored part of the link" notice.
"""

from dataclasses import dataclass, field, fields, replace
from datetime import date
from urllib.parse import urlencode

import pandas as pd

from dashboard.analytics.event_study import MODELS, Windows
from dashboard.errors import InputError
from dashboard.events.model import CATEGORIES, DEFAULT_CATEGORIES, ORIGINS
from dashboard.symbols import normalize_symbol, parse_symbols

RANGES = ("1M", "3M", "6M", "YTD", "1Y", "5Y", "All")
SCALES = ("linear", "log")
UNITS = ("pair", "event")
_EARLIEST, _LATEST = date(1970, 1, 1), date(2100, 1, 1)
_MAX_TEXT = 2_000  # any single raw parameter longer than this is refused before parsing


def _bounded(value, name: str):
    if isinstance(value, str) and len(value) > _MAX_TEXT:
        raise InputError(f"{name} is too long ({len(value):,} characters)")
    if isinstance(value, list | tuple) and len(value) > 200:
        raise InputError(f"{name} has too many items ({len(value):,})")
    return value


def parse_day(value, name: str) -> date | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str | date):
        raise InputError(f"{name} must be a date in YYYY-MM-DD form")
    text = str(_bounded(value, name))[:10]
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{name} {str(value)[:40]!r} is not a date in YYYY-MM-DD form") from None
    if not _EARLIEST <= day <= _LATEST:
        raise InputError(f"{name} {day} is out of range ({_EARLIEST} to {_LATEST})")
    return day


def parse_choices(value, name: str, allowed: tuple[str, ...], default: tuple[str, ...]) -> tuple[str, ...]:
    """Known values from a comma string or a list, in ``allowed`` order; None means ``default``."""
    if value is None:
        return default
    _bounded(value, name)
    if not isinstance(value, str | list | tuple):
        raise InputError(f"{name} must be a comma-separated list")
    items = value.split(",") if isinstance(value, str) else list(value)
    chosen = [str(i).strip().lower()[:40] for i in items if str(i).strip()]
    unknown = [c for c in chosen if c not in allowed]
    if unknown:
        raise InputError(f"unknown {name} {', '.join(unknown[:5])}: use {', '.join(allowed)}")
    return tuple(c for c in allowed if c in chosen)


def parse_choice(value, name: str, allowed: tuple[str, ...], default: str) -> str:
    if value in (None, ""):
        return default
    text = str(_bounded(value, name)).strip().lower()
    if text not in allowed:
        raise InputError(f"unknown {name} {text[:40]!r}: use {' or '.join(allowed)}")
    return text


def parse_int(value, name: str, default: int) -> int:
    if value in (None, ""):
        return default
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InputError(f"{name} must be a whole number")
    try:
        number = float(str(_bounded(value, name)).strip())
    except ValueError:
        raise InputError(f"{name} {str(value)[:20]!r} is not a whole number") from None
    if not number.is_integer():
        raise InputError(f"{name} {value} is not a whole number")
    return int(number)


def parse_flag(value) -> bool:
    if isinstance(value, list | tuple):
        return bool(value)
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def range_start(label: str, last: date, first: date | None = None) -> date | None:
    """Start date of a range button ending at ``last`` (``first`` for All)."""
    offsets = {"1M": pd.DateOffset(months=1), "3M": pd.DateOffset(months=3),
               "6M": pd.DateOffset(months=6), "1Y": pd.DateOffset(years=1),
               "5Y": pd.DateOffset(years=5)}
    if label == "YTD":
        return date(last.year, 1, 1)
    if label == "All":
        return first
    if label not in offsets:
        raise InputError(f"unknown range {str(label)[:10]!r}: use {', '.join(RANGES)}")
    return (pd.Timestamp(last) - offsets[label]).date()


def _lenient(cls, raw: dict) -> tuple[object, list[str]]:
    """``cls.parse(**raw)`` keeping each good part; the bad parts fall back to defaults."""
    problems, good = [], {}
    for name, value in raw.items():
        try:
            cls.parse(**{name: value})
            good[name] = value
        except InputError as exc:
            problems.append(str(exc))
    try:
        return cls.parse(**good), problems
    except InputError as exc:  # parts good alone but not together (start after end)
        return cls.parse(), [*problems, str(exc)]


def _query(params: dict) -> str:
    present = {k: v for k, v in params.items() if v not in (None, "")}
    return "?" + urlencode(present, safe=",") if present else ""


@dataclass(frozen=True)
class View:
    """The overview: tickers, date range, event categories and origins, y-axis scale."""

    tickers: tuple[str, ...] = ()
    start: date | None = None
    end: date | None = None
    categories: tuple[str, ...] = DEFAULT_CATEGORIES
    origins: tuple[str, ...] = ORIGINS
    scale: str = "linear"

    @classmethod
    def parse(cls, tickers=None, start=None, end=None, categories=None, origins=None,
              scale=None) -> "View":
        view = cls(tickers=tuple(parse_symbols(tickers)),
                   start=parse_day(start, "start"), end=parse_day(end, "end"),
                   categories=parse_choices(categories, "categories", CATEGORIES, DEFAULT_CATEGORIES),
                   origins=parse_choices(origins, "origins", ORIGINS, ORIGINS),
                   scale=parse_choice(scale, "scale", SCALES, "linear"))
        if view.start and view.end and view.start > view.end:
            raise InputError(f"start {view.start} is after end {view.end}")
        return view

    @classmethod
    def from_link(cls, **raw) -> tuple["View", list[str]]:
        return _lenient(cls, {k: v for k, v in raw.items() if k in {f.name for f in fields(cls)}})

    def query(self) -> str:
        """``?tickers=…&start=…&end=…&categories=…``, omitting what is unset or default."""
        return _query({
            "tickers": ",".join(self.tickers),
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "categories": ",".join(self.categories) if self.categories != DEFAULT_CATEGORIES else None,
            "origins": ",".join(self.origins) if self.origins != ORIGINS else None,
            "scale": self.scale if self.scale != "linear" else None,
        })


@dataclass(frozen=True)
class StudyParams:
    """A single-event study: tickers (empty = the event's own), benchmark (None = configured),
    model and factor, windows, and whether EW leaves out confounded tickers."""

    tickers: tuple[str, ...] = ()
    benchmark: str | None = None
    model: str = "market"
    factor: str | None = None
    windows: Windows = field(default_factory=Windows)
    exclude_confounded: bool = False

    @classmethod
    def parse(cls, tickers=None, benchmark=None, model=None, factor=None, estimation=None, gap=None,
              pre=None, post=None, exclude=None) -> "StudyParams":
        defaults = Windows()
        windows = Windows(estimation=parse_int(estimation, "estimation", defaults.estimation),
                          gap=parse_int(gap, "gap", defaults.gap),
                          pre=parse_int(pre, "pre", defaults.pre),
                          post=parse_int(post, "post", defaults.post)).validate()
        return cls(tickers=tuple(parse_symbols(tickers)),
                   benchmark=normalize_symbol(benchmark) if benchmark else None,
                   model=parse_choice(model, "model", MODELS, "market"),
                   factor=normalize_symbol(factor) if factor else None,
                   windows=windows, exclude_confounded=parse_flag(exclude) if exclude else False)

    @classmethod
    def from_link(cls, **raw) -> tuple["StudyParams", list[str]]:
        names = ("tickers", "benchmark", "model", "factor", "estimation", "gap", "pre", "post", "exclude")
        return _lenient(cls, {k: v for k, v in raw.items() if k in names})

    def resolved(self, benchmark: str, factor: str) -> "StudyParams":
        """Defaults filled in: the configured benchmark, and the factor when two-factor."""
        return replace(self, benchmark=self.benchmark or benchmark,
                       factor=(self.factor or factor) if self.model == "two-factor" else None)

    def query(self, windows_always: bool = True) -> str:
        """The event page's link writes every window; other pages leave out the defaults."""
        w, default = self.windows, Windows()
        shown = {name: getattr(w, name) for name in ("estimation", "gap", "pre", "post")
                 if windows_always or getattr(w, name) != getattr(default, name)}
        return _query({
            "tickers": ",".join(self.tickers), "benchmark": self.benchmark, **shown,
            "model": self.model if self.model != "market" else None,
            "factor": self.factor if self.model != "market" else None,
            "exclude": "1" if self.exclude_confounded else None,
        })


@dataclass(frozen=True)
class Selection:
    """Which events a cross-event study takes: ids, or categories, origins, a ticker and dates."""

    ids: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    origins: tuple[str, ...] = ()
    ticker: str | None = None
    since: date | None = None
    until: date | None = None

    @classmethod
    def parse(cls, ids=None, categories=None, origins=None, ticker=None, since=None,
              until=None) -> "Selection":
        raw_ids = ids.split(",") if isinstance(ids, str) else list(ids or ())
        if len(raw_ids) > 500:
            raise InputError(f"too many event ids: {len(raw_ids):,} given, at most 500")
        selection = cls(ids=tuple(dict.fromkeys(str(i).strip()[:160] for i in raw_ids if str(i).strip())),
                        categories=parse_choices(categories, "categories", CATEGORIES, ()),
                        origins=parse_choices(origins, "origins", ORIGINS, ()),
                        ticker=normalize_symbol(ticker) if ticker else None,
                        since=parse_day(since, "since"), until=parse_day(until, "until"))
        if selection.since and selection.until and selection.since > selection.until:
            raise InputError(f"since {selection.since} is after until {selection.until}")
        return selection

    def matches(self, event) -> bool:
        if self.ids:
            return event.id in self.ids
        return ((not self.categories or event.category in self.categories)
                and (not self.origins or event.origin in self.origins)
                and (self.ticker is None or event.applies_to(self.ticker))
                and (self.since is None or event.session >= self.since)
                and (self.until is None or event.session <= self.until))

    def query_params(self) -> dict:
        return {"events": ",".join(self.ids), "categories": ",".join(self.categories),
                "origins": ",".join(self.origins), "ticker": self.ticker,
                "since": self.since.isoformat() if self.since else None,
                "until": self.until.isoformat() if self.until else None}


@dataclass(frozen=True)
class CaarParams:
    """A cross-event study: the selection, the unit, and the single-event study behind each unit."""

    selection: Selection = field(default_factory=Selection)
    study: StudyParams = field(default_factory=StudyParams)
    unit: str = "pair"

    @classmethod
    def parse(cls, events=None, categories=None, origins=None, ticker=None, since=None, until=None,
              unit=None, **study) -> "CaarParams":
        return cls(selection=Selection.parse(events, categories, origins, ticker, since, until),
                   study=StudyParams.parse(**study), unit=parse_choice(unit, "unit", UNITS, "pair"))

    @classmethod
    def from_link(cls, **raw) -> tuple["CaarParams", list[str]]:
        names = ("events", "categories", "origins", "ticker", "since", "until", "unit", "tickers",
                 "benchmark", "model", "factor", "estimation", "gap", "pre", "post", "exclude")
        return _lenient(cls, {k: v for k, v in raw.items() if k in names})

    def query(self) -> str:
        study = self.study.query(windows_always=False).lstrip("?")
        own = _query({**self.selection.query_params(), "unit": self.unit if self.unit != "pair" else None})
        return "?" + "&".join(p for p in (own.lstrip("?"), study) if p) if own or study else ""
