"""The store on SQLite and on the real PostgreSQL: upserts, transactions, status, schema."""

import time
from datetime import date

import pandas as pd
import pytest
import sqlalchemy as sa

from dashboard.errors import StoreNotReady, StoreUnavailable
from dashboard.schema import SCHEMA_VERSION, schema_info
from dashboard.store import Store
from tests.test_price_columns import assert_reads_equal_the_rows


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
    assert store.write_bars("MARA", SAMPLE, "test").added == 2
    read = store.read_prices(["MARA"])
    assert list(read.columns) == ["date", "ticker", "open", "high", "low", "close", "adj_close", "volume"]
    assert read["close"].tolist() == [17.15999984741211, 16.610000610351562]
    assert read["volume"].tolist() == [40821700, 41980500]
    assert read["date"].dt.strftime("%Y-%m-%d").tolist() == ["2025-07-28", "2025-07-29"]


def test_writing_the_same_rows_twice_changes_nothing(store):
    store.write_bars("MARA", SAMPLE, "test")
    first = store.read_prices()
    assert store.write_bars("MARA", SAMPLE, "test").added == 0
    pd.testing.assert_frame_equal(store.read_prices(), first)


def test_upsert_replaces_revised_values_and_counts_only_new_dates(store):
    store.write_bars("MARA", SAMPLE, "test")
    revised = bars([("2025-07-29", 1, 2, 0.5, 1.5, 1.4, 10), ("2025-07-30", 1, 2, 0.5, 1.6, 1.6, 11)])
    report = store.write_bars("MARA", revised, "test")
    assert (report.added, report.changed, report.unchanged) == (1, 1, 0)
    assert report.changed_dates == [date(2025, 7, 29)]
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
    assert store.create_or_migrate() == SCHEMA_VERSION
    assert store.schema_version() == SCHEMA_VERSION
    with store.engine.begin() as conn:
        conn.execute(schema_info.update().values(value=str(SCHEMA_VERSION + 1)))
    fresh = Store(store.url)
    with pytest.raises(StoreUnavailable, match="newer"):
        fresh.check_schema()
    with pytest.raises(StoreUnavailable, match="newer"):
        fresh.create_or_migrate()
    fresh.dispose()


def test_refresh_runs_are_recorded(store):
    run = store.start_run()
    store.finish_run(run, {"MARA": 3}, {"RIOT": "rate limited"})
    last = store.runs()[0]
    assert last["status"] == "partial" and last["rows_added"] == {"MARA": 3}
    assert last["errors"] == {"RIOT": "rate limited"}
    assert last["finished_at"] >= last["started_at"]


def test_a_reader_never_creates_the_schema(store):
    with pytest.raises(StoreNotReady, match="no tables yet: run `minerdash init-db`"):
        store.stored_tickers()
    with store.engine.connect() as conn:
        assert not sa.inspect(conn).has_table("prices")


def test_a_store_caught_mid_creation_is_finished_not_a_crash(store):
    """SQLite commits each CREATE TABLE at once, so a second process can find the version table
    without its row: two `refresh` runs on a new store failed with "No row was found"."""
    with store.engine.begin() as conn:
        schema_info.create(conn)
    with pytest.raises(StoreNotReady, match="is being created"):
        store.check_schema()
    assert store.create_or_migrate() == SCHEMA_VERSION
    assert store.check_schema() == SCHEMA_VERSION


V1_TABLES = """
CREATE TABLE schema_info (key VARCHAR(64) PRIMARY KEY, value VARCHAR(255) NOT NULL);
CREATE TABLE prices (ticker VARCHAR(15), date DATE, open FLOAT, high FLOAT, low FLOAT,
    close FLOAT NOT NULL, adj_close FLOAT NOT NULL, volume BIGINT, PRIMARY KEY (ticker, date));
CREATE TABLE tickers (ticker VARCHAR(15) PRIMARY KEY, source VARCHAR(255), fetched_at TIMESTAMP,
    last_error TEXT, last_error_at TIMESTAMP);
INSERT INTO schema_info VALUES ('version', '1');
INSERT INTO prices VALUES ('MARA', '2025-07-29', 1, 2, 0.5, 1.5, 1.5, 10);
"""


def test_a_version_1_store_is_migrated_and_keeps_its_rows(store):
    with store.engine.begin() as conn:
        for statement in V1_TABLES.strip().split(";"):
            if statement.strip():
                conn.execute(sa.text(statement))
    with pytest.raises(StoreNotReady, match="schema version 1; run `minerdash init-db`"):
        Store(store.url).check_schema()
    assert store.create_or_migrate() == SCHEMA_VERSION == 4
    read = store.read_prices(["MARA"])
    assert read["close"].tolist() == [1.5] and read["date"].dt.strftime("%F").tolist() == ["2025-07-29"]
    assert store.read_events() == []


def test_a_narrower_source_never_erases_stored_fields(store):
    dividend_adjusted = SAMPLE.assign(adj_close=[17.15999984741211, 16.5])  # 07-29 carries a real adjustment
    store.write_bars("MARA", dividend_adjusted, "yahoo")
    close_only = pd.DataFrame({"date": pd.to_datetime(["2025-07-28", "2025-07-29", "2025-07-30"]),
                               "close": [17.2, 16.7, 17.0], "adj_close": [17.2, 16.7, 17.0]})
    report = store.write_bars("MARA", close_only, "csv:MARA.csv", fields=["close"])
    assert (report.added, report.changed, report.unchanged) == (1, 2, 0)
    assert report.kept_fields == ["open", "high", "low", "adj_close", "volume"]
    read = store.read_prices(["MARA"]).set_index("date")
    assert read.loc["2025-07-29", "close"] == 16.7
    assert read.loc["2025-07-29", "open"] == 17.170000076293945  # kept
    assert read.loc["2025-07-29", "adj_close"] == 16.5  # a real adjustment is kept: the file has none
    assert read.loc["2025-07-28", "adj_close"] == 17.2  # an adjusted close that was the close follows it
    assert read.loc["2025-07-29", "volume"] == 41980500
    assert read.loc["2025-07-30", "adj_close"] == 17.0 and pd.isna(read.loc["2025-07-30", "open"])
    plain = Store(store.url)
    plain.write_bars("RIOT", SAMPLE, "yahoo")
    again = plain.write_bars("RIOT", close_only.iloc[1:2], "csv:RIOT.csv", fields=["close"])
    assert again.kept_fields == ["open", "high", "low", "volume"]  # its adjusted close was the close
    assert plain.read_prices(["RIOT"]).set_index("date").loc["2025-07-29", "adj_close"] == 16.7


def test_a_dry_run_reports_and_writes_nothing(store):
    store.write_bars("MARA", SAMPLE, "test")
    revised = bars([("2025-07-29", 1, 2, 0.5, 1.5, 1.4, 10)])
    report = store.write_bars("MARA", revised, "test", dry_run=True)
    assert (report.added, report.changed, report.dry_run) == (0, 1, True)
    assert "dry run" in report.describe()
    assert store.read_prices(["MARA"])["close"].tolist() == [17.15999984741211, 16.610000610351562]


def test_partial_bars_are_kept_but_left_out_of_reads(store):
    partial = SAMPLE.assign(partial=[False, True])
    store.write_bars("MARA", partial, "yahoo")
    assert store.read_prices(["MARA"])["date"].dt.strftime("%F").tolist() == ["2025-07-28"]
    assert len(store.read_prices(["MARA"], include_partial=True)) == 2
    assert store.read_partial_bars()[["ticker", "close"]].values.tolist() == [["MARA", 16.610000610351562]]
    assert store.status().set_index("ticker").loc["MARA", "last_date"] == date(2025, 7, 28)
    store.write_bars("MARA", SAMPLE, "yahoo")  # the refresh after the close replaces it
    assert store.read_partial_bars().empty and len(store.read_prices(["MARA"])) == 2


def test_lost_tables_are_said_in_words_and_a_writer_recreates_them(store):
    store.write_bars("MARA", SAMPLE, "test")
    assert store.stored_tickers() == ["MARA"]
    with store.engine.begin() as conn:
        for table in ("prices", "tickers", "actions", "refresh_runs", "events", "event_sources", "sec_ciks",
                      "schema_info"):
            conn.execute(sa.text(f"DROP TABLE {table}"))
    with pytest.raises(StoreNotReady, match="no tables yet"):
        store.stored_tickers()
    store.write_bars("RIOT", SAMPLE, "test")
    assert store.stored_tickers() == ["RIOT"]
    assert store.read_prices()["ticker"].unique().tolist() == ["RIOT"]  # no packed copy outlives its rows
    with store.engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE price_columns"))
    writer = Store(store.url)
    writer.create_or_migrate()
    assert len(writer.read_prices(["RIOT"])) == 2
    assert_reads_equal_the_rows(writer, ["RIOT"])


def test_a_read_only_store_reads_and_refuses_to_write(tmp_path):
    writer = Store(f"sqlite:///{tmp_path / 'ro.sqlite'}")
    writer.write_bars("MARA", SAMPLE, "test")
    writer.dispose()
    reader = Store(f"sqlite:///{tmp_path / 'ro.sqlite'}", read_only=True)
    assert reader.stored_tickers() == ["MARA"]
    with pytest.raises(StoreUnavailable, match="read-only"):
        reader.write_bars("RIOT", SAMPLE, "test")
    with pytest.raises(sa.exc.OperationalError, match="readonly"):
        with reader.engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM prices"))
    assert len(reader.read_prices()) == 2


def test_data_version_moves_with_every_kind_of_write(store):
    store.create_or_migrate()
    versions = [store.data_version()]
    store.write_bars("MARA", SAMPLE, "test")
    versions.append(store.data_version())
    time.sleep(1.1)  # timestamps are kept to the second
    store.record_error("MARA", "rate limited")
    versions.append(store.data_version())
    store.write_events([EVENT])
    versions.append(store.data_version())
    run = store.start_run()
    store.finish_run(run, {}, {})
    versions.append(store.data_version())
    assert len(set(versions)) == len(versions)


EVENT = {"origin": "earnings", "id": "riot-earnings-2025-07-31", "tickers": ("RIOT",),
         "published": "2025-07-31T16:05:00-04:00", "session": date(2025, 8, 1),
         "title": "RIOT earnings: EPS -0.03", "url": "https://finance.yahoo.com/calendar/earnings?symbol=RIOT",
         "category": "earnings", "details": {"reported_eps": -0.03}}


def test_events_are_upserted_never_deleted_and_their_sources_recorded(store):
    assert store.write_events([EVENT]) == (1, 0)
    assert store.write_events([EVENT]) == (0, 0)
    revised = {**EVENT, "title": "RIOT earnings: EPS -0.04"}
    other = {**EVENT, "id": "riot-earnings-2025-10-30", "session": date(2025, 10, 31),
             "published": "2025-10-30T16:05:00-04:00"}
    assert store.write_events([revised, other]) == (1, 1)
    stored = {e["id"]: e for e in store.read_events()}
    assert stored["riot-earnings-2025-07-31"]["title"] == "RIOT earnings: EPS -0.04"
    assert stored["riot-earnings-2025-07-31"]["details"] == {"reported_eps": -0.03}
    assert stored["riot-earnings-2025-07-31"]["session"] == date(2025, 8, 1)
    assert store.write_events([]) == (0, 0) and len(store.read_events()) == 2
    assert store.last_event_sessions("earnings") == {"RIOT": date(2025, 10, 31)}
    store.record_event_source("earnings", "RIOT")
    store.record_event_source("earnings", "MARA", "cannot reach Yahoo Finance")
    status = store.event_source_status().set_index("ticker")
    assert status.loc["RIOT", "last_success"] is not None and status.loc["RIOT", "last_error"] is None
    assert status.loc["MARA", "last_error"] == "cannot reach Yahoo Finance"
    store.write_ciks({"MARA": (1507605, "MARA Holdings, Inc.")})
    assert store.read_ciks(["MARA", "RIOT"]) == {"MARA": 1507605}
