"""Where the companies' own news comes from, behind one small interface (like the price sources).

``EventSource.fetch(tickers, since)`` returns stored-event records (``store_events.EVENT_KEYS``:
origin, id, tickers, published, session, title, url, category, details) and a reason per ticker
that failed; ``unreachable`` says once that the source could not be reached at all, ``skipped``
why it did not run (a missing contact, for the SEC). Sources: ``earnings`` (Yahoo's earnings
dates), ``sec`` (EDGAR filings), ``news`` (Yahoo's press releases and news).
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from dashboard.events.align import event_session

_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
MAX_TITLE = 300


@dataclass
class EventFetch:
    records: list[dict] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    unreachable: str | None = None
    skipped: str | None = None


class EventSource(Protocol):
    name: str  # the source as users name it in messages: earnings, sec, news
    origins: tuple[str, ...]  # the origins of the events it gives

    def fetch(self, tickers: list[str], since: date | None) -> EventFetch:
        ...


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def clean_text(value, limit: int = MAX_TITLE) -> str:
    """One line of plain text (control characters folded, bounded); shown as text, never markup."""
    text = " ".join(_CONTROL.sub(" ", str(value or "")).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def safe_url(value) -> str | None:
    text = str(value or "").strip()
    return text[:500] if re.match(r"^https?://[^\s]+$", text) else None


def record(origin: str, event_id: str, ticker: str, published: date | datetime, title: str,
           url: str | None, category: str, details: dict) -> dict:
    return {"origin": origin, "id": event_id, "tickers": (ticker,), "published": published.isoformat(),
            "session": event_session(published), "title": clean_text(title), "url": safe_url(url),
            "category": category, "details": details}
