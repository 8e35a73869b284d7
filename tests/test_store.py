"""The store on SQLite and on the real PostgreSQL: upserts, transactions, status, schema."""

from datetime import date

import pandas as pd
import pytest
import sqlalchemy as sa

from dashboard.errors import StoreUnavailable
from dashboard.store import SCHEMA_VERSION, Store, schema_info


def bars(rows):
    frame = pd.DataFrame(rows, columns=["date", "open", "high", "low", "close", "adj_close", "volume"])
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


SAMPLE = bars(
    [
        ("2025-07-28", 17.639999389648438, 17.649999618530273, 16.950000762939453,
         17.15999984741211, 17.15999984741211, 40821700),
        ("2025-07-29", 17.170000076293945, 17.399999618530273, 16.469999313354492,
         16.610000610351562, 16.610000610351562, 41980500),
    ]
)


def test_round_trip_keeps_every_value(store):
    assert store.write_bars("MARA", SAMPLE, "test") == 2
    read = store.read_prices(["MARA"])
    assert list(read.columns) == ["date", "ticker", "open", "high", "low", "close", "adj_close", "volume"]
    assert read["close"].tolist() == [17.15999984741211, 16.610000610351562]
    assert read["volume"].tolist() == [40821700, 41980500]
    assert read["date"].dt.strftime("%Y-%m-%d").tolist() == ["2025-07-28", "2025-07-29"]


def test_writing_the_same_rows_twice_changes_nothing(store):
    store.write_bars("MARA", SAMPLE, "test")
    first = store.read_prices()
    assert store.write_bars("MARA", SAMPLE, "test") == 0
    pd.testing.assert_frame_equal(store.read_prices(), first)


def test_upsert_replaces_revised_values_and_counts_only_new_dates(store):
    store.write_bars("MARA", SAMPLE, "test")
    revised = bars([("2025-07-29", 1, 2, 0.5, 1.5, 1.4, 10), ("2025-07-30", 1, 2, 0.5, 1.6, 1.6, 11)])
    assert store.write_bars("MARA", revised, "test") == 1
    read = store.read_prices(["MARA"]).set_index("date")
    assert read.loc["2025-07-29", "adj_close"] == 1.4
    assert read.loc["2025-07-28", "close"] == 17.15999984741211
    assert len(read) == 3


def test_a_failing_write_leaves_what_was_stored(store):
    store.write_bars("MARA", SAMPLE, "test")
    broken = bars([("2025-07-29", 1, 2, 0.5, 1.5, 1.5, 10), ("2025-07-30", 1, 2, 0.5, None, None, 11)])
    with pytest.raises(sa.exc.IntegrityError):
        store.write_bars("MARA", broken, "test")
    read = store.read_prices(["MARA"])
    assert read["close"].tolist() == [17.15999984741211, 16.610000610351562]


def test_close_only_bars_store_nulls(store):
    close_only = pd.DataFrame({"date": pd.to_datetime(["2025-07-29"]), "close": [11.0],
                               "adj_close": [11.0]})
    store.write_bars("BTDR", close_only, "test")
    row = store.read_prices(["BTDR"]).iloc[0]
    assert pd.isna(row["open"]) and pd.isna(row["volume"]) and row["close"] == 11.0


def test_read_bounds_are_inclusive_and_sorted(store):
    store.write_bars("RIOT", SAMPLE, "test")
    store.write_bars("MARA", SAMPLE, "test")
    read = store.read_prices(start=date(2025, 7, 29), end=date(2025, 7, 29))
    assert read["ticker"].tolist() == ["MARA", "RIOT"]
    assert set(read["date"].dt.date) == {date(2025, 7, 29)}


def test_status_and_errors_keep_the_last_good_data(store):
    store.write_bars("MARA", SAMPLE, "csv:MARA.csv")
    store.record_error("MARA", "rate limited by Yahoo")
    store.record_error("NEWT", "no data")
    status = store.status().set_index("ticker")
    assert status.loc["MARA", "rows"] == 2
    assert status.loc["MARA", "first_date"] == date(2025, 7, 28)
    assert status.loc["MARA", "last_date"] == date(2025, 7, 29)
    assert status.loc["MARA", "source"] == "csv:MARA.csv"
    assert status.loc["MARA", "last_error"] == "rate limited by Yahoo"
    assert status.loc["MARA", "fetched_at"].tzinfo is not None
    assert status.loc["NEWT", "rows"] == 0
    assert len(store.read_prices(["MARA"])) == 2
    store.write_bars("MARA", SAMPLE, "yahoo")
    assert pd.isna(store.status().set_index("ticker").loc["MARA", "last_error"])


def test_actions_round_trip(store):
    split = pd.DataFrame({"date": pd.to_datetime(["2021-07-20"]), "kind": ["split"], "value": [4.0]})
    store.write_bars("NVDA", SAMPLE, "test", split)
    store.write_bars("NVDA", SAMPLE, "test", split)
    read = store.read_actions(["NVDA"])
    assert read[["kind", "value"]].values.tolist() == [["split", 4.0]]


def test_schema_carries_a_version_and_refuses_a_newer_one(store):
    assert store.schema_version() == SCHEMA_VERSION
    with store.engine.begin() as conn:
        conn.execute(schema_info.update().values(value=str(SCHEMA_VERSION + 1)))
    fresh = Store(store.url)
    with pytest.raises(StoreUnavailable, match="newer"):
        fresh.ensure_schema()
    fresh.dispose()


def test_refresh_runs_are_recorded(store):
    run = store.start_run()
    store.finish_run(run, {"MARA": 3}, {"RIOT": "rate limited"})
    last = store.runs()[0]
    assert last["status"] == "partial" and last["rows_added"] == {"MARA": 3}
    assert last["errors"] == {"RIOT": "rate limited"}
    assert last["finished_at"] >= last["started_at"]
