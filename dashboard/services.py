"""What callbacks and routes may touch: the settings, the store, and cached reads of it.

The app factory attaches one ``Services`` to the Flask server; callbacks reach it with
``services()`` inside a request (or an app context in tests). Reads are cached in Redis when
``REDIS_URL`` is set, otherwise on the filesystem, so every gunicorn worker shares them; cache
keys carry the store's data version, so a refresh shows up at once.
"""

import hashlib
import logging
import pickle
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from cachelib import FileSystemCache, RedisCache
from flask import current_app, g, has_request_context

from dashboard.config import Settings
from dashboard.errors import MinerdashError
from dashboard.events.catalogue import Event
from dashboard.events.collect import collect_events, find_event
from dashboard.store import Store, refresh_runs, tickers

log = logging.getLogger("minerdash.services")


def make_cache(settings: Settings):
    if settings.redis_url:
        import redis

        client = redis.Redis.from_url(settings.redis_url, socket_timeout=2, socket_connect_timeout=2)
        return RedisCache(host=client, key_prefix="minerdash:", default_timeout=settings.cache_timeout)
    cache_dir = Path(settings.cache_dir or settings.data_dir / "cache")
    cache_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    return FileSystemCache(str(cache_dir), threshold=2000, default_timeout=settings.cache_timeout,
                           mode=0o600)


@dataclass
class Freshness:
    as_of: pd.Timestamp | None
    fetched_at: pd.Timestamp | None
    errors: dict[str, str]
    last_run_status: str | None


class Services:
    def __init__(self, settings: Settings, store: Store | None = None, cache=None):
        self.settings = settings
        self.store = store or Store(settings.database_url)
        self.cache = cache if cache is not None else make_cache(settings)

    # -- cache plumbing -----------------------------------------------------------------

    def data_version(self) -> str:
        """Changes whenever a fetch, an import, a recorded error or a refresh run lands.

        Read once per request: every cached read of one callback sees the same version.
        """
        if has_request_context():
            if "minerdash_data_version" not in g:
                g.minerdash_data_version = self._read_data_version()
            return g.minerdash_data_version
        return self._read_data_version()

    def _read_data_version(self) -> str:
        self.store.ensure_schema()
        with self.store.engine.connect() as conn:
            fetched, errored, count = conn.execute(
                sa.select(sa.func.max(tickers.c.fetched_at), sa.func.max(tickers.c.last_error_at),
                          sa.func.count())
            ).one()
            run = conn.execute(sa.select(sa.func.max(refresh_runs.c.id))).scalar()
        files = [f"{p}:{p.stat().st_mtime_ns}" for p in self.settings.event_files if p.exists()]
        return f"{fetched}|{errored}|{count}|{run}|{'|'.join(files)}"

    def memo(self, name: str, key, compute):
        """``compute()`` cached under ``name`` + ``key`` + the data version."""
        raw = pickle.dumps((name, key, self.data_version(), str(self.store.url)))
        cache_key = f"{name}:{hashlib.sha1(raw).hexdigest()}"
        try:
            hit = self.cache.get(cache_key)
        except Exception as exc:  # a cache outage must not take the pages down
            log.warning("cache read failed (%s); computing %s", exc, name)
            hit = None
        if hit is not None:
            return hit
        value = compute()
        try:
            self.cache.set(cache_key, value)
        except Exception as exc:
            log.warning("cache write failed (%s)", exc)
        return value

    # -- cached reads -------------------------------------------------------------------

    def stored_tickers(self) -> list[str]:
        return self.memo("tickers", None, self.store.stored_tickers)

    def prices(self, symbols: tuple[str, ...]) -> pd.DataFrame:
        """Long frame (store.BAR_COLUMNS) of the full history of ``symbols``."""
        return self.memo("prices", tuple(symbols), lambda: self.store.read_prices(list(symbols)))

    def events(self) -> list[Event]:
        return self._catalogue()[0]

    def events_problem(self) -> str | None:
        """Why the user's event files were left out (the curated catalogue is still shown)."""
        return self._catalogue()[1]

    def _catalogue(self) -> tuple[list[Event], str | None]:
        def compute():
            try:
                return collect_events(self.settings, self.store), None
            except MinerdashError as exc:
                curated_only = replace(self.settings, event_files=())
                return collect_events(curated_only, self.store), str(exc)

        return self.memo("events", None, compute)

    def status(self) -> pd.DataFrame:
        return self.memo("status", None, self.store.status)

    def freshness(self, symbols=None) -> Freshness:
        """As-of date, fetch time and failures of ``symbols`` (all when None), cached."""
        key = tuple(symbols) if symbols else None
        return self.memo("freshness", key, lambda: self._freshness(key))

    def _freshness(self, symbols) -> Freshness:
        status = self.status()
        if symbols:
            status = status[status["ticker"].isin(list(symbols))]
        stored = status[status["rows"] > 0]
        errors = {t: e for t, e in zip(status["ticker"], status["last_error"], strict=True) if e}
        runs = self.store.runs(limit=1)
        as_of = pd.Timestamp(stored["last_date"].dropna().max()) if not stored.empty else pd.NaT
        fetched = pd.to_datetime(stored["fetched_at"].dropna(), utc=True).max() if not stored.empty else pd.NaT
        return Freshness(
            as_of=None if pd.isna(as_of) else as_of,
            fetched_at=None if pd.isna(fetched) else fetched,
            errors=errors,
            last_run_status=runs[0]["status"] if runs else None,
        )

    def event(self, event_id: str) -> Event:
        return find_event(self.events(), event_id)


def services() -> Services:
    return current_app.extensions["minerdash"]
