"""Settings read once from the environment, with working local defaults."""

import os
from dataclasses import dataclass
from pathlib import Path

from dashboard.symbols import DEFAULT_BENCHMARK, DEFAULT_UNIVERSE, parse_symbols

PROJECT_DIR = Path(__file__).resolve().parent.parent


def default_data_dir() -> Path:
    return Path(os.environ.get("MINERDASH_DATA_DIR") or PROJECT_DIR / "data")


def normalize_database_url(url: str) -> str:
    """Accept Heroku's ``postgres://`` spelling and pick the psycopg 3 driver for PostgreSQL."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def resolve_database_url(cli_value: str | None = None, data_dir: Path | None = None) -> str:
    """``--db``, then MINERDASH_DATABASE_URL, then DATABASE_URL, then data/minerdash.sqlite."""
    url = (
        cli_value
        or os.environ.get("MINERDASH_DATABASE_URL")
        or os.environ.get("DATABASE_URL")
    )
    if not url:
        path = (data_dir or default_data_dir()) / "minerdash.sqlite"
        url = f"sqlite:///{path}"
    return normalize_database_url(url)


def _env_paths(name: str) -> tuple[Path, ...]:
    return tuple(Path(p) for p in os.environ.get(name, "").split(":") if p.strip())


@dataclass(frozen=True)
class Settings:
    """Everything the app and the CLI are configured by."""

    database_url: str
    data_dir: Path
    tickers: tuple[str, ...] = DEFAULT_UNIVERSE
    benchmark: str = DEFAULT_BENCHMARK
    event_files: tuple[Path, ...] = ()
    redis_url: str | None = None
    cache_dir: Path | None = None
    cache_timeout: int = 300
    refresh_every: str = "1h"

    @classmethod
    def from_env(cls, database_url: str | None = None, event_files=()) -> "Settings":
        data_dir = default_data_dir()
        tickers = parse_symbols(os.environ.get("MINERDASH_TICKERS")) or list(DEFAULT_UNIVERSE)
        return cls(
            database_url=resolve_database_url(database_url, data_dir),
            data_dir=data_dir,
            tickers=tuple(tickers),
            benchmark=(parse_symbols(os.environ.get("MINERDASH_BENCHMARK")) or [DEFAULT_BENCHMARK])[0],
            event_files=_env_paths("MINERDASH_EVENTS") + tuple(Path(p) for p in event_files),
            redis_url=os.environ.get("REDIS_URL") or None,
            cache_dir=Path(os.environ.get("MINERDASH_CACHE_DIR") or data_dir / "cache"),
            cache_timeout=int(os.environ.get("MINERDASH_CACHE_TIMEOUT", "300")),
            refresh_every=os.environ.get("MINERDASH_REFRESH_EVERY", "1h"),
        )
