"""The real app over a store of the shared data: pages, callbacks as functions, HTTP contract."""

import base64
import csv
import importlib
import io
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from plotly.utils import PlotlyJSONEncoder

from dashboard.app import create_app
from dashboard.config import Settings
from dashboard.events.catalogue import CATEGORIES
from dashboard.store import Store

MINERS = ["MARA", "RIOT", "CLSK", "HUT"]


def settings_for(url: str, tmp: Path, **extra) -> Settings:
    return Settings(database_url=url, data_dir=tmp, cache_dir=tmp / "cache", **extra)


@pytest.fixture(scope="module")
def app(filled_db_url, tmp_path_factory):
    return create_app(settings_for(filled_db_url, tmp_path_factory.mktemp("app")))


@pytest.fixture
def context(app):
    with app.server.test_request_context("/"):
        yield app


def page(name):
    """A page module as Dash imported it (pages register themselves only inside an app)."""
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


def test_overview_figure_rebases_each_ticker_and_marks_bitmain(context):
    figure, rows, message, _note, _fresh = page("overview").update_overview(
        MINERS, "2025-06-01", "2025-09-30", list(CATEGORIES), "light")
    traces = {t["name"]: t for t in figure["data"]}
    for name in [*MINERS, "BTC-USD"]:
        assert values(traces[name]["y"])[0] == 100.0
    assert traces["BTC-USD"]["line"]["dash"] == "dash"
    events = traces["Events"]
    dates = [pd.Timestamp(x).strftime("%Y-%m-%d") for x in values(events["x"])]
    first_day = pd.Timestamp(values(traces["MARA"]["x"])[0], unit="ms")
    assert first_day == pd.Timestamp("2025-06-02") and figure["layout"]["xaxis"]["type"] == "date"
    bitmain = dates.index("2025-07-29")
    assert "Bitmain" in events["hovertext"][bitmain]
    assert "MARA CAR(−1,+5) -5.2%" in events["hovertext"][bitmain]  # the event study in the hover
    assert message is None


def test_overview_table_matches_hand_computations(context, market_data):
    _figure, rows, *_ = page("overview").update_overview(MINERS, "2025-06-01", "2025-09-30", list(CATEGORIES), "light")
    row = {r["ticker"]: r for r in rows}["MARA"]
    mara = closes(market_data, "MARA")
    dates = sorted(d for d in mara if d <= "2025-09-30")
    assert row["as_of"] == "2025-09-30" and row["last_close"] == mara["2025-09-30"]
    assert row["return_1d"] == pytest.approx(mara[dates[-1]] / mara[dates[-2]] - 1, rel=1e-12)
    assert row["return_1w"] == pytest.approx(mara[dates[-1]] / mara[dates[-6]] - 1, rel=1e-12)
    assert row["return_ytd"] == pytest.approx(mara["2025-09-30"] / mara["2024-12-31"] - 1, rel=1e-12)
    assert row["return_1y"] == pytest.approx(mara["2025-09-30"] / mara["2024-09-30"] - 1, rel=1e-12)
    window = [d for d in dates if d >= "2025-06-01"]
    peak, worst = 0.0, 0.0
    for d in window:
        peak = max(peak, mara[d])
        worst = min(worst, mara[d] / peak - 1)
    assert row["max_drawdown"] == pytest.approx(worst, rel=1e-12)
    rets = [mara[b] / mara[a] - 1 for a, b in zip(dates[-31:-1], dates[-30:], strict=True)]
    mean = sum(rets) / 30
    assert row["volatility_30d"] == pytest.approx(
        math.sqrt(sum((r - mean) ** 2 for r in rets) / 29) * math.sqrt(252), rel=1e-12)
    btc = closes(market_data, "BTC-USD")
    btc_dates = sorted(btc)
    level = [btc[max(b for b in btc_dates if b <= d)] for d in dates[-91:]]
    r = np.diff([mara[d] for d in dates[-91:]]) / [mara[d] for d in dates[-91:-1]]
    m = np.diff(level) / level[:-1]
    slope = np.polyfit(m, r, 1)[0]
    assert row["beta_90d"] == pytest.approx(slope, rel=1e-9)
    assert row["correlation_90d"] == pytest.approx(np.corrcoef(r, m)[0, 1], rel=1e-9)


def test_overview_download_is_the_long_price_format(context, market_data):
    sent = page("overview").download_prices(1, ["MARA", "RIOT"], "2025-06-01", "2025-09-30")
    assert sent["filename"] == "minerdash-prices-MARA-RIOT-BTC-USD-2025-06-01-2025-09-30.csv"
    frame = pd.read_csv(io.StringIO(sent["content"]))
    assert list(frame.columns) == ["date", "ticker", "open", "high", "low", "close", "adj_close", "volume"]
    assert frame["ticker"].unique().tolist() == ["BTC-USD", "MARA", "RIOT"]
    assert frame["date"].min() == "2025-06-01" and frame["date"].max() == "2025-09-30"
    mara = frame[frame["ticker"] == "MARA"].set_index("date")["close"]
    assert mara.loc["2025-07-29"] == closes(market_data, "MARA")["2025-07-29"]


@pytest.mark.parametrize(
    "tickers,start,end,categories,message",
    [
        ([f"T{i}" for i in range(51)], None, None, None, "too many tickers"),
        (["MARA"], "2025-99-01", None, None, "not a date"),
        (["MARA"], "2025-09-01", "2025-08-01", None, "is after"),
        (["MARA"], None, None, ["gossip"], "unknown category"),
        (["<script>"], None, None, None, "invalid ticker"),
    ],
)
def test_overview_rejects_bad_input_with_a_message(context, tickers, start, end, categories, message):
    figure, rows, alert, *_ = page("overview").update_overview(tickers, start, end, categories or list(CATEGORIES), "light")
    assert rows == [] and message in figure["layout"]["annotations"][0]["text"]


def test_url_round_trip(context):
    search = page("overview").sync_url(["MARA", "HUT"], "2025-06-01", "2025-09-30", ["industry", "policy"], "")
    assert search == "?tickers=MARA,HUT&start=2025-06-01&end=2025-09-30&categories=industry,policy"
    rendered = render(page("overview").layout(tickers="MARA,HUT", start="2025-06-01", end="2025-09-30",
                                      categories="industry,policy"))
    assert '"value": ["MARA", "HUT"]' in rendered and '"start_date": "2025-06-01"' in rendered


def test_ticker_page_and_unknown_ticker(context):
    price, rolling, drawdown, stats, events = page("ticker").update_ticker("HUT", "2023-06-01", "2024-06-28", "dark")
    assert price["data"][0]["type"] == "candlestick" and price["layout"]["template"]["layout"]
    assert any(e["title"].startswith("Hut 8 Mining and US Bitcoin") for e in events)
    assert pd.Timestamp(values(price["data"][0]["x"])[-1]) == pd.Timestamp("2024-06-28")
    rendered = render(page("ticker").layout(ticker="ZZZZ"))
    assert "ZZZZ is not stored" in rendered and "minerdash fetch --tickers ZZZZ" in rendered
    close_only = page("ticker").update_ticker("BTDR", "2025-06-01", "2025-09-30", "light")[0]
    assert close_only["data"][0]["type"] == "scatter"


def test_event_page_matches_the_cli_computation(context):
    figure, rows, errors, prices = page("event").update_event("bitmain-us-factory", MINERS, "BTC-USD",
                                                           120, 10, 1, 5, "light")
    by_ticker = {r["ticker"]: r for r in rows}
    assert set(by_ticker) == {*MINERS, "EW"}
    assert by_ticker["MARA"]["car"] == pytest.approx(-0.05172574377562858, rel=1e-9)
    assert by_ticker["RIOT"]["significant"] == "no"
    assert [t["name"] for t in figure["data"]] == [*MINERS, "EW"]
    sent = page("event").download_study.__wrapped__ if hasattr(page("event").download_study, "__wrapped__") else None
    assert sent is None or callable(sent)
    halving = page("event").update_event("btc-halving-2024", MINERS, "BTC-USD", 120, 10, 1, 5, "light")
    assert halving[1] == [] and "insufficient history" in render(halving[2])


def test_events_page_rows_link_to_each_event(context):
    rows = page("events")._rows(__import__("dashboard.services", fromlist=["services"]).services())
    bitmain = next(r for r in rows if r["id"] == "bitmain-us-factory")
    assert bitmain["event_link"] == "/events/bitmain-us-factory"
    assert bitmain["overview_link"].startswith("/?tickers=MARA,RIOT,CLSK,HUT&start=2025-06-29")


def test_pages_headers_health_and_errors(app):
    client = app.server.test_client()
    for path in ["/", "/ticker/MARA", "/events", "/events/bitmain-us-factory", "/ticker/ZZZ"]:
        response = client.get(path)
        assert response.status_code == 200
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"]
    health = client.get("/healthz")
    body = health.get_json()
    assert health.status_code == 200 and body["store_reachable"] is True
    assert body["tickers"]["MARA"]["as_of"] == "2026-05-29" and "MARA" in body["stale_tickers"]
    bad = client.post("/_dash-update-component", data="{not json", content_type="application/json")
    assert bad.status_code == 400 and b"Traceback" not in bad.data
    odd = client.post("/_dash-update-component", json={"output": "nope.children", "inputs": []})
    assert odd.status_code == 400 and odd.get_json()["error"] == "malformed callback request"
    assert client.get("/_dash-component-suites/../../etc/passwd").status_code in (400, 404)


def test_health_is_503_when_the_store_is_unreachable(tmp_path):
    from dashboard.services import Services
    from dashboard.web import health

    svc = Services(settings_for(f"sqlite:///{tmp_path}/none/deeper/x.sqlite", tmp_path))
    body, code = health(svc)
    assert code == 503 and body["store_reachable"] is False


def test_empty_store_pages_explain_how_to_load(tmp_path):
    empty = create_app(settings_for(f"sqlite:///{tmp_path / 'empty.sqlite'}", tmp_path))
    with empty.server.test_request_context("/"):
        text = render(page("overview").layout())
        assert "No prices stored yet" in text and "minerdash import-csv" in text
        assert "No prices stored yet" in render(page("ticker").layout(ticker="MARA"))


def test_event_text_is_never_markup(tmp_path, filled_db_url):
    from dashboard.figures import event_hover

    card = event_hover({"title": "<img src=x onerror=alert(1)>", "published_ny": "2025-07-29",
                        "category": "market", "source": None})
    assert "<img" not in card and "&lt;img" in card
    evil = tmp_path / "evil.yaml"
    evil.write_text('- id: evil\n  title: "=cmd|\' /C calc\'!A0"\n  published: 2025-07-29\n  category: market\n')
    app = create_app(settings_for(filled_db_url, tmp_path, event_files=(evil,)))
    with app.server.test_request_context("/"):
        sent = page("events").download_events(1)
    assert "\n'=cmd|" in sent["content"] or ",'=cmd|" in sent["content"]
    Store(filled_db_url).dispose()


def test_ticker_and_event_views_live_in_the_url(context):
    assert page("ticker").sync_ticker_url("2024-01-02", "2024-06-28", "") == "?start=2024-01-02&end=2024-06-28"
    search = page("event").sync_event_url(["MARA", "RIOT"], "QQQ", 250, 10, 2, 10, "")
    assert search == "?tickers=MARA,RIOT&benchmark=QQQ&estimation=250&gap=10&pre=2&post=10"
    rendered = render(page("event").layout(event_id="bitmain-us-factory", tickers="MARA,RIOT", benchmark="QQQ",
                                           estimation="250", gap="10", pre="2", post="10"))
    assert '"value": ["MARA", "RIOT"]' in rendered and '"value": "QQQ"' in rendered
    assert '"value": 250' in rendered


def test_a_broken_user_events_file_is_reported_not_fatal(tmp_path, filled_db_url):
    broken = tmp_path / "mine.yaml"
    broken.write_text("- id: x\n  title: no date\n  category: market\n")
    app = create_app(settings_for(filled_db_url, tmp_path, event_files=(broken,)))
    with app.server.test_request_context("/"):
        text = render(page("events").layout())
        assert "Your event files were left out" in text and "missing published" in text
        assert "bitmain-us-factory" in text  # the curated catalogue is still there
    assert app.server.test_client().get("/events").status_code == 200
