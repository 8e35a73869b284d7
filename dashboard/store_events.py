"""The store's queries of company events, their sources' state and the SEC's ticker → CIK map.

Mixed into ``Store``: the same connections, translations of errors and single transactions.
Stored events are plain dicts here (``EVENT_KEYS``); ``events.model`` turns them into ``Event``.
"""

import json
from collections.abc import Iterable
from datetime import date

import pandas as pd
import sqlalchemy as sa

from dashboard.schema import as_utc, event_sources, events, sec_ciks, utcnow

EVENT_KEYS = ("origin", "id", "tickers", "published", "session", "title", "url", "category", "details")
SOURCE_STATUS_COLUMNS = ["origin", "ticker", "last_success", "last_error", "last_error_at"]


class EventQueries:
    def write_events(self, records: Iterable[dict]) -> tuple[int, int]:
        """Upsert events by (origin, id); returns (added, changed). Nothing is ever deleted, and a
        known time of publication is never replaced by a bare date (the session depends on it)."""
        incoming = {(r["origin"], r["id"]): r for r in records}
        if not incoming:
            return 0, 0
        now = utcnow()
        added, changed = 0, 0
        with self.writing() as conn:
            for origin in {o for o, _ in incoming}:
                ids = [i for o, i in incoming if o == origin]
                stored = {}
                for chunk in range(0, len(ids), 500):
                    rows = conn.execute(sa.select(events).where(events.c.origin == origin)
                                        .where(events.c.id.in_(ids[chunk:chunk + 500]))).all()
                    stored.update({r.id: r for r in rows})
                fresh, revised = [], []
                for event_id in ids:
                    row = _row(incoming[(origin, event_id)])
                    old = stored.get(event_id)
                    if old is None:
                        fresh.append({**row, "first_seen": now, "updated_at": now})
                    elif _loses_time(old.published, row["published"]):
                        continue  # a source that could not say the hour this time: keep the known one
                    elif any(getattr(old, k) != v for k, v in row.items()):
                        revised.append({**row, "first_seen": old.first_seen, "updated_at": now})
                if fresh:
                    conn.execute(self._upsert(events, ["origin", "id"]), fresh)
                if revised:
                    conn.execute(self._upsert(events, ["origin", "id"]), revised)
                added, changed = added + len(fresh), changed + len(revised)
        return added, changed

    def read_events(self, origins: Iterable[str] | None = None) -> list[dict]:
        """Stored events (plain dicts with ``EVENT_KEYS``), sorted by session then id."""
        query = sa.select(*[events.c[k] for k in EVENT_KEYS]).order_by(events.c.session, events.c.id)
        if origins is not None:
            query = query.where(events.c.origin.in_(list(origins)))
        with self.reading() as conn:
            rows = conn.execute(query).all()
        return [{**row._asdict(), "session": _day(row.session),
                 "details": json.loads(row.details) if row.details else {}} for row in rows]

    def last_event_sessions(self, origin: str) -> dict[str, date]:
        """Per ticker, the latest session of its stored events of ``origin``."""
        with self.reading() as conn:
            rows = conn.execute(sa.select(events.c.tickers, sa.func.max(events.c.session))
                                .where(events.c.origin == origin).group_by(events.c.tickers)).all()
        latest: dict[str, date] = {}
        for joined, session in rows:
            for ticker in (joined or "").split(";"):
                if ticker:
                    latest[ticker] = max(latest.get(ticker, _day(session)), _day(session))
        return latest

    def record_event_source(self, origin: str, ticker: str, error: str | None = None) -> None:
        """Remember a source's success (error None) or failure for one ticker ('*': the source)."""
        now = utcnow()
        if error is None:
            row, columns = {"last_success": now, "last_error": None, "last_error_at": None}, None
        else:
            row, columns = {"last_error": error, "last_error_at": now}, ["last_error", "last_error_at"]
        with self.writing() as conn:
            conn.execute(self._upsert(event_sources, ["origin", "ticker"], columns),
                         [{"origin": origin, "ticker": ticker, **row}])

    def event_source_status(self) -> pd.DataFrame:
        """Per (origin, ticker): last success, last error and when (UTC)."""
        with self.reading() as conn:
            rows = conn.execute(sa.select(event_sources).order_by(event_sources.c.origin,
                                                                  event_sources.c.ticker)).all()
        frame = pd.DataFrame([{"origin": r.origin, "ticker": r.ticker,
                               "last_success": as_utc(r.last_success), "last_error": r.last_error,
                               "last_error_at": as_utc(r.last_error_at)} for r in rows],
                             columns=SOURCE_STATUS_COLUMNS, dtype=object)
        return frame.where(frame.notna(), None)

    def write_ciks(self, mapping: dict[str, tuple[int, str]]) -> None:
        """Replace the SEC's ticker → (CIK, company name) map."""
        now = utcnow()
        rows = [{"ticker": t, "cik": int(c), "name": n, "fetched_at": now} for t, (c, n) in mapping.items()]
        with self.writing() as conn:
            conn.execute(sec_ciks.delete())
            for chunk in range(0, len(rows), 2000):
                conn.execute(sec_ciks.insert(), rows[chunk:chunk + 2000])

    def read_ciks(self, symbols: Iterable[str] | None = None) -> dict[str, int]:
        query = sa.select(sec_ciks.c.ticker, sec_ciks.c.cik)
        if symbols is not None:
            query = query.where(sec_ciks.c.ticker.in_(list(symbols)))
        with self.reading() as conn:
            return {t: c for t, c in conn.execute(query).all()}

    def ciks_fetched_at(self):
        with self.reading() as conn:
            return as_utc(conn.execute(sa.select(sa.func.max(sec_ciks.c.fetched_at))).scalar())


def _row(record: dict) -> dict:
    return {
        "origin": record["origin"], "id": record["id"],
        "tickers": ";".join(record.get("tickers") or ()),
        "published": record["published"], "session": record["session"],
        "title": record["title"], "url": record.get("url"), "category": record["category"],
        "details": json.dumps(record.get("details") or {}, sort_keys=True, default=str),
    }


def _loses_time(stored: str, incoming: str) -> bool:
    """True when a revision would replace a known time of publication by a bare date."""
    return "T" in (stored or "") and "T" not in (incoming or "")


def _day(value) -> date:
    return date.fromisoformat(value[:10]) if isinstance(value, str) else value

