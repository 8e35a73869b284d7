"""The single writer: schedule, backoff, the lock, two refreshes at once, and a SIGKILL mid-write."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest

from dashboard.cached_reads import CachedReads
from dashboard.config import Settings
from dashboard.errors import InputError
from dashboard.params import View
from dashboard.sources.csv_file import read_price_csv
from dashboard.viewmodels import overview as overview_model
from dashboard.worker import (
    next_close_after,
    next_delay,
    parse_interval,
    run_forever,
    warm_after_refresh,
)
from dashboard.writer import writer_lock


@pytest.mark.parametrize(
    "now,expected",
    [
        (datetime(2025, 7, 29, 18, 0, tzinfo=UTC), datetime(2025, 7, 29, 20, 20, tzinfo=UTC)),
        (datetime(2025, 7, 29, 20, 30, tzinfo=UTC), datetime(2025, 7, 30, 20, 20, tzinfo=UTC)),
        (datetime(2025, 7, 26, 12, 0, tzinfo=UTC), datetime(2025, 7, 28, 20, 20, tzinfo=UTC)),  # Saturday
        (datetime(2024, 12, 24, 18, 5, tzinfo=UTC), datetime(2024, 12, 24, 18, 20, tzinfo=UTC)),  # early close
        (datetime(2025, 1, 15, 22, 0, tzinfo=UTC), datetime(2025, 1, 16, 21, 20, tzinfo=UTC)),  # winter
    ],
)
def test_next_close(now, expected):
    assert next_close_after(now) == expected


def test_delay_backoff_and_close():
    now = datetime(2025, 7, 29, 19, 50, tzinfo=UTC)  # 30 minutes before the close
    assert next_delay(now, timedelta(hours=1), 0) == timedelta(minutes=30)
    assert next_delay(now, timedelta(hours=1), 1) == timedelta(minutes=1)
    assert next_delay(now, timedelta(hours=1), 4) == timedelta(minutes=8)
    assert next_delay(now, timedelta(minutes=10), 9) == timedelta(minutes=10)


@pytest.mark.parametrize("text,minutes", [("90s", 1.5), ("15m", 15), ("1h", 60), ("1d", 1440)])
def test_parse_interval(text, minutes):
    assert parse_interval(text) == timedelta(minutes=minutes)


@pytest.mark.parametrize("text", ["soon", "10s", "30d", "-1h"])
def test_parse_interval_rejects(text):
    with pytest.raises(InputError):
        parse_interval(text)


class FlakySource:
    name = "flaky"

    def __init__(self, outcomes):
        self.outcomes = list(outcomes)

    def fetch(self, symbols, start=None, end=None):
        from dashboard.sources import FetchResult

        ok = self.outcomes.pop(0)
        if ok:
            bars = pd.DataFrame({"date": pd.to_datetime(["2025-07-29"]), "close": [1.0], "adj_close": [1.0]})
            return FetchResult(bars={s: bars for s in symbols})
        return FetchResult(errors={s: "rate limited by Yahoo (HTTP 429)" for s in symbols})


def test_worker_retries_with_backoff_and_records_runs(store):
    sleeps, warmed = [], []
    now = datetime(2025, 7, 29, 14, 0, tzinfo=UTC)
    run_forever(store, FlakySource([False, False, True]), ["MARA"], timedelta(hours=1), lambda m: None,
                sleep=sleeps.append, now=lambda: now, max_runs=3, after=lambda: warmed.append(now))
    assert sleeps == [60, 120] and len(warmed) == 3
    assert [r["status"] for r in store.runs()] == ["ok", "failed", "failed"]
    assert store.status().set_index("ticker").loc["MARA", "last_error"] is None


def test_lock_excludes_a_second_writer(store):
    with writer_lock(store) as first:
        assert first is True
        with writer_lock(store, wait=False) as second:
            assert second is False
    with writer_lock(store, wait=False) as again:
        assert again is True


def _cli(*args, db):
    return subprocess.Popen([sys.executable, "-m", "dashboard", "--db", db, *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_two_refreshes_at_once_leave_no_duplicates(store, market_data):
    symbols = "MARA,RIOT,CLSK,HUT,BTC-USD"
    runs = [_cli("refresh", "--tickers", symbols, "--source-dir", str(market_data), db=store.url)
            for _ in range(2)]
    outputs = [p.communicate(timeout=120) for p in runs]
    assert [p.returncode for p in runs] == [0, 0], outputs
    stored = store.read_prices()
    assert not stored.duplicated(["ticker", "date"]).any()
    for symbol in symbols.split(","):
        expected = read_price_csv(market_data / f"{symbol}.csv").bars
        got = stored[stored["ticker"] == symbol]
        assert len(got) == len(expected)
        assert got["close"].tolist() == expected["close"].tolist()
    assert sum(o[0].count("rows added") for o in outputs) >= 5


KILLER = textwrap.dedent("""
    import pathlib, sys, time
    import sqlalchemy as sa
    from dashboard.refresh import refresh
    from dashboard.sources.csv_file import CsvDirectorySource
    from dashboard.store import Store

    store = Store(sys.argv[1])
    marker = pathlib.Path(sys.argv[3])

    @sa.event.listens_for(store.engine, "after_cursor_execute")
    def pause(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO PRICES") and not marker.exists():
            marker.write_text("inside the write transaction")
            time.sleep(120)

    refresh(store, CsvDirectorySource(sys.argv[2]), ["MARA", "RIOT"], start=None)
""")


def test_refresh_killed_halfway_leaves_the_store_as_it_was(store, market_data, tmp_path):
    parsed = read_price_csv(market_data / "MARA.csv").bars
    old = parsed[parsed["date"] <= "2025-06-30"].copy()
    old.loc[old.index[-1], ["close", "adj_close"]] = 1.2345  # a value the refresh would revise
    store.write_bars("MARA", old, "csv:old")
    before_prices, before_status = store.read_prices(), store.status()
    marker = tmp_path / "inside"
    process = subprocess.Popen([sys.executable, "-c", KILLER, store.url, str(market_data), str(marker)],
                               start_new_session=True)
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert process.poll() is None, "the refresh ended before it was killed"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    pd.testing.assert_frame_equal(store.read_prices(), before_prices)
    pd.testing.assert_frame_equal(store.status(), before_status)
    assert store.runs()[0]["status"] == "running"  # the audit log shows the run that never finished


def test_after_a_refresh_the_worker_computes_what_the_pages_share(filled_store, tmp_path, monkeypatch):
    """The first visitor after a refresh finds each ticker's reactions and statistics and the
    default overview already computed: with every event study and statistics table made
    impossible, the pages still answer, for any selection of stored tickers and any range."""
    settings = Settings(database_url=filled_store.url, data_dir=tmp_path, cache_dir=tmp_path / "cache")
    said = []
    warm_after_refresh(settings, progress=said.append)
    assert said and said[0].startswith("cache warmed for 5 tickers")

    class NoStudies:
        def __init__(self, *args, **kwargs):
            raise AssertionError("computed again instead of read from the cache")

    def no_table(*args, **kwargs):
        raise AssertionError("statistics computed again instead of read from the cache")

    monkeypatch.setattr(overview_model, "QuickStudies", NoStudies)
    monkeypatch.setattr(overview_model, "calc_stats_table", no_table)
    reads = CachedReads(settings)  # another process's reader: only the cache is shared
    lines = overview_model.ticker_reactions(reads, reads.prices(("RIOT", "BTC-USD")), "RIOT", "BTC-USD")
    assert lines["bitmain-us-factory"] == "RIOT CAR(−1,+5) −20.7% (t −1.83)"
    view = overview_model.with_defaults(reads, View())
    assert overview_model.overview(reads, view, "dark")["events"] >= 1
    other = overview_model.with_defaults(reads, View(tickers=("HUT", "MARA"), start=date(2025, 9, 1)))
    table = overview_model.overview(reads, other, "light")["table"]
    assert list(table["ticker"]) == ["HUT", "MARA", "BTC-USD"] and table["max_drawdown"].notna().all()


def test_a_cache_that_fails_costs_the_warm_up_not_the_refresh(filled_store, tmp_path):
    settings = Settings(database_url=filled_store.url, data_dir=tmp_path, redis_url="redis://127.0.0.1:1/0")
    said = []
    warm_after_refresh(settings, progress=said.append)  # no exception
    assert len(said) == 1 and said[0].startswith("cache not warmed: the cache is unreachable")
