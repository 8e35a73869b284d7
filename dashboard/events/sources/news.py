"""The companies' press releases and news from Yahoo (through yfinance).

Yahoo returns only recent items: the store is what builds the history, so a refresh adds and
never deletes. Two formats are read: the current one (``content.title``, ``content.pubDate``,
``content.provider.displayName``, ``content.canonicalUrl.url``) and the older flat one
(``title``, ``providerPublishTime``, ``publisher``, ``link``).
"""

import hashlib
import warnings
from datetime import UTC, date, datetime

import yfinance as yf

from dashboard.events.sources import EventFetch, clean_text, record, slug
from dashboard.sources.yahoo import captured_yfinance_log, explain_failure, is_network_failure

TABS = {"press": "press releases", "news": "news"}
COUNT = 50


def _item_fields(item: dict) -> tuple[str, datetime, str, str, str] | None:
    """(yahoo id, published UTC, title, publisher, url) of one item, or None if incomplete."""
    content = item.get("content") if isinstance(item.get("content"), dict) else None
    if content is not None:
        title, published = content.get("title"), content.get("pubDate") or content.get("displayTime")
        provider = content.get("provider") or {}
        link = (content.get("canonicalUrl") or {}).get("url") or (content.get("clickThroughUrl") or {}).get("url")
        when = datetime.fromisoformat(str(published).replace("Z", "+00:00")) if published else None
        publisher = provider.get("displayName") if isinstance(provider, dict) else None
        yahoo_id = item.get("id") or content.get("id")
    else:
        title, link, publisher = item.get("title"), item.get("link"), item.get("publisher")
        stamp = item.get("providerPublishTime")
        when = datetime.fromtimestamp(int(stamp), UTC) if stamp else None
        yahoo_id = item.get("uuid") or item.get("id")
    if not title or when is None or not yahoo_id:
        return None
    return str(yahoo_id), when.astimezone(UTC), str(title), str(publisher or ""), str(link or "")


def news_records(ticker: str, origin: str, items: list, since: date | None) -> list[dict]:
    records = []
    for item in items:
        if not isinstance(item, dict):
            continue
        try:
            fields = _item_fields(item)
        except (ValueError, TypeError, OverflowError):
            continue
        if fields is None:
            continue
        yahoo_id, when, title, publisher, url = fields
        if since is not None and when.date() < since:
            continue
        short = hashlib.sha1(yahoo_id.encode()).hexdigest()[:10]
        records.append(record(origin, f"{slug(ticker)}-{origin}-{when:%Y-%m-%d}-{short}", ticker, when, title,
                              url, origin, {"publisher": clean_text(publisher, 100), "yahoo_id": yahoo_id[:100]}))
    return records


class NewsSource:
    """Yahoo's press releases (origin ``press``) and news (origin ``news``) for each ticker."""

    name = "news"
    origins = ("press", "news")

    def __init__(self, session=None):
        self.session = session

    def fetch(self, tickers: list[str], since: date | None) -> EventFetch:
        result = EventFetch()
        for ticker in tickers:
            for origin, tab in TABS.items():
                with captured_yfinance_log() as messages, warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    try:
                        # A fresh Ticker per tab: yfinance keeps the first tab's answer on the object.
                        items = yf.Ticker(ticker, session=self.session).get_news(count=COUNT, tab=tab)
                    except Exception as exc:  # yfinance raises its own and the HTTP library's errors
                        messages.append(f"{type(exc).__name__}: {exc}")
                        items = None
                if items is None or (not items and any("faulty response" in m for m in messages)):
                    reason = next((m for m in messages if is_network_failure(m)), messages[-1] if messages else None)
                    result.errors[ticker] = explain_failure(reason)
                    break
                result.records.extend(news_records(ticker, origin, items, since))
        network = [r for r in result.errors.values() if r.startswith("cannot reach")]
        if tickers and len(network) == len(tickers):
            result.unreachable = f"{network[0]}; the stored news is kept"
        return result
