"""The yfinance adapter against what Yahoo really sends, replayed through yfinance's own code."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
import requests
import yfinance as yf

from dashboard.refresh import refresh
from dashboard.sources.yahoo import YahooSource, explain_failure
from tests.conftest import YAHOO_RESPONSES
from tests.yahoo_replay import chart_from_csv, recorded, session, yahoo_replay, yahoo_unreachable

NVDA = "chart-NVDA-split-2021-02-01-to-2022-01-31.json"
MSFT = "chart-MSFT-dividends-2021-02-01-to-2022-01-31.json"


@pytest.fixture(autouse=True)
def _private_yfinance_cache(tmp_path_factory):
    yf.set_tz_cache_location(str(tmp_path_factory.mktemp("yf-cache")))


@pytest.fixture
def responses_dir():
    return YAHOO_RESPONSES


def expected_bars(body: dict) -> pd.DataFrame:
    """Independent reading of a chart body: exchange-local dates, quote and adjclose arrays."""
    result = body["chart"]["result"][0]
    zone = ZoneInfo(result["meta"]["exchangeTimezoneName"])
    days = [datetime.fromtimestamp(t, zone).date() for t in result["timestamp"]]
    quote = result["indicators"]["quote"][0]
    return pd.DataFrame({"date": pd.to_datetime(days), "close": quote["close"],
                         "adj_close": result["indicators"]["adjclose"][0]["adjclose"],
                         "volume": quote["volume"]})


def test_nvda_split_bars_and_action(responses_dir):
    body = recorded(responses_dir, NVDA)
    with yahoo_replay() as replay:
        replay.serve("NVDA", body)
        result = YahooSource(session=session()).fetch(["NVDA"], date(2021, 2, 1), date(2022, 1, 30))
    assert result.errors == {}
    got = result.bars["NVDA"]
    want = expected_bars(body)
    assert len(got) == len(want) == 252
    assert got["date"].tolist() == want["date"].tolist()
    assert got["close"].tolist() == pytest.approx(want["close"].tolist(), rel=1e-12)
    assert got["adj_close"].tolist() == pytest.approx(want["adj_close"].tolist(), rel=1e-12)
    assert got["volume"].tolist() == want["volume"].tolist()
    splits = body["chart"]["result"][0]["events"]["splits"]
    (split,) = splits.values()
    actions = result.actions["NVDA"]
    assert actions["kind"].tolist() == ["split"]
    assert actions["value"].iloc[0] == split["numerator"] / split["denominator"] == 4.0
    assert actions["date"].iloc[0] == pd.Timestamp("2021-07-20")


def test_msft_dividends_become_actions(responses_dir):
    body = recorded(responses_dir, MSFT)
    with yahoo_replay() as replay:
        replay.serve("MSFT", body)
        result = YahooSource(session=session()).fetch(["MSFT"], date(2021, 2, 1), date(2022, 1, 30))
    dividends = body["chart"]["result"][0]["events"]["dividends"].values()
    zone = ZoneInfo("America/New_York")
    want = sorted((datetime.fromtimestamp(d["date"], zone).date(), d["amount"]) for d in dividends)
    actions = result.actions["MSFT"]
    got = sorted(zip(actions["date"].dt.date, actions["value"], strict=True))
    assert got == want and len(got) == 4
    bars = result.bars["MSFT"]
    assert (bars["adj_close"] < bars["close"]).all()  # dividend-adjusted history kept beside close


def test_batch_with_crypto_and_equity_keeps_each_ticker_on_its_own_dates(responses_dir):
    with yahoo_replay() as replay:
        replay.serve("BTC-USD", recorded(responses_dir, "chart-BTC-USD-2020-01-01-to-2020-01-03.json"))
        replay.serve("QQQ", recorded(responses_dir, "chart-QQQ-2020-01-01-to-2020-01-03.json"))
        result = YahooSource(session=session()).fetch(["BTC-USD", "QQQ"], date(2020, 1, 1), date(2020, 1, 3))
    assert result.bars["QQQ"]["date"].dt.strftime("%F").tolist() == ["2020-01-02"]
    assert result.bars["BTC-USD"]["date"].dt.strftime("%F").tolist() == [
        "2020-01-01", "2020-01-02", "2020-01-03"]
    assert not result.bars["QQQ"]["close"].isna().any()


def test_one_rate_limited_ticker_does_not_block_the_others(responses_dir):
    with yahoo_replay() as replay:
        replay.serve("NVDA", recorded(responses_dir, NVDA))
        replay.serve("MARA", (429, "Too Many Requests"))
        result = YahooSource(session=session()).fetch(["NVDA", "MARA"], date(2021, 2, 1), date(2022, 1, 30))
    assert "NVDA" in result.bars
    assert "rate limited" in result.errors["MARA"]


def test_dns_failure_is_named(responses_dir):
    failure = requests.exceptions.ConnectionError(
        "HTTPSConnectionPool(host='query2.finance.yahoo.com', port=443): Max retries exceeded "
        "(Caused by NameResolutionError(\"Failed to resolve 'query2.finance.yahoo.com' "
        "([Errno -3] Temporary failure in name resolution)\"))")
    with yahoo_unreachable(failure):
        result = YahooSource(session=session()).fetch(["MARA"], date(2025, 7, 1), date(2025, 7, 30))
    assert result.bars == {}
    assert result.errors["MARA"].startswith("cannot reach Yahoo Finance: DNS lookup failed")


@pytest.mark.parametrize("status,text", [(200, "<html>garbage</html>"), (200, '{"chart":{"result":[]}}')])
def test_garbage_response_is_an_error_not_an_empty_success(status, text):
    with yahoo_replay() as replay:
        replay.serve("RIOT", (status, text))
        result = YahooSource(session=session()).fetch(["RIOT"], date(2025, 7, 1), date(2025, 7, 30))
    assert result.bars == {} and result.errors["RIOT"]


def test_unknown_symbol_says_no_data():
    with yahoo_replay():
        result = YahooSource(session=session()).fetch(["ZZZZ"], date(2025, 7, 1), date(2025, 7, 30))
    assert "no data" in result.errors["ZZZZ"].lower() or "delisted" in result.errors["ZZZZ"]


@pytest.mark.parametrize(
    "message,start",
    [
        ("YFRateLimitError('Too Many Requests. Rate limited. Try after a while.')", "rate limited"),
        ("Failed to resolve 'query2.finance.yahoo.com'", "cannot reach Yahoo Finance: DNS"),
        ("ConnectionError: Connection refused", "cannot reach Yahoo Finance: connection"),
        ("$MARA: possibly delisted; no price data found", "no data from Yahoo"),
        (None, "no data: Yahoo returned no prices"),
    ],
)
def test_explain_failure(message, start):
    assert explain_failure(message).startswith(start)


def test_incremental_refresh_asks_only_recent_sessions_and_keeps_data_on_failure(store, market_data):
    body = chart_from_csv(market_data / "MARA.csv", "MARA")
    csv = pd.read_csv(market_data / "MARA.csv").set_index("Date")
    in_june_july = csv.loc["2025-06-02":"2025-07-25"]
    with yahoo_replay() as replay:
        replay.serve("MARA", body)
        source = YahooSource(session=session())
        first = refresh(store, source, ["MARA"], start=date(2025, 6, 2), end=date(2025, 7, 25))
        assert first.rows_added == {"MARA": len(in_june_july)}
        replay.requests.clear()
        second = refresh(store, source, ["MARA"], end=date(2025, 7, 31))
        (symbol, query), *_ = [r for r in replay.requests if "period1" in r[1]]
        asked_from = datetime.fromtimestamp(int(query["period1"]), ZoneInfo("America/New_York")).date()
        assert asked_from == date(2025, 7, 18)  # last stored 2025-07-25 minus 7 days
        assert second.rows_added == {"MARA": len(csv.loc["2025-07-26":"2025-07-31"])}
        replay.serve("MARA", (429, "Too Many Requests"))
        third = refresh(store, source, ["MARA"], end=date(2025, 8, 29))
    assert "rate limited" in third.errors["MARA"]
    stored = store.read_prices(["MARA"])
    assert stored["date"].max() == pd.Timestamp("2025-07-31")
    assert len(stored) == len(csv.loc["2025-06-02":"2025-07-31"])
    assert stored.set_index("date")["close"].loc["2025-07-29"] == csv.loc["2025-07-29", "Close"]
    status = store.status().set_index("ticker")
    assert "rate limited" in status.loc["MARA", "last_error"]
    assert store.runs()[0]["status"] == "failed"


def test_a_past_range_is_asked_again_in_the_same_process(responses_dir):
    """yfinance memoizes past ranges per process; a worker must see Yahoo's revisions."""
    with yahoo_replay() as replay:
        replay.serve("NVDA", recorded(responses_dir, NVDA))
        for _ in range(2):
            YahooSource(session=session()).fetch(["NVDA"], date(2021, 2, 1), date(2022, 1, 30))
        charts = [r for r in replay.requests if r[0] == "NVDA"]
    assert len(charts) == 2
