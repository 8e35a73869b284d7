"""Shared fixtures: the real market data in ../shared, stores on every backend, a filled store."""

import os
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from dashboard.sources.csv_file import read_price_csv
from dashboard.store import Store

ROOT = Path(__file__).resolve().parent.parent
MARKET_DATA = Path(os.environ.get("MINERDASH_MARKET_DATA", ROOT.parent / "shared" / "market-data"))
YAHOO_RESPONSES = MARKET_DATA / "yahoo-responses"
ARTIFACTS = ROOT / "test-artifacts"

def _require_data() -> Path:
    if MARKET_DATA.is_dir():
        return MARKET_DATA
    message = f"shared market data not found at {MARKET_DATA}"
    if os.environ.get("MINERDASH_REQUIRE_TEST_DATA") == "1":
        pytest.fail(message + " (MINERDASH_REQUIRE_TEST_DATA=1 makes this a failure)")
    pytest.skip(message)

@pytest.fixture(scope="session")
def market_data() -> Path:
    return _require_data()

def _postgres_url() -> str:
    url = os.environ.get("MINERDASH_TEST_DATABASE_URL")
    if not url:
        pytest.skip("MINERDASH_TEST_DATABASE_URL is not set: PostgreSQL tests skipped")
    return url

def make_postgres_store() -> Store:
    """A store in a fresh PostgreSQL schema; fails (not skips) when the server is unreachable."""
    from dashboard.config import normalize_database_url

    url = normalize_database_url(_postgres_url())
    schema = f"t_{uuid.uuid4().hex[:12]}"
    try:
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        engine.dispose()
    except sa.exc.OperationalError as exc:
        pytest.fail(f"MINERDASH_TEST_DATABASE_URL is set but PostgreSQL is unreachable: {exc.orig}")
    separator = "&" if "?" in url else "?"
    store = Store(f"{url}{separator}options=-csearch_path%3D{schema}")
    store.test_schema = schema
    return store

def drop_postgres_store(store: Store) -> None:
    store.dispose()
    engine = sa.create_engine(store.url.split("?")[0])
    with engine.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{store.test_schema}" CASCADE'))
    engine.dispose()

@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    """An empty store on each backend."""
    if request.param == "sqlite":
        made = Store(f"sqlite:///{tmp_path / 'test.sqlite'}")
        yield made
        made.dispose()
    else:
        made = make_postgres_store()
        yield made
        drop_postgres_store(made)

def fill_store(target: Store, directory: Path) -> Store:
    for path in sorted(directory.glob("*.csv")):
        parsed = read_price_csv(path)
        target.write_bars(parsed.ticker, parsed.bars, f"csv:{path.name}")
    return target

@pytest.fixture(scope="session")
def filled_store(tmp_path_factory, market_data) -> Store:
    """A SQLite store holding every shared CSV (read-only for tests)."""
    path = tmp_path_factory.mktemp("filled") / "filled.sqlite"
    return fill_store(Store(f"sqlite:///{path}"), market_data)

@pytest.fixture(scope="session")
def filled_db_url(filled_store) -> str:
    return filled_store.url

@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
