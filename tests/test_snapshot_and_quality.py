"""The bundled snapshot (first run anywhere, offline) and the data-quality checks, on real data and on
synthetic breakages of it."""

import csv
import gzip
import io
import json
import urllib.request
from datetime import UTC, datetime

import pandas as pd
import pytest
from click.testing import CliRunner

from dashboard.analytics.quality import QUALITY_COLUMNS, quality_flags
from dashboard.browser import running_server
from dashboard.cli import cli
from dashboard.snapshot import SNAPSHOT_SOURCE, snapshot_path
from dashboard.sources.csv_file import read_price_csv
from dashboard.store import Store
from tests.conftest import routing_request, shared_data_or_skip


def invoke(*args):
    return CliRunner().invoke(cli, list(args))


def test_the_snapshot_is_exactly_the_shared_values_and_small():
    assert snapshot_path().stat().st_size < 1_000_000
    with gzip.open(snapshot_path(), "rt", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["Ticker"] for r in rows} == {"MARA", "RIOT", "CLSK", "HUT", "BTC-USD", "QQQ"}
    assert min(r["Date"] for r in rows) == "2020-06-01"
    bitmain = {r["Ticker"]: r["Close"] for r in rows if r["Date"] == "2025-07-28"}
    # the closes PROVENANCE.md quotes for 2025-07-28
    assert {t: round(float(v), 2) for t, v in bitmain.items() if t != "QQQ"} == {
        "MARA": 17.16, "RIOT": 14.51, "CLSK": 12.03, "HUT": 20.33, "BTC-USD": 117924.48}
    try:
        shared = shared_data_or_skip("MARA.csv to compare with")
    except pytest.skip.Exception:
        return
    with (shared / "MARA.csv").open(newline="") as handle:
        source = {r["Date"]: r for r in csv.DictReader(handle) if r["Date"] >= "2020-06-01"}
    mine = {r["Date"]: r for r in rows if r["Ticker"] == "MARA"}
    assert mine.keys() == source.keys()
    assert all(mine[d][k] == source[d][k] for d in source for k in ("Open", "High", "Low", "Close", "Volume"))


def test_serve_loads_the_snapshot_into_an_empty_store_and_says_so(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.sqlite'}"
    with running_server(url, tmp_path) as base:
        body = json.dumps(routing_request("/")).encode()
        urllib.request.urlopen(base + "/")
        request = urllib.request.Request(base + "/_dash-update-component", data=body,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request) as response:
            page = response.read().decode()
    log = next(tmp_path.glob("server-*.log")).read_text()
    assert "the store was empty: loaded the bundled snapshot (BTC-USD, CLSK, HUT, MARA, QQQ, RIOT, " \
           "2020-06-01 to 2026-08-22); run `minerdash fetch` for live prices" in log
    assert "Snapshot data as of" in page and "overview-graph" in page
    for ticker in ("MARA", "RIOT", "CLSK", "HUT", "BTC-USD"):
        assert f'"{ticker}"' in page
    status = invoke("--db", url, "status", "--format", "csv").stdout
    assert pd.read_csv(io.StringIO(status)).set_index("ticker").loc["MARA", "source"] == SNAPSHOT_SOURCE


def test_load_snapshot_only_adds_what_is_missing_and_fetch_replaces_it(tmp_path, market_data):
    url = f"sqlite:///{tmp_path / 'x.sqlite'}"
    mara = read_price_csv(market_data / "MARA.csv").bars
    store = Store(url)
    store.write_bars("MARA", mara[mara["date"] < "2025-01-01"].assign(close=1.0, adj_close=1.0), "csv:mine")
    result = invoke("--db", url, "load-snapshot")
    lines = {line.split("\t")[0]: line for line in result.stdout.splitlines()}
    missing = int((mara["date"] >= "2025-01-01").sum())
    assert lines["MARA"].startswith(f"MARA\t{missing} rows added\t0 changed") and lines["RIOT"].startswith("RIOT\t1507")
    status = store.status().set_index("ticker")
    assert status.loc["MARA", "source"] == "csv:mine" and status.loc["RIOT", "source"] == SNAPSHOT_SOURCE
    assert store.read_prices(["MARA"]).set_index("date").loc["2024-12-31", "close"] == 1.0  # kept
    live = tmp_path / "live"
    live.mkdir()
    (live / "RIOT.csv").write_text((market_data / "RIOT.csv").read_text())
    fetched = invoke("--db", url, "fetch", "--tickers", "RIOT", "--source-dir", str(live), "--no-events")
    assert fetched.exit_code == 0 and "fetching RIOT from csv:" in fetched.stderr
    assert "since the first available date" in fetched.stderr  # a snapshot ticker is fetched whole
    assert fetched.stdout.startswith("RIOT\t0 rows added\t0 changed\t1507 unchanged")
    assert Store(url).status().set_index("ticker").loc["RIOT", "source"].startswith("csv:")


def test_init_db_loads_the_snapshot_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.sqlite'}"
    first = invoke("--db", url, "init-db")
    assert "loaded the bundled snapshot" in first.stderr
    again = invoke("--db", url, "init-db")
    assert again.exit_code == 0 and "snapshot" not in again.stderr
    assert "the store was empty" not in invoke("--db", url, "init-db", "--no-snapshot").stderr


# -- data quality ---------------------------------------------------------------------------------

def flags_of(bars, ticker="X", actions=None, partial=None, listing=None):
    actions = actions if actions is not None else pd.DataFrame(columns=["ticker", "date", "kind", "value"])
    partial = partial if partial is not None else pd.DataFrame(columns=["ticker", "date", "close"])
    return quality_flags(ticker, bars, actions, partial, listing)


def test_an_unadjusted_reverse_split_is_flagged(tmp_path, market_data):
    hut = read_price_csv(market_data / "HUT.csv").bars
    assert flags_of(hut, "HUT").query("check == 'jump'").empty  # the real series is adjusted
    broken = hut.copy()
    before = broken["date"] < "2023-12-01"
    broken.loc[before, ["open", "high", "low", "close", "adj_close"]] /= 5
    flags = flags_of(broken, "HUT").query("check == 'jump'")
    assert flags["date"].dt.strftime("%F").tolist() == ["2023-12-01"]
    last, first = hut.set_index("date").loc["2023-11-30", "close"], hut.set_index("date").loc["2023-12-01", "close"]
    move = first / (last / 5) - 1
    assert f"one-day move of {move:+.0%}" in flags["detail"].iloc[0] and move > 4
    split = pd.DataFrame({"ticker": ["HUT"], "date": pd.to_datetime(["2023-12-01"]), "kind": ["split"],
                          "value": [0.2]})
    assert flags_of(broken, "HUT", actions=split).query("check == 'jump'").empty  # a stored split explains it
    db = f"sqlite:///{tmp_path / 'x.sqlite'}"
    path = tmp_path / "HUT.csv"
    broken.rename(columns={"date": "Date", "open": "Open", "high": "High", "low": "Low", "close": "Close",
                           "volume": "Volume"}).drop(columns=["adj_close"]).to_csv(path, index=False)
    result = invoke("--db", db, "import-csv", str(path))
    assert result.exit_code == 0 and "Flag: HUT 2023-12-01 jump: one-day move of" in result.stderr


def test_a_partial_last_bar_is_flagged_and_left_out(tmp_path, market_data):
    from dashboard.bars import partial_mask

    mara = read_price_csv(market_data / "MARA.csv").bars
    during = datetime(2026, 5, 29, 15, 0, tzinfo=UTC)  # 11:00 in New York: the session is open
    assert partial_mask(mara, "MARA", during).tolist()[-1] is True
    assert partial_mask(mara, "MARA", datetime(2026, 5, 29, 20, 30, tzinfo=UTC)).sum() == 0
    btc = read_price_csv(market_data / "BTC-USD.csv").bars
    assert partial_mask(btc, "BTC-USD", datetime(2026, 8, 22, 19, 37, tzinfo=UTC)).tolist()[-1] is True
    store = Store(f"sqlite:///{tmp_path / 'x.sqlite'}")
    store.write_bars("MARA", mara.assign(partial=partial_mask(mara, "MARA", during)), "yahoo")
    assert store.read_prices(["MARA"])["date"].max() == pd.Timestamp("2026-05-28")
    flags = quality_flags("MARA", store.read_prices(["MARA"]), store.read_actions(), store.read_partial_bars(), None)
    assert flags.query("check == 'partial'")["date"].dt.strftime("%F").tolist() == ["2026-05-29"]


def test_missing_sessions_are_flagged_on_each_calendar(market_data):
    mara = read_price_csv(market_data / "MARA.csv").bars
    assert flags_of(mara, "MARA").query("check == 'gap'").empty  # the real file matches the NYSE calendar
    holed = mara[mara["date"] != "2025-07-29"]
    gaps = flags_of(holed, "MARA").query("check == 'gap'")
    assert gaps["date"].dt.strftime("%F").tolist() == ["2025-07-29"] and "XNYS session" in gaps["detail"].iloc[0]
    btc = read_price_csv(market_data / "BTC-USD.csv").bars
    assert flags_of(btc, "BTC-USD").query("check == 'gap'").empty
    btc_holed = btc[btc["date"] != "2026-06-18"]
    assert flags_of(btc_holed, "BTC-USD").query("check == 'gap'")["date"].dt.strftime("%F").tolist() == ["2026-06-18"]


def test_history_from_before_a_listing_is_flagged(market_data):
    from dashboard.quality import listings

    spac = read_price_csv(market_data / "MARA.csv").bars  # any prices under the SPAC's years
    flags = flags_of(spac, "BTDR", listing=listings()["BTDR"]).query("check == 'listing'")
    before = int((spac["date"] < "2023-04-14").sum())
    assert flags["detail"].iloc[0].startswith(f"{before} rows before 2023-04-14 are the prices of Blue Safari")
    real = read_price_csv(shared_data_or_skip("BTDR.csv (a SPAC's history)") / "BTDR.csv").bars
    real_flags = flags_of(real, "BTDR", listing=listings()["BTDR"]).query("check == 'listing'")
    assert len(real_flags) == 1 and real_flags["date"].iloc[0] == pd.Timestamp("2023-04-14")


def test_dividends_left_out_of_close_only_returns_are_flagged(market_data):
    mara = read_price_csv(market_data / "MARA.csv").bars
    dividends = pd.DataFrame({"ticker": ["X", "X"], "date": pd.to_datetime(["2024-03-01", "2024-06-03"]),
                              "kind": ["dividend", "dividend"], "value": [0.1, 0.1]})
    flags = flags_of(mara, "X", actions=dividends).query("check == 'dividends'")
    assert flags["detail"].iloc[0].startswith("2 dividends stored, but the series is not adjusted for them")
    adjusted = mara.assign(adj_close=mara["close"] * 0.99)
    assert flags_of(adjusted, "X", actions=dividends).query("check == 'dividends'").empty


def test_flags_are_listed_counted_and_shown(tmp_path, market_data):
    db = f"sqlite:///{tmp_path / 'x.sqlite'}"
    holed = tmp_path / "MARA.csv"
    lines = (market_data / "MARA.csv").read_text().splitlines()
    holed.write_text("\n".join(line for line in lines if not line.startswith("2025-07-30")) + "\n")
    imported = invoke("--db", db, "import-csv", str(holed), str(market_data / "BTC-USD.csv"))
    assert "Flag: MARA 2025-07-30 gap: no bar for this XNYS session" in imported.stderr
    checked = invoke("--db", db, "check-data")
    assert checked.stdout.splitlines()[0] == "ticker,date,check,detail" == ",".join(QUALITY_COLUMNS)
    assert "MARA,2025-07-30,gap,no bar for this XNYS session" in checked.stdout
    status = pd.read_csv(io.StringIO(invoke("--db", db, "status", "--format", "csv").stdout)).set_index("ticker")
    # and MARA's real +89% of 2020-08-03, a move worth a look
    assert status.loc["MARA", "quality"] == "1 gap, 1 jump" and pd.isna(status.loc["BTC-USD", "quality"])
    from dashboard.app import create_app
    from dashboard.config import Settings
    from dashboard.health import health

    app = create_app(Settings(database_url=db, data_dir=tmp_path))
    from dashboard.pages import event, ticker
    with app.server.test_request_context("/"):
        body, _code = health(app.server.extensions["minerdash"], now=datetime(2026, 6, 1, tzinfo=UTC))
        notice = ticker.update_ticker("MARA", "2025-06-01", "2025-09-30", "light")[5]
        messages = event.update_event("bitmain-us-factory", ["MARA"], "BTC-USD", "market", None, 120, 10, 1, 5,
                                      [], "light")[3]
    assert body["tickers"]["MARA"]["quality_flags"] == 2 and body["quality_flags"] == 2
    text = json.dumps(notice, default=str) + json.dumps(messages, default=str)
    assert "The data of MARA is suspect in this range" in text and "2025-07-30 gap" in text
    assert "The data is suspect near this event: MARA 2025-07-30" in text
