"""The real app over a store of real prices: pages and their callbacks as functions (the HTTP
contract is in test_http.py)."""

import base64
import csv
import importlib
import io
import json

import dash
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from plotly.utils import PlotlyJSONEncoder

from dashboard.app import create_app
from dashboard.cli import cli
from dashboard.events.model import CATEGORIES, ORIGINS
from dashboard.store import Store
from tests.conftest import MINERS, fill_store, settings_for, shared_data_or_skip

ALL = list(CATEGORIES)


@pytest.fixture
def context(app):
    with app.server.test_request_context("/"):
        yield app


def page(name):
    """A page module as Dash imported it."""
    return importlib.import_module(f"dashboard.pages.{name}")


def render(component) -> str:
    """A component tree as the JSON the browser receives."""
    return json.dumps(component, cls=PlotlyJSONEncoder)


def values(array):
    """Plotly 7 sends numeric arrays base64-encoded: decode them to a list."""
    if isinstance(array, dict) and "bdata" in array:
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"])).tolist()
    return list(array)


def closes(market_data, ticker):
    with (market_data / f"{ticker}.csv").open() as handle:
        return {r["Date"]: float(r["Close"]) for r in csv.DictReader(handle)}


def overview(**kwargs):
    """(figure, statistics rows, message, table note, freshness) of the overview callback."""
    defaults = dict(tickers=MINERS, start="2025-06-01", end="2025-09-30", categories=ALL, origins=list(ORIGINS),
                    scale="linear", theme="light")
    defaults.update(kwargs)
    figure, rows, _table, _key, message, note, fresh, *dates = page("overview").update_overview(*defaults.values())
    assert dates == [dash.no_update, dash.no_update]  # typed dates are the user's: never rewritten
    return figure, rows, message, note, fresh


def test_overview_figure_rebases_each_ticker_and_marks_bitmain(context):
    figure, rows, message, _note, _fresh = overview()
    traces = {t["name"]: t for t in figure["data"]}
    for name in [*MINERS, "BTC-USD"]:
        assert values(traces[name]["y"])[0] == 100.0
    assert traces["BTC-USD"]["line"]["dash"] == "dash"
    industry = traces["Industry"]
    dates = [pd.Timestamp(x).strftime("%Y-%m-%d") for x in industry["x"]]
    first_day = pd.Timestamp(values(traces["MARA"]["x"])[0], unit="ms")
    assert first_day == pd.Timestamp("2025-06-02") and figure["layout"]["xaxis"]["type"] == "date"
    bitmain = dates.index("2025-07-29")
    assert "Bitmain" in industry["hovertext"][bitmain] and industry["customdata"][bitmain] == "bitmain-us-factory"
    assert "MARA CAR(−1,+5) −5.2% (t −0.47)" in industry["hovertext"][bitmain]  # the event study in the hover
    assert "bloomberg.com" in industry["hovertext"][bitmain] and "https://" not in industry["hovertext"][bitmain]
    assert message is None
    assert figure["layout"]["hoverlabel"]["bgcolor"] == "#ffffff"
    dark = overview(theme="dark")[0]
    assert dark["layout"]["hoverlabel"]["bgcolor"] == "#212529"
    assert dark["layout"]["hoverlabel"]["font"]["color"] == "#f8f9fa"


def test_overview_table_matches_hand_computations(context, market_data):
    _figure, rows, *_ = overview()
    row = {r["ticker"]: r for r in rows}["MARA"]
    mara = closes(market_data, "MARA")
    dates = sorted(d for d in mara if d <= "2025-09-30")
    assert row["as_of"] == "2025-09-30" and row["last_close"] == mara["2025-09-30"] and not row["stale"]
    assert row["ret_1d"] == pytest.approx(mara[dates[-1]] / mara[dates[-2]] - 1, rel=1e-12)
    assert row["ret_1w"] == pytest.approx(mara["2025-09-30"] / mara["2025-09-23"] - 1, rel=1e-12)
    assert row["ret_ytd"] == pytest.approx(mara["2025-09-30"] / mara["2024-12-31"] - 1, rel=1e-12)
    assert row["ret_1y"] == pytest.approx(mara["2025-09-30"] / mara["2024-09-30"] - 1, rel=1e-12)
    peak, worst = 0.0, 0.0
    for d in [d for d in dates if d >= "2025-06-01"]:
        peak = max(peak, mara[d])
        worst = min(worst, mara[d] / peak - 1)
    assert row["max_drawdown"] == pytest.approx(worst, rel=1e-12)
    btc = closes(market_data, "BTC-USD")
    btc_dates = sorted(btc)
    level = [btc[max(b for b in btc_dates if b <= d)] for d in dates[-91:]]
    r = np.diff([mara[d] for d in dates[-91:]]) / [mara[d] for d in dates[-91:-1]]
    m = np.diff(level) / level[:-1]
    assert row["beta_90d"] == pytest.approx(np.polyfit(m, r, 1)[0], rel=1e-9)
    assert row["corr_90d"] == pytest.approx(np.corrcoef(r, m)[0, 1], rel=1e-9)
    assert {r["ticker"]: r for r in rows}["BTC-USD"]["beta_90d"] is None


def test_overview_downloads_prices_and_statistics(context, market_data):
    sent = page("overview").download_prices(1, ["MARA", "RIOT"], "2025-06-01", "2025-09-30")
    assert sent["filename"] == "minerdash-prices-MARA-RIOT-BTC-USD-2025-06-01-2025-09-30.csv"
    frame = pd.read_csv(io.StringIO(sent["content"]))
    assert list(frame.columns) == ["date", "ticker", "open", "high", "low", "close", "adj_close", "volume"]
    assert frame["ticker"].unique().tolist() == ["BTC-USD", "MARA", "RIOT"]
    assert frame["date"].min() == "2025-06-01" and frame["date"].max() == "2025-09-30"
    assert frame[frame["ticker"] == "MARA"].set_index("date")["close"].loc["2025-07-29"] == \
        closes(market_data, "MARA")["2025-07-29"]


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"tickers": [f"T{i}" for i in range(51)]}, "too many tickers"),
        ({"tickers": ["MARA"] * 200_001}, "too many tickers: 200,001 given"),
        ({"tickers": ["MARA"], "start": "2025-99-01"}, "not a date"),
        ({"tickers": ["MARA"], "start": "2025-09-01", "end": "2025-08-01"}, "is after"),
        ({"tickers": ["MARA"], "categories": ["gossip"]}, "unknown categories gossip"),
        ({"tickers": ["<script>"]}, "invalid ticker"),
        ({"tickers": {"$ne": 1}}, "tickers must be a comma-separated list"),
        ({"tickers": ["MARA"], "scale": "cubic"}, "unknown scale"),
    ],
)
def test_overview_rejects_bad_input_with_a_message(context, kwargs, message):
    figure, rows, *_ = overview(**kwargs)
    text = figure["layout"]["annotations"][0]["text"].replace("<br>", " ")
    assert rows == [] and message in text


def test_url_round_trip(context):
    search = page("overview").sync_url(["MARA", "HUT"], "2025-06-01", "2025-09-30", ["industry", "policy"],
                                       list(ORIGINS), "log", "")
    assert search == "?tickers=MARA,HUT&start=2025-06-01&end=2025-09-30&categories=industry,policy&scale=log"
    rendered = render(page("overview").layout(tickers="MARA,HUT", start="2025-06-01", end="2025-09-30",
                                              categories="industry,policy", scale="log"))
    assert '"value": ["MARA", "HUT"]' in rendered and '"start_date": "2025-06-01"' in rendered
    assert '"value": "log"' in rendered
    broken = render(page("overview").layout(tickers="MARA,not!a", start="2025-13-01"))
    assert "Ignored part of the link" in broken and "not!a" in broken


def test_log_scale_has_readable_ticks(context):
    figure = overview(tickers=MINERS, start="2021-01-01", end="2025-09-30", scale="log")[0]
    axis = figure["layout"]["yaxis"]
    lines = [values(t["y"]) for t in figure["data"] if t["name"] in MINERS]
    low, high = min(min(v) for v in lines), max(max(v) for v in lines)
    assert axis["type"] == "log" and "100" in axis["ticktext"] and len(axis["tickvals"]) >= 4
    for value, text in zip(axis["tickvals"], axis["ticktext"], strict=True):
        mantissa = value / 10 ** np.floor(np.log10(value))
        assert round(mantissa, 9) in (1, 2, 5) and low <= value <= high and text == f"{value:,.0f}"
    linear = overview(tickers=MINERS, start="2021-01-01", end="2025-09-30")[0]
    assert linear["layout"]["yaxis"]["type"] == "linear"  # never switched on by itself


def test_lines_rebase_at_the_first_date_they_share(context):
    figure, _rows, message, *_ = overview(tickers=["MARA"], start="2020-01-01", end="2025-09-30")
    traces = {t["name"]: t for t in figure["data"]}
    firsts = {n: pd.Timestamp(values(traces[n]["x"])[0], unit="ms") for n in ("MARA", "BTC-USD")}
    assert firsts["MARA"] == firsts["BTC-USD"] == pd.Timestamp("2020-06-01")
    assert "Rebased (100 on 2020-06-01)" in figure["layout"]["yaxis"]["title"]["text"]


def test_stale_and_missing_data_are_named(context):
    _figure, rows, message, *_ = overview(tickers=["MARA", "HUT"], start="2026-01-01", end="2026-05-31")
    text = render(message)
    assert "No HUT prices between 2026-01-01 and 2026-05-31 (stored to 2025-12-12)" in text
    assert "Data ends before the view does for HUT (as of 2025-12-12)" in text
    by_ticker = {r["ticker"]: r for r in rows}
    assert by_ticker["HUT"]["stale"] and by_ticker["HUT"]["as_of"] == "2025-12-12"
    assert not by_ticker["MARA"]["stale"]  # Friday 2026-05-29 is the last session before Sunday's end
    later = overview(tickers=["MARA"], start="2026-01-01", end="2026-06-30")[1]
    assert {r["ticker"]: r for r in later}["MARA"]["stale"]
    fresh = render(overview(tickers=["MARA", "HUT"], start="2026-01-01", end="2026-06-30")[4])
    assert "Snapshot data as of 2026-08-22" in fresh or "Prices as of 2026-08-22" in fresh
    assert "HUT 2025-12-12" in fresh and "MARA 2026-05-29" in fresh


def test_a_stale_tickers_statistics_are_its_own_as_of_its_last_date(context, market_data):
    """HUT's prices end 2025-12-12: in a one-month view ending 2026-05-29 its row is as of that date,
    with its year-to-date and one-year returns (they were empty: the history read for the table
    was cut 400 days before the view's start, which left HUT too little of it)."""
    hut = closes(market_data, "HUT")
    for start in ("2026-05-01", "2025-06-01"):
        row = {r["ticker"]: r for r in overview(tickers=["MARA", "HUT"], start=start, end="2026-05-29")[1]}["HUT"]
        assert row["stale"] and row["as_of"] == "2025-12-12"
        assert row["ret_ytd"] == pytest.approx(hut["2025-12-12"] / hut["2024-12-31"] - 1, rel=1e-12)
        assert row["ret_1y"] == pytest.approx(hut["2025-12-12"] / hut["2024-12-12"] - 1, rel=1e-12)
    assert row["max_drawdown"] is not None  # 2025-06-01 … 2026-05-29 holds HUT's last six months
    assert {r["ticker"]: r for r in overview(tickers=["MARA", "HUT"], start="2026-05-01", end="2026-05-29")[1]}[
        "HUT"]["max_drawdown"] is None  # none of its prices in the range


@pytest.mark.parametrize("count", [11, 50])
def test_many_tickers_each_get_a_line(tmp_path, market_data, count):
    store = fill_store(Store(f"sqlite:///{tmp_path / 'many.sqlite'}"), market_data, tickers={"BTC-USD"})
    mara = pd.read_csv(market_data / "MARA.csv", parse_dates=["Date"])
    bars = pd.DataFrame({"date": mara["Date"], "close": mara["Close"], "adj_close": mara["Close"]})
    names = [f"M{i:02d}" for i in range(count)]
    for i, name in enumerate(names):
        store.write_bars(name, bars.assign(close=bars["close"] * (1 + i / 100),
                                           adj_close=bars["adj_close"] * (1 + i / 100)), "test")
    app = create_app(settings_for(store.url, tmp_path))
    with app.server.test_request_context("/"):
        figure, rows, *_ = page("overview").update_overview(names, "2025-06-01", "2025-09-30", ALL,
                                                            list(ORIGINS), "linear", "light", None)
        styles = {(t["line"]["color"], t["line"]["dash"]) for t in figure["data"] if t["name"] in names}
        assert len(styles) == count and len(rows) == count + 1


def test_ticker_page_and_unknown_ticker(context):
    price, rolling, drawdown, stats, events, notice, *dates = page("ticker").update_ticker(
        "HUT", "2023-06-01", "2024-06-28", "dark")
    assert dates == [dash.no_update, dash.no_update]  # typed dates are the user's: never rewritten
    assert price["data"][0]["type"] == "candlestick" and price["layout"]["template"]["layout"]
    assert any(e["title"].startswith("Hut 8 Mining and US Bitcoin") for e in events)
    last_x = pd.Timestamp(price["data"][0]["x"][-1])
    assert last_x == pd.Timestamp("2024-06-28 12:00")  # bars at midday, clear of the weekend break
    assert price["layout"]["xaxis"]["rangebreaks"][0]["bounds"] == ["sat", "mon"]
    assert "2024-06-19" in price["layout"]["xaxis"]["rangebreaks"][1]["values"]  # Juneteenth
    labels = render(stats)
    assert "1W (7 days)" in labels and "Vol 30D, annualised" in labels and "Last close (USD)" in labels
    btc = page("ticker").update_ticker("BTC-USD", "2025-06-01", "2025-09-30", "light")
    assert not btc[0]["layout"]["xaxis"].get("rangebreaks")  # bitcoin trades every day
    btc_labels = render(btc[3])
    assert "Beta" not in btc_labels and "Corr" not in btc_labels
    rendered = render(page("ticker").layout(ticker="ZZZZ"))
    assert "ZZZZ is not stored" in rendered and "minerdash fetch --tickers ZZZZ" in rendered
    hostile = render(page("ticker").layout(ticker="not!a$ticker"))
    assert "Unknown ticker" in hostile and "minerdash fetch --tickers" not in hostile


def range_click(client, page_id: str, outputs: list[tuple[str, str]], controls: list[dict], label: str) -> dict:
    """The answer to the request Dash's renderer posts when range button ``label`` is clicked."""
    buttons = [{"id": {"type": f"{page_id}-range", "range": r}, "property": "n_clicks", "value": r == label or None}
               for r in ("1M", "3M", "YTD", "1Y", "5Y", "All")]
    outputs = [*outputs, (f"{page_id}-dates", "start_date"), (f"{page_id}-dates", "end_date")]
    answer = client.post("/_dash-update-component", json={
        "output": "".join(f"..{i}.{p}." for i, p in outputs) + ".",
        "outputs": [{"id": i, "property": p} for i, p in outputs],
        "inputs": [*controls, {"id": "theme-store", "property": "data", "value": "light"}, buttons],
        "state": [{"id": {"type": "sort-state", "table": "overview-stats"}, "property": "data", "value": None}]
        if page_id == "overview" else [],
        "changedPropIds": [f'{{"range":"{label}","type":"{page_id}-range"}}.n_clicks']})
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    return answer.get_json()["response"]


def control(component_id: str, prop: str, value) -> dict:
    return {"id": component_id, "property": prop, "value": value}


def test_a_range_button_sets_the_dates_and_draws_them_in_one_answer(app, market_data):
    """A range button's click, as Dash's renderer posts it, is answered with the new dates and the
    charts over them at once: 5Y on /ticker/HUT (back from HUT's last session), 1Y on the overview
    of MARA and RIOT (back from the later of their last sessions)."""
    client = app.server.test_client()
    client.get("/")
    hut = pd.read_csv(market_data / "HUT.csv", parse_dates=["Date"])
    last = hut["Date"].max()
    start = last - pd.DateOffset(years=5)
    response = range_click(client, "ticker", [
        ("ticker-price", "figure"), ("ticker-rolling", "figure"), ("ticker-drawdown", "figure"),
        ("ticker-stats", "children"), ("ticker-event-rows", "data"), ("ticker-notices", "children")], [
        control("ticker-picker", "value", "HUT"), control("ticker-dates", "start_date", "2025-06-02"),
        control("ticker-dates", "end_date", "2025-07-31")], "5Y")
    assert response["ticker-dates"] == {"start_date": f"{start:%F}", "end_date": f"{last:%F}"}
    days = pd.to_datetime(response["ticker-price"]["figure"]["data"][0]["x"])
    shown = hut[(hut["Date"] >= start) & (hut["Date"] <= last)]
    assert days.normalize().strftime("%F").tolist() == shown["Date"].dt.strftime("%F").tolist()

    bars = {t: pd.read_csv(market_data / f"{t}.csv", parse_dates=["Date"]) for t in ("MARA", "RIOT")}
    last = max(b["Date"].max() for b in bars.values())
    start = last - pd.DateOffset(years=1)
    response = range_click(client, "overview", [
        ("overview-graph", "figure"), ("overview-rows", "data"), ("overview-table", "children"),
        ("overview-key", "children"), ("overview-message", "children"), ("overview-table-note", "children"),
        ("overview-freshness", "children")], [
        control("overview-tickers", "value", ["MARA", "RIOT"]), control("overview-dates", "start_date", "2025-06-02"),
        control("overview-dates", "end_date", "2025-07-31"), control("overview-categories", "value", ALL),
        control("overview-origins", "value", list(ORIGINS)), control("overview-scale", "value", "linear")], "1Y")
    assert response["overview-dates"] == {"start_date": f"{start:%F}", "end_date": f"{last:%F}"}
    traces = {t["name"]: t for t in response["overview-graph"]["figure"]["data"]}
    mara = bars["MARA"][(bars["MARA"]["Date"] >= start) & (bars["MARA"]["Date"] <= last)]
    assert [f"{pd.Timestamp(x, unit='ms'):%F}" for x in values(traces["MARA"]["x"])] == \
        mara["Date"].dt.strftime("%F").tolist()


def test_event_page_matches_the_cli_computation(context, filled_db_url):
    figure, rows, _table, errors, prices, title, _disabled = page("event").update_event(
        "bitmain-us-factory", MINERS, "BTC-USD", "market", None, 120, 10, 1, 5, [], "light")
    by_ticker = {r["ticker"]: r for r in rows}
    assert set(by_ticker) == {*MINERS, "EW"}
    result = CliRunner().invoke(cli, ["--db", filled_db_url, "export", "event-study", "--event",
                                      "bitmain-us-factory", "--summary"])
    cli_rows = pd.read_csv(io.StringIO(result.stdout)).set_index("ticker")
    for ticker, row in by_ticker.items():
        for column in ("car", "t_stat", "p_value", "beta", "alpha", "sigma"):
            assert row[column] == pytest.approx(cli_rows.loc[ticker, column], rel=1e-12)
    assert by_ticker["MARA"]["car"] == pytest.approx(-0.05172574377562858, rel=1e-9)
    assert by_ticker["RIOT"]["significant"] == "no" and by_ticker["RIOT"]["days"] == "7 of 7"
    assert [t["name"] for t in figure["data"]] == [*MINERS, "EW"]
    sent = page("event").download_summary(1, "bitmain-us-factory", MINERS, "BTC-USD", "market", None,
                                          120, 10, 1, 5, [], "light")
    downloaded = pd.read_csv(io.StringIO(sent["content"]))
    assert ",".join(downloaded.columns) == result.stdout.splitlines()[0] + ",session,estimation,gap,pre,post"
    assert downloaded["session"].unique().tolist() == ["2025-07-29"]
    assert downloaded.set_index("ticker")["car"].to_dict() == pytest.approx(cli_rows["car"].to_dict(), rel=1e-12)


def test_a_failed_study_still_shows_the_prices_and_suggests_a_benchmark(tmp_path, market_data):
    shared = shared_data_or_skip("CORZ (listed 2024-01-24)")
    store = fill_store(Store(f"sqlite:///{tmp_path / 'corz.sqlite'}"), market_data)
    fill_store(store, shared, tickers={"CORZ"})
    app = create_app(settings_for(store.url, tmp_path))
    with app.server.test_request_context("/"):
        car, rows, _table, errors, prices, *_ = page("event").update_event(
            "btc-halving-2024", ["CORZ"], "BTC-USD", "market", None, 120, 10, 1, 5, [], "light")
        assert rows == [] and "insufficient history for CORZ" in render(errors)
        assert {t["name"] for t in prices["data"]} >= {"CORZ", "BTC-USD"}


def test_events_page_rows_link_to_each_event_with_its_ew_car(context):
    from dashboard.cached_reads import current_reads
    from dashboard.viewmodels.events import event_rows

    rows = event_rows(current_reads()).set_index("id")
    bitmain = rows.loc["bitmain-us-factory"]
    assert bitmain["event_link"] == "/events/bitmain-us-factory"
    assert bitmain["overview_link"].startswith("/?tickers=MARA,RIOT,CLSK,HUT&start=2025-06-29")
    ew = page("event").update_event("bitmain-us-factory", MINERS, "BTC-USD", "market", None, 120, 10, 1, 5, [],
                                    "light")[1]
    assert bitmain["car"] == pytest.approx({r["ticker"]: r for r in ew}["EW"]["car"], rel=1e-12)
    shown, link = page("events").filter_events("", ["industry"], list(ORIGINS), None)
    assert link == "/studies?categories=industry"
    text = render(shown)
    assert "Bitmain plans its first US factory" in text and "spot bitcoin ETFs" not in text
    searched = render(page("events").filter_events("halving", list(CATEGORIES), list(ORIGINS), None)[0])
    assert "Fourth bitcoin halving" in searched and "Bitmain" not in searched


def test_empty_store_pages_explain_how_to_load(tmp_path):
    empty = create_app(settings_for(f"sqlite:///{tmp_path / 'empty.sqlite'}", tmp_path))
    with empty.server.test_request_context("/"):
        text = render(page("overview").layout())
        assert "No prices stored yet" in text and "minerdash load-snapshot" in text
        assert "No prices stored yet" in render(page("ticker").layout(ticker="MARA"))


def test_event_text_is_never_markup(tmp_path, filled_db_url):
    from dashboard.figures.markers import event_hover

    card = event_hover({"title": "<img src=x onerror=alert(1)>", "published_ny": "2025-07-29",
                        "category": "market", "source": None})
    assert "<img" not in card and "&lt;img" in card
    evil = tmp_path / "evil.yaml"
    evil.write_text('- id: evil\n  title: "=cmd|\' /C calc\'!A0"\n  published: 2025-07-29\n  category: market\n')
    app = create_app(settings_for(filled_db_url, tmp_path, event_files=(evil,)))
    with app.server.test_request_context("/"):
        sent = page("events").download_events(1, "", ALL, list(ORIGINS))
    assert "\n'=cmd|" in sent["content"] or ",'=cmd|" in sent["content"]


def test_ticker_and_event_views_live_in_the_url(context):
    assert page("ticker").sync_ticker_url("2024-01-02", "2024-06-28", "") == "?start=2024-01-02&end=2024-06-28"
    assert page("ticker").open_ticker("RIOT", "2024-01-02", "2024-06-28", "/ticker/MARA") == \
        "/ticker/RIOT?start=2024-01-02&end=2024-06-28"
    search = page("event").sync_event_url(["MARA", "RIOT"], "QQQ", "market", None, 250, 10, 2, 10, [], "")
    assert search == "?tickers=MARA,RIOT&benchmark=QQQ&estimation=250&gap=10&pre=2&post=10"
    two = page("event").sync_event_url(["MARA"], "BTC-USD", "two-factor", "QQQ", 120, 10, 1, 5, ["yes"], "")
    assert two.endswith("&model=two-factor&factor=QQQ&exclude=1")
    rendered = render(page("event").layout(event_id="bitmain-us-factory", tickers="MARA,RIOT", benchmark="QQQ",
                                           estimation="250", gap="10", pre="2", post="10"))
    assert '"value": ["MARA", "RIOT"]' in rendered and '"value": "QQQ"' in rendered
    assert '"value": 250' in rendered
    ignored = render(page("event").layout(event_id="bitmain-us-factory", tickers="MARA,ZZZZ", benchmark="NOPE",
                                          pre="99"))
    assert "Ignored part of the link" in ignored and "benchmark NOPE is not stored" in ignored
    assert "not stored: ZZZZ" in ignored and "pre 99 is out of range" in ignored


def test_a_broken_user_events_file_is_reported_not_fatal(tmp_path, filled_db_url):
    broken = tmp_path / "mine.yaml"
    broken.write_text("- id: x\n  title: no date\n  category: market\n")
    app = create_app(settings_for(filled_db_url, tmp_path, event_files=(broken,)))
    with app.server.test_request_context("/"):
        text = render(page("events").layout())
        assert "Your event files were left out" in text and "missing published" in text
        assert "bitmain-us-factory" in text  # the curated catalogue is still there
    assert app.server.test_client().get("/events").status_code == 200
