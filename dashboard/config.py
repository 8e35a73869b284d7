"""Settings: read once from the environment (and the CLI), validated, with working local defaults.

A setting of the wrong form stops at start with one line naming the variable or option and the
accepted form, never a traceback later.
"""

import os
import re
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from dashboard.errors import ConfigError, InputError
from dashboard.symbols import (
    DEFAULT_BENCHMARK,
    DEFAULT_FACTOR,
    DEFAULT_UNIVERSE,
    normalize_symbol,
    parse_symbols,
)

# A one-day move beyond ±this, with no stored split, is flagged as suspect (MINERDASH_MAX_DAILY_MOVE).
DEFAULT_JUMP_LIMIT = 0.60

PROJECT_DIR = Path(__file__).resolve().parent.parent
DATABASE_FORMS = "sqlite:///PATH or postgresql://USER@HOST:PORT/DATABASE"
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def default_data_dir() -> Path:
    return Path(os.environ.get("MINERDASH_DATA_DIR") or PROJECT_DIR / "data")


def normalize_database_url(url: str) -> str:
    """Accept Heroku's ``postgres://`` spelling and pick the psycopg 3 driver for PostgreSQL."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def check_database_url(url: str, origin: str) -> str:
    """The URL, normalized, if it names a SQLite file or a PostgreSQL database we can drive."""
    normalized = normalize_database_url(url.strip())
    if not _parses(normalized):
        raise ConfigError(f"{origin}: {url[:80]!r} is not a database URL; use {DATABASE_FORMS}")
    parsed = sa.engine.make_url(normalized)
    shown = parsed.render_as_string(hide_password=True)
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise ConfigError(f"{origin}: {parsed.get_backend_name()} databases are not supported "
                          f"({shown!r}); use {DATABASE_FORMS}")
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() != "psycopg":
        raise ConfigError(f"{origin}: the PostgreSQL driver {parsed.get_driver_name()!r} is not "
                          f"installed ({shown!r}); use {DATABASE_FORMS}")
    return normalized


def _parses(url: str) -> bool:
    try:
        parsed = sa.engine.make_url(url)
        _ = parsed.port  # make_url reads the port lazily on some versions
        return True
    except (sa.exc.ArgumentError, ValueError):
        return False


def resolve_database_url(cli_value: str | None = None, data_dir: Path | None = None) -> str:
    """``--db``, then MINERDASH_DATABASE_URL, then DATABASE_URL, then data/minerdash.sqlite."""
    for origin, value in (("--db", cli_value),
                          ("MINERDASH_DATABASE_URL", os.environ.get("MINERDASH_DATABASE_URL")),
                          ("DATABASE_URL", os.environ.get("DATABASE_URL"))):
        if value:
            return check_database_url(value, origin)
    return f"sqlite:///{(data_dir or default_data_dir()) / 'minerdash.sqlite'}"


def _env_int(name: str, default: int, low: int, high: int, unit: str) -> int:
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise ConfigError(f"{name}={raw[:40]!r} is not a whole number of {unit} from {low} to {high}")
    return value


def _env_fraction(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not 0.05 <= value <= 10:
        raise ConfigError(f"{name}={raw[:40]!r} is not a fraction from 0.05 to 10 (0.6 means ±60%)")
    return value


def _env_symbols(name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    try:
        return tuple(parse_symbols(os.environ.get(name))) or default
    except InputError as exc:
        raise ConfigError(f"{name}: {exc}") from None


def _env_symbol(name: str, default: str) -> str:
    raw = os.environ.get(name)
    try:
        return normalize_symbol(raw) if raw else default
    except InputError as exc:
        raise ConfigError(f"{name}: {exc}") from None


def _redis_url() -> str | None:
    raw = os.environ.get("REDIS_URL") or None
    if raw is not None and not raw.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError(f"REDIS_URL={raw[:40]!r} is not a Redis URL; use redis://HOST:PORT/DB, "
                          "rediss://… or unix://PATH")
    return raw


def _sec_user_agent() -> str | None:
    raw = (os.environ.get("MINERDASH_SEC_USER_AGENT") or "").strip()
    if not raw:
        return None
    if len(raw) > 200 or not raw.isprintable() or not _EMAIL.search(raw):
        raise ConfigError("MINERDASH_SEC_USER_AGENT must name you and a contact e-mail, e.g. "
                          "'Jane Analyst jane@example.com' (the SEC's fair-access policy)")
    return raw


def _env_paths(name: str) -> tuple[Path, ...]:
    return tuple(Path(p) for p in os.environ.get(name, "").split(":") if p.strip())


@dataclass(frozen=True)
class Settings:
    """Everything the app and the CLI are configured by."""

    database_url: str
    data_dir: Path
    tickers: tuple[str, ...] = DEFAULT_UNIVERSE
    benchmark: str = DEFAULT_BENCHMARK
    factor: str = DEFAULT_FACTOR
    event_files: tuple[Path, ...] = ()
    redis_url: str | None = None
    cache_dir: Path | None = None
    cache_timeout: int = 300
    sec_user_agent: str | None = None
    jump_limit: float = DEFAULT_JUMP_LIMIT

    @classmethod
    def from_env(cls, database_url: str | None = None, event_files=()) -> "Settings":
        data_dir = default_data_dir()
        return cls(
            database_url=resolve_database_url(database_url, data_dir),
            data_dir=data_dir,
            tickers=_env_symbols("MINERDASH_TICKERS", DEFAULT_UNIVERSE),
            benchmark=_env_symbol("MINERDASH_BENCHMARK", DEFAULT_BENCHMARK),
            factor=_env_symbol("MINERDASH_FACTOR", DEFAULT_FACTOR),
            event_files=_env_paths("MINERDASH_EVENTS") + tuple(Path(p) for p in event_files),
            redis_url=_redis_url(),
            cache_dir=Path(os.environ.get("MINERDASH_CACHE_DIR") or data_dir / "cache"),
            cache_timeout=_env_int("MINERDASH_CACHE_TIMEOUT", 300, 1, 86_400, "seconds"),
            sec_user_agent=_sec_user_agent(),
            jump_limit=_env_fraction("MINERDASH_MAX_DAILY_MOVE", DEFAULT_JUMP_LIMIT),
        )

    @property
    def universe(self) -> tuple[str, ...]:
        """The default tickers and the benchmark: what ``fetch`` and the worker keep fresh."""
        return tuple(dict.fromkeys([*self.tickers, self.benchmark]))
