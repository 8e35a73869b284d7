"""Loading and validating event files: the curated ``data/events.yaml`` plus users' YAML or CSV.

An entry is ``id, title, published, tickers, category, source, summary``. Validation collects
every problem of a file (naming the entry's id or line) before anything is used.
"""

import csv
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd
import yaml

from dashboard.config import PROJECT_DIR
from dashboard.errors import InputError
from dashboard.events.align import FIRST_YEAR, NEW_YORK, event_session
from dashboard.symbols import DEFAULT_BENCHMARK, DEFAULT_UNIVERSE, normalize_symbol

CATEGORIES = ("company", "industry", "policy", "macro", "bitcoin", "market")
FIELDS = ("id", "title", "published", "tickers", "category", "source", "summary")
LIST_COLUMNS = ["id", "published", "session", "title", "category", "tickers", "source"]
# Symbols an event may name even before they are stored: the miners and benchmarks we follow.
KNOWN_TICKERS = frozenset(
    {*DEFAULT_UNIVERSE, DEFAULT_BENCHMARK, "CORZ", "BITF", "HIVE", "BTBT", "BTDR", "ABTC", "IREN",
     "CIFR", "WULF", "ARBK", "GRYP", "SDIG", "BTCS", "IBIT", "QQQ", "SPY", "MSTR", "COIN"}
)
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_MAX_TITLE, _MAX_SUMMARY = 200, 1000


@dataclass(frozen=True)
class Event:
    id: str
    title: str
    published: date | datetime
    session: date
    category: str
    tickers: tuple[str, ...] = ()
    source: str | None = None
    summary: str | None = None
    origin: str = ""
    generated: bool = False

    def applies_to(self, ticker: str) -> bool:
        return not self.tickers or ticker in self.tickers

    @property
    def published_iso(self) -> str:
        """ISO 8601: a date, or a date-time with its offset."""
        return self.published.isoformat()

    @property
    def published_ny(self) -> str:
        """For people: '2025-07-28 21:53 New York', or the date alone."""
        if isinstance(self.published, datetime):
            return self.published.astimezone(NEW_YORK).strftime("%Y-%m-%d %H:%M New York")
        return self.published.isoformat()


@dataclass
class Problem:
    origin: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.origin}: {self.where}: {self.message}"


@dataclass
class ParsedFile:
    origin: str
    events: list[Event] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


class _NoTimestampLoader(yaml.SafeLoader):
    """Safe YAML that keeps dates as text, so we parse them (and report them) ourselves."""


_NoTimestampLoader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def curated_path() -> Path:
    """``data/events.yaml``: installed as ``dashboard.data`` in a wheel, read in place from a checkout."""
    try:
        return Path(str(resources.files("dashboard.data") / "events.yaml"))
    except ModuleNotFoundError:
        return PROJECT_DIR / "data" / "events.yaml"


def parse_published(text: str, today: date | None = None) -> date | datetime:
    """ISO 8601 date or date-time; without an offset a date-time means New York time."""
    value = str(text).strip()
    if not value:
        raise ValueError("published is empty")
    try:
        parsed: date | datetime = (
            date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
        )
    except ValueError:
        raise ValueError(f"published {value!r} is not a valid ISO 8601 date or date-time") from None
    if isinstance(parsed, datetime) and parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=NEW_YORK)
    day = parsed.date() if isinstance(parsed, datetime) else parsed
    limit = (today or datetime.now(UTC).date()) + timedelta(days=365)
    if day.year < FIRST_YEAR:
        raise ValueError(f"published {value} is before {FIRST_YEAR}")
    if day > limit:
        raise ValueError(f"published {value} is more than a year ahead")
    return parsed


def _parse_tickers(raw, known: frozenset[str] | None) -> tuple[str, ...]:
    if raw is None or raw == "":
        return ()
    items = raw if isinstance(raw, list) else re.split(r"[;,]", str(raw))
    symbols = []
    for item in items:
        if str(item).strip():
            symbol = normalize_symbol(str(item))
            if known is not None and symbol not in known:
                raise ValueError(f"unknown ticker {symbol} (not stored and not a known miner)")
            symbols.append(symbol)
    return tuple(dict.fromkeys(symbols))


def build_event(entry: dict, origin: str, known: frozenset[str] | None) -> tuple[Event | None, list[str]]:
    """Validate one entry; returns the event, or None with every problem found."""
    problems = []
    unknown = sorted(set(entry) - set(FIELDS))
    if unknown:
        problems.append(f"unknown field(s) {', '.join(unknown)}")
    event_id = str(entry.get("id") or "").strip()
    if not event_id:
        problems.append("missing id")
    elif not _ID.match(event_id):
        problems.append(f"id {event_id!r} must be lower-case letters, digits and '-'")
    title = entry.get("title")
    if title is None or not str(title).strip():
        problems.append("missing title")
    elif len(str(title)) > _MAX_TITLE:
        problems.append(f"title longer than {_MAX_TITLE} characters")
    published = None
    if entry.get("published") in (None, ""):
        problems.append("missing published")
    else:
        try:
            published = parse_published(entry["published"])
        except ValueError as exc:
            problems.append(str(exc))
    category = str(entry.get("category") or "").strip().lower()
    if category not in CATEGORIES:
        shown = category or "(none)"
        problems.append(f"unknown category {shown!r}: use one of {', '.join(CATEGORIES)}")
    source = entry.get("source")
    source = str(source).strip() if source not in (None, "") else None
    if source is not None:
        parts = urlparse(source)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            problems.append(f"source {source!r} is not an http(s) URL")
    summary = entry.get("summary")
    summary = str(summary).strip() if summary not in (None, "") else None
    if summary and len(summary) > _MAX_SUMMARY:
        problems.append(f"summary longer than {_MAX_SUMMARY} characters")
    tickers: tuple[str, ...] = ()
    try:
        tickers = _parse_tickers(entry.get("tickers"), known)
    except (ValueError, InputError) as exc:
        problems.append(str(exc))
    if problems:
        return None, problems
    return (
        Event(
            id=event_id,
            title=str(title).strip(),
            published=published,
            session=event_session(published),
            category=category,
            tickers=tickers,
            source=source,
            summary=summary,
            origin=origin,
        ),
        [],
    )


def _yaml_entries(path: Path, text: str) -> list[tuple[str, object]]:
    try:
        node = yaml.compose(text, Loader=_NoTimestampLoader)
        data = yaml.load(text, Loader=_NoTimestampLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "file"
        raise InputError(f"{path}: {where}: malformed YAML ({getattr(exc, 'problem', exc)})") from None
    if data is None:
        return []
    if not isinstance(data, list):
        raise InputError(f"{path}: line 1: expected a list of events")
    return [(f"line {item.start_mark.line + 1}", entry) for item, entry in zip(node.value, data, strict=True)]


def _csv_entries(path: Path, text: str) -> list[tuple[str, object]]:
    reader = csv.DictReader(text.splitlines())
    if not reader.fieldnames or "id" not in [f.strip() for f in reader.fieldnames]:
        raise InputError(f"{path}: line 1: a CSV events file needs a header with {', '.join(FIELDS)}")
    entries = []
    try:
        for row in reader:
            cleaned = {k.strip(): v for k, v in row.items() if k is not None}
            if None in row:
                cleaned["(extra columns)"] = row[None]
            entries.append((f"line {reader.line_num}", cleaned))
    except csv.Error as exc:
        raise InputError(f"{path}: line {reader.line_num}: malformed CSV ({exc})") from None
    return entries


def parse_file(path: Path | str, known: frozenset[str] | None = None) -> ParsedFile:
    """Every event of one file, and every problem in it (raises InputError if unreadable)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read events file: {exc}") from None
    entries = _csv_entries(path, text) if path.suffix.lower() == ".csv" else _yaml_entries(path, text)
    parsed = ParsedFile(origin=str(path))
    seen: dict[str, str] = {}
    for where, entry in entries:
        if not isinstance(entry, dict):
            parsed.problems.append(Problem(str(path), where, "expected a mapping of event fields"))
            continue
        label = f"{where} (id {entry.get('id')})" if entry.get("id") else where
        event, problems = build_event(entry, str(path), known)
        parsed.problems.extend(Problem(str(path), label, p) for p in problems)
        if event is None:
            continue
        if event.id in seen:
            parsed.problems.append(
                Problem(str(path), label, f"duplicate id {event.id} (first at {seen[event.id]})")
            )
            continue
        seen[event.id] = where
        parsed.events.append(event)
    return parsed


def load_events(
    extra_files=(),
    known: frozenset[str] | None = None,
    include_curated: bool = True,
) -> list[Event]:
    """The curated catalogue plus users' files, sorted by session; any problem raises InputError."""
    paths = ([curated_path()] if include_curated else []) + [Path(p) for p in extra_files]
    events: list[Event] = []
    owner: dict[str, str] = {}
    for path in paths:
        parsed = parse_file(path, known)
        if parsed.problems:
            count = len(parsed.problems)
            raise InputError(
                f"{parsed.problems[0]}" + (f" (and {count - 1} more; run `minerdash events check "
                                           f"{path}`)" if count > 1 else "")
            )
        for event in parsed.events:
            if event.id in owner:
                raise InputError(
                    f"event id {event.id!r} is used twice: in {owner[event.id]} and in {path}"
                )
            owner[event.id] = str(path)
            events.append(event)
    return sorted(events, key=lambda e: (e.session, e.id))


def _slug(ticker: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", ticker.lower()).strip("-")


def events_from_actions(actions: pd.DataFrame) -> list[Event]:
    """Company events generated from stored splits and dividends (ex-dates)."""
    events = []
    for row in actions.itertuples(index=False):
        day = pd.Timestamp(row.date).date()
        if row.kind == "split":
            ratio = row.value
            text = f"{ratio:g}-for-1 stock split" if ratio >= 1 else f"1-for-{1 / ratio:g} reverse split"
        else:
            text = f"dividend of {row.value:g} per share (ex-date)"
        events.append(
            Event(
                id=f"{row.kind}-{_slug(row.ticker)}-{day.isoformat()}",
                title=f"{row.ticker} {text}",
                published=day,
                session=event_session(day),
                category="company",
                tickers=(row.ticker,),
                origin="store",
                generated=True,
            )
        )
    return events


def events_frame(events: list[Event]) -> pd.DataFrame:
    """LIST_COLUMNS plus summary, published_ny, generated and origin; tickers joined by ';' (empty = all)."""
    records = [
        {
            "id": e.id,
            "published": e.published_iso,
            "session": e.session.isoformat(),
            "title": e.title,
            "category": e.category,
            "tickers": ";".join(e.tickers),
            "source": e.source or "",
            "summary": e.summary or "",
            "published_ny": e.published_ny,
            "generated": e.generated,
            "origin": e.origin,
        }
        for e in events
    ]
    frame = pd.DataFrame(records, columns=LIST_COLUMNS + ["summary", "published_ny", "generated", "origin"])
    return frame.sort_values(["session", "id"], kind="stable").reset_index(drop=True)
