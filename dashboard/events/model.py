"""The event: one piece of news, the tickers it concerns, and the session it could first move."""

from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd

from dashboard.calendars import NEW_YORK

# Curated and users' own events use the first six; company-event sources add the other four.
NEWS_CATEGORIES = ("company", "industry", "policy", "macro", "bitcoin", "market")
COMPANY_CATEGORIES = ("earnings", "filing", "press", "news")
CATEGORIES = (*NEWS_CATEGORIES, *COMPANY_CATEGORIES)
# What the overview shows unless the URL says otherwise: the curated news and earnings.
DEFAULT_CATEGORIES = (*NEWS_CATEGORIES, "earnings")
# Where an event comes from: the curated catalogue, a user's file, a company-event source,
# or the splits and dividends stored with prices.
ORIGINS = ("curated", "user", "earnings", "sec", "press", "news", "actions")
LIST_COLUMNS = ["id", "published", "session", "title", "category", "tickers", "source"]


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
    origin: str = "curated"
    details: dict = field(default_factory=dict, compare=False, hash=False)
    file: str | None = None  # the user's file an event came from

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


def events_frame(events: list[Event]) -> pd.DataFrame:
    """LIST_COLUMNS plus summary, published_ny and origin; tickers joined by ';' (empty = all)."""
    records = [
        {"id": e.id, "published": e.published_iso, "session": e.session.isoformat(),
         "title": e.title, "category": e.category, "tickers": ";".join(e.tickers),
         "source": e.source or "", "summary": e.summary or "", "published_ny": e.published_ny,
         "origin": e.origin}
        for e in events
    ]
    frame = pd.DataFrame(records, columns=LIST_COLUMNS + ["summary", "published_ny", "origin"])
    return frame.sort_values(["session", "id"], kind="stable").reset_index(drop=True)
