"""Shared fixtures: real prices (the bundled snapshot; ../shared for other tickers), stores on
every backend, a filled store, the served app and headless Chromium for browser tests, and the
artifacts folder for screenshots."""

import os
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from dashboard.app import create_app
from dashboard.browser import chromium, chromium_available, running_server
from dashboard.config import Settings
from dashboard.snapshot import write_snapshot_csvs
from dashboard.sources.csv_file import read_price_csv
from dashboard.store import Store

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("MINERDASH_MARKET_DATA", ROOT.parent / "shared" / "market-data"))
YAHOO_RESPONSES = ROOT / "tests" / "fixtures" / "yahoo"
HANDBUILT = ROOT / "tests" / "fixtures" / "handbuilt"
ARTIFACTS = ROOT / "test-artifacts"
MINERS = ["MARA", "RIOT", "CLSK", "HUT"]


@pytest.fixture(scope="session")
def market_data(tmp_path_factory) -> Path:
    """MARA, RIOT, CLSK, HUT, BTC-USD and QQQ from 2020-06-01: the snapshot in the package."""
    return write_snapshot_csvs(tmp_path_factory.mktemp("snapshot-csv"))


def shared_data_or_skip(why: str) -> Path:
    """../shared/market-data (or MINERDASH_MARKET_DATA), for tickers the snapshot lacks."""
    if SHARED_DATA.is_dir() and any(SHARED_DATA.glob("*.csv")):
        return SHARED_DATA
    message = f"needs {why} from ../shared/market-data (set MINERDASH_MARKET_DATA); not found at {SHARED_DATA}"
    if os.environ.get("MINERDASH_REQUIRE_TEST_DATA") == "1":
        pytest.fail(message + " (MINERDASH_REQUIRE_TEST_DATA=1 makes this a failure)")
    pytest.skip(message)


def _postgres_url() -> str:
    url = os.environ.get("MINERDASH_TEST_DATABASE_URL")
    if not url:
        pytest.skip("needs PostgreSQL: MINERDASH_TEST_DATABASE_URL is not set")
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


def fill_store(target: Store, directory: Path, tickers=None) -> Store:
    for path in sorted(directory.glob("*.csv")):
        if tickers is None or path.stem in tickers:
            parsed = read_price_csv(path)
            target.write_bars(parsed.ticker, parsed.bars, f"csv:{path.name}", fields=parsed.fields)
    return target


@pytest.fixture(scope="session")
def filled_store(tmp_path_factory, market_data) -> Store:
    """A SQLite store holding the snapshot's six tickers (read-only for tests)."""
    path = tmp_path_factory.mktemp("filled") / "filled.sqlite"
    return fill_store(Store(f"sqlite:///{path}"), market_data)


@pytest.fixture(scope="session")
def filled_db_url(filled_store) -> str:
    return filled_store.url


def routing_request(pathname: str, search: str = "", theme: str = "light") -> dict:
    """The body Dash's renderer posts to its routing callback for an address (dash.page_container)."""
    return {"output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": pathname},
                       {"id": "_pages_location", "property": "search", "value": search}],
            "changedPropIds": ["_pages_location.pathname"],
            "state": [{"id": "theme-store", "property": "data", "value": theme}]}


def settings_for(url: str, tmp, **extra) -> Settings:
    return Settings(database_url=url, data_dir=tmp, cache_dir=tmp / "cache", **extra)


@pytest.fixture(scope="module")
def app(filled_db_url, tmp_path_factory):
    """The real Dash app over the filled store, one per test module."""
    return create_app(settings_for(filled_db_url, tmp_path_factory.mktemp("app")))


@pytest.fixture(scope="module")
def base_url(filled_db_url, tmp_path_factory):
    """``minerdash serve`` over the filled store, one per browser test module."""
    if not chromium_available():
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed (CI must install Debian's chromium)")
        pytest.skip("needs Chromium: install Debian's chromium")
    with running_server(filled_db_url, tmp_path_factory.mktemp("server")) as base:
        yield base


@pytest.fixture(scope="module")
def browser(base_url):
    with chromium() as instance:
        yield instance


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
