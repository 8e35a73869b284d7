"""What callbacks and routes may touch: the settings, and the store read through a shared cache.

The app factory attaches one ``CachedReads`` to the Flask server; callbacks reach it with
``current_reads()``. Reads are cached in Redis when ``REDIS_URL`` is set, otherwise on the
filesystem, so every gunicorn worker shares them; cache keys carry the store's data version, read
once per request, so a refresh shows at once. A cache outage costs one log line and no waiting:
reads go to the store until the cache answers again.
"""

import hashlib
import logging
import pickle
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import pandas as pd
from cachelib import FileSystemCache, RedisCache
from flask import current_app, g, has_request_context

from dashboard.config import Settings
from dashboard.errors import MinerdashError
from dashboard.events.collect import collect_events, find_event
from dashboard.events.model import Event
from dashboard.quality import check_tickers
from dashboard.store import Store

log = logging.getLogger("minerdash.cache")
RETRY_AFTER_SECONDS = 30


def make_cache(settings: Settings):
    """Redis when configured, else a private folder (a temporary one if the data folder is read-only)."""
    if settings.redis_url:
        import redis

        client = redis.Redis.from_url(settings.redis_url, socket_timeout=2, socket_connect_timeout=2)
        return RedisCache(host=client, key_prefix="minerdash:", default_timeout=settings.cache_timeout)
    cache_dir = Path(settings.cache_dir or settings.data_dir / "cache")
    try:
        cache_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        probe = cache_dir / ".writable"
        probe.touch()
        probe.unlink()
    except OSError as exc:
        fallback = Path(tempfile.mkdtemp(prefix="minerdash-cache-"))
        log.warning("cache folder %s is not writable (%s); caching in %s instead",
                    cache_dir, exc.strerror, fallback)
        cache_dir = fallback
    return FileSystemCache(str(cache_dir), threshold=2000, default_timeout=settings.cache_timeout,
                           mode=0o600)


class GuardedCache:
    """A cache whose outage is logged once, and not retried for ``RETRY_AFTER_SECONDS``."""

    def __init__(self, cache, clock=time.monotonic):
        self.cache = cache
        self.kind = {RedisCache: "redis", FileSystemCache: "filesystem"}.get(type(cache), "none")
        self.error: str | None = None
        self._retry_at = 0.0
        self._clock = clock

    def _call(self, method: str, *args):
        if self.error is not None and self._clock() < self._retry_at:
            return None
        try:
            value = getattr(self.cache, method)(*args)
        except Exception as exc:  # any backend failure: the pages go on without the cache
            if self.error is None:
                log.warning("cache (%s) unreachable: %s; reading from the store until it is back",
                            self.kind, exc)
            self.error = f"{type(exc).__name__}: {exc}"
            self._retry_at = self._clock() + RETRY_AFTER_SECONDS
            return None
        if self.error is not None:
            log.warning("cache (%s) is back", self.kind)
            self.error = None
        return value

    def get(self, key):
        return self._call("get", key)

    def set(self, key, value):
        return self._call("set", key, value)

    def clear(self):
        return self._call("clear")

    def state(self) -> dict:
        return {"kind": self.kind, "reachable": self.error is None, "error": self.error}


class CachedReads:
    """Cached reads of one store for one app (``current_reads()`` inside a request)."""

    def __init__(self, settings: Settings, store: Store | None = None, cache=None):
        self.settings = settings
        self.store = store or Store(settings.database_url, read_only=True)
        self.cache = GuardedCache(cache if cache is not None else make_cache(settings))

    def data_version(self) -> str:
        """Read once per request: every cached read of one callback sees the same version."""
        if has_request_context():
            if "minerdash_data_version" not in g:
                g.minerdash_data_version = self._read_data_version()
            return g.minerdash_data_version
        return self._read_data_version()

    def _read_data_version(self) -> str:
        files = [f"{p}:{p.stat().st_mtime_ns}" for p in self.settings.event_files if p.exists()]
        return f"{self.store.data_version()}|{'|'.join(files)}"

    def _key(self, name: str, key) -> str:
        raw = pickle.dumps((name, key, self.data_version(), str(self.store.url)))
        return f"{name}:{hashlib.sha1(raw).hexdigest()}"

    def memo(self, name: str, key, compute):
        """``compute()`` cached under ``name`` + ``key`` + the data version."""
        cache_key = self._key(name, key)
        hit = self.cache.get(cache_key)
        if hit is not None:
            return hit
        value = compute()
        self.cache.set(cache_key, value)
        return value

    def memo_each(self, name: str, keys, compute) -> dict:
        """{key: value} for ``keys``, each cached on its own under ``name`` + key + the data version,
        so any set of keys reuses what another set computed. ``compute(missing)`` gives the values
        of the keys not cached yet, in one call, as a dict (a key it leaves out maps to None)."""
        cache_keys = {k: self._key(name, k) for k in keys}
        found = {k: self.cache.get(c) for k, c in cache_keys.items()}
        missing = [k for k, value in found.items() if value is None]
        if missing:
            for key, value in compute(missing).items():
                found[key] = value
                self.cache.set(cache_keys[key], value)
        return found

    # -- cached reads ---------------------------------------------------------------------

    def stored_tickers(self) -> list[str]:
        return self.memo("tickers", None, self.store.stored_tickers)

    def prices(self, symbols: tuple[str, ...]) -> pd.DataFrame:
        """Long frame (bars.BAR_COLUMNS) of the full history of ``symbols``, sorted by ticker then
        date like ``Store.read_prices``.

        Kept per ticker, so any selection reuses what any other view (or the worker) read; the
        tickers not cached yet are read in one query."""
        symbols = sorted(set(symbols))
        found = self.memo_each("prices", symbols, lambda missing: {
            symbol: frame.reset_index(drop=True)
            for symbol, frame in self.store.read_prices(missing).groupby("ticker", sort=False)})
        frames = [found[s] for s in symbols if found.get(s) is not None]
        if not frames:
            return self.store.read_prices([])
        return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]

    def actions(self) -> pd.DataFrame:
        return self.memo("actions", None, self.store.read_actions)

    def status(self) -> pd.DataFrame:
        return self.memo("status", None, self.store.status)

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

    def quality_flags(self, tickers: tuple[str, ...]):
        """Data-quality flags of ``tickers`` (``analytics.quality.QUALITY_COLUMNS``)."""
        def compute():
            return check_tickers(self.prices, self.actions(), self.store.read_partial_bars(), tickers,
                                 self.settings.jump_limit)

        return self.memo("quality", tuple(tickers), compute)

    def event(self, event_id: str) -> Event:
        return find_event(self.events(), event_id)


def current_reads() -> CachedReads:
    return current_app.extensions["minerdash"]
