"""Event files: the curated ``data/events.yaml`` and users' own YAML or CSV files.

An entry is ``id, title, published, tickers, category, source, summary``. Validation collects
every problem of a file (naming the entry's id or line) before anything is used. Files are
bounded (size, entries) and YAML aliases are refused, so a hostile file is rejected at once
rather than expanded ("billion laughs").
"""

import csv
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from pathlib import Path
from urllib.parse import urlparse

import yaml

from dashboard.calendars import FIRST_YEAR, NEW_YORK
from dashboard.config import PROJECT_DIR
from dashboard.errors import InputError
from dashboard.events.align import event_session
from dashboard.events.model import CATEGORIES, Event
from dashboard.symbols import DEFAULT_BENCHMARK, DEFAULT_FACTOR, DEFAULT_UNIVERSE, normalize_symbol

FIELDS = ("id", "title", "published", "tickers", "category", "source", "summary")
# Symbols an event may name even before they are stored: the miners and benchmarks we follow.
KNOWN_TICKERS = frozenset(
    {*DEFAULT_UNIVERSE, DEFAULT_BENCHMARK, DEFAULT_FACTOR, "CORZ", "BITF", "HIVE", "BTBT", "BTDR",
     "ABTC", "IREN", "CIFR", "WULF", "ARBK", "GRYP", "SDIG", "BTCS", "IBIT", "SPY", "MSTR", "COIN"}
)
MAX_FILE_BYTES = 2_000_000
MAX_ENTRIES = 5_000
MAX_TICKERS_PER_EVENT = 50
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_MAX_ID, _MAX_TITLE, _MAX_SUMMARY, _MAX_URL = 120, 200, 1000, 500


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


class _EventsLoader(yaml.SafeLoader):
    """Safe YAML that keeps dates as text (we parse and report them) and refuses aliases."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed in an events file", mark)
        return super().compose_node(parent, index)


_EventsLoader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def curated_path() -> Path:
    """``data/events.yaml``: installed as ``dashboard.data`` in a wheel, read in place from a checkout."""
    try:
        return Path(str(resources.files("dashboard.data") / "events.yaml"))
    except ModuleNotFoundError:
        return PROJECT_DIR / "data" / "events.yaml"


def parse_published(text, today: date | None = None) -> date | datetime:
    """ISO 8601 date or date-time; without an offset a date-time means New York time."""
    value = str(text).strip()
    if not value:
        raise ValueError("published is empty")
    try:
        parsed: date | datetime = (
            date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
        )
    except ValueError:
        raise ValueError(f"published {value[:40]!r} is not a valid ISO 8601 date or date-time") from None
    if isinstance(parsed, datetime) and parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=NEW_YORK)
    day = parsed.date() if isinstance(parsed, datetime) else parsed
    limit = (today or datetime.now(UTC).date()) + timedelta(days=365)
    if day.year < FIRST_YEAR:
        raise ValueError(f"published {value} is before {FIRST_YEAR}")
    if day > limit:
        raise ValueError(f"published {value} is more than a year ahead")
    return parsed


def _text(entry: dict, name: str, problems: list[str], limit: int) -> str | None:
    value = entry.get(name)
    if value in (None, ""):
        return None
    if isinstance(value, list | dict | bool):
        problems.append(f"{name} must be text")
        return None
    text = str(value).strip()
    if len(text) > limit:
        problems.append(f"{name} longer than {limit} characters")
        return None
    return text or None


def _parse_tickers(raw, known: frozenset[str] | None) -> tuple[str, ...]:
    if raw is None or raw == "":
        return ()
    if isinstance(raw, dict) or (isinstance(raw, list) and any(isinstance(i, list | dict) for i in raw)):
        raise ValueError("tickers must be a list of symbols")
    items = raw if isinstance(raw, list) else re.split(r"[;,]", str(raw)[:4000])
    if len(items) > MAX_TICKERS_PER_EVENT:
        raise ValueError(f"more than {MAX_TICKERS_PER_EVENT} tickers")
    symbols = []
    for item in items:
        if str(item).strip():
            symbol = normalize_symbol(str(item))
            if known is not None and symbol not in known:
                raise ValueError(f"unknown ticker {symbol} (not stored and not a known miner)")
            symbols.append(symbol)
    return tuple(dict.fromkeys(symbols))


def build_event(entry: dict, origin: str, known: frozenset[str] | None,
                file: str | None = None) -> tuple[Event | None, list[str]]:
    """Validate one entry; returns the event, or None with every problem found."""
    problems: list[str] = []
    unknown = sorted(str(k)[:40] for k in set(entry) - set(FIELDS))
    if unknown:
        problems.append(f"unknown field(s) {', '.join(unknown)}")
    event_id = _text(entry, "id", problems, _MAX_ID)
    if event_id is None and "id must be text" not in problems:
        problems.append("missing id")
    elif event_id is not None and not _ID.match(event_id):
        problems.append(f"id {event_id!r} must be lower-case letters, digits and '-'")
    title = _text(entry, "title", problems, _MAX_TITLE)
    if title is None and not any(p.startswith("title") for p in problems):
        problems.append("missing title")
    published = None
    if entry.get("published") in (None, ""):
        problems.append("missing published")
    elif isinstance(entry["published"], list | dict):
        problems.append("published must be a date or date-time")
    else:
        try:
            published = parse_published(entry["published"])
        except ValueError as exc:
            problems.append(str(exc))
    category = (_text(entry, "category", problems, 40) or "").lower()
    if category not in CATEGORIES:
        problems.append(f"unknown category {category or '(none)'!r}: use one of {', '.join(CATEGORIES)}")
    source = _text(entry, "source", problems, _MAX_URL)
    if source is not None:
        parts = urlparse(source)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            problems.append(f"source {source[:80]!r} is not an http(s) URL")
    summary = _text(entry, "summary", problems, _MAX_SUMMARY)
    tickers: tuple[str, ...] = ()
    try:
        tickers = _parse_tickers(entry.get("tickers"), known)
    except (ValueError, InputError) as exc:
        problems.append(str(exc))
    if problems:
        return None, problems
    return Event(id=event_id, title=title, published=published, session=event_session(published),
                 category=category, tickers=tickers, source=source, summary=summary,
                 origin=origin, file=file), []


def _yaml_entries(path: Path, text: str) -> list[tuple[str, object]]:
    loader = _EventsLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "file"
        raise InputError(f"{path}: {where}: malformed YAML ({getattr(exc, 'problem', exc)})") from None
    except RecursionError:
        raise InputError(f"{path}: nested too deeply to be an events file") from None
    finally:
        loader.dispose()
    if data is None:
        return []
    if not isinstance(data, list):
        raise InputError(f"{path}: line 1: expected a list of events")
    if len(data) > MAX_ENTRIES:
        raise InputError(f"{path}: {len(data):,} entries, more than the {MAX_ENTRIES:,} an events file may hold")
    return [(f"line {item.start_mark.line + 1}", entry) for item, entry in zip(node.value, data, strict=True)]


def _csv_entries(path: Path, text: str) -> list[tuple[str, object]]:
    reader = csv.DictReader(text.splitlines())
    try:
        names = reader.fieldnames
    except csv.Error as exc:
        raise InputError(f"{path}: line 1: malformed CSV ({exc})") from None
    if not names or "id" not in [f.strip() for f in names]:
        raise InputError(f"{path}: line 1: a CSV events file needs a header with {', '.join(FIELDS)}")
    entries = []
    try:
        for row in reader:
            cleaned = {k.strip(): v for k, v in row.items() if k is not None}
            if None in row:
                cleaned["(extra columns)"] = row[None]
            entries.append((f"line {reader.line_num}", cleaned))
            if len(entries) > MAX_ENTRIES:
                raise InputError(f"{path}: more than the {MAX_ENTRIES:,} entries an events file may hold")
    except csv.Error as exc:
        raise InputError(f"{path}: line {reader.line_num}: malformed CSV ({exc})") from None
    return entries


def read_text(path: Path) -> str:
    """The file's text, refused when unreadable or larger than an events file may be."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(f"{path}: {size / 1e6:.1f} MB, larger than the "
                             f"{MAX_FILE_BYTES / 1e6:.0f} MB an events file may be")
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise InputError(f"{path}: cannot read events file: {reason}") from None


def parse_file(path: Path | str, known: frozenset[str] | None = None,
               origin: str = "user") -> ParsedFile:
    """Every event of one file, and every problem in it (raises InputError if unreadable)."""
    path = Path(path)
    text = read_text(path)
    entries = _csv_entries(path, text) if path.suffix.lower() == ".csv" else _yaml_entries(path, text)
    parsed = ParsedFile(origin=str(path))
    seen: dict[str, str] = {}
    for where, entry in entries:
        if not isinstance(entry, dict):
            parsed.problems.append(Problem(str(path), where, "expected a mapping of event fields"))
            continue
        label = f"{where} (id {str(entry.get('id'))[:40]})" if entry.get("id") else where
        event, problems = build_event(entry, origin, known, file=str(path))
        parsed.problems.extend(Problem(str(path), label, p) for p in problems)
        if event is None:
            continue
        if event.id in seen:
            parsed.problems.append(
                Problem(str(path), label, f"duplicate id {event.id} (first at {seen[event.id]})"))
            continue
        seen[event.id] = where
        parsed.events.append(event)
    return parsed


def load_events(extra_files=(), known: frozenset[str] | None = None,
                include_curated: bool = True) -> list[Event]:
    """The curated catalogue plus users' files, sorted by session; any problem raises InputError."""
    paths = ([(curated_path(), "curated")] if include_curated else []) + \
        [(Path(p), "user") for p in extra_files]
    events: list[Event] = []
    owner: dict[str, str] = {}
    for path, origin in paths:
        parsed = parse_file(path, known, origin)
        if parsed.problems:
            count = len(parsed.problems)
            raise InputError(
                f"{parsed.problems[0]}" + (f" (and {count - 1} more; run `minerdash events check "
                                           f"{path}`)" if count > 1 else ""))
        for event in parsed.events:
            if event.id in owner:
                raise InputError(f"event id {event.id!r} is used twice: in {owner[event.id]} and in {path}")
            owner[event.id] = str(path)
            events.append(event)
    return sorted(events, key=lambda e: (e.session, e.id))
