"""The statistics table on calendar windows, against computations by hand from the source CSV."""

import csv
import math
from datetime import date, timedelta

import pandas as pd
import pytest

from dashboard.analytics.statistics import STATS_COLUMNS, calc_stats_table


def closes(market_data, ticker):
    with (market_data / f"{ticker}.csv").open() as handle:
        return {date.fromisoformat(r["Date"]): float(r["Close"]) for r in csv.DictReader(handle)}


def last_on_or_before(series: dict, day: date) -> float:
    return series[max(d for d in series if d <= day)]


@pytest.fixture(scope="module")
def table(filled_store):
    prices = filled_store.read_prices(["MARA", "BTC-USD", "HUT"])
    return calc_stats_table(prices, "BTC-USD", "2025-06-01", "2025-09-30",
                            order=["MARA", "BTC-USD", "HUT"]).set_index("ticker")


def test_bitcoin_windows_are_calendar_windows(table, market_data):
    btc = closes(market_data, "BTC-USD")
    end = date(2025, 9, 30)
    row = table.loc["BTC-USD"]
    assert row["ret_1w"] == pytest.approx(btc[end] / btc[date(2025, 9, 23)] - 1, rel=1e-12)
    assert row["ret_1w"] == pytest.approx(0.0182, abs=5e-5)  # not +4.59% (5 rows back)
    assert row["ret_1m"] == pytest.approx(btc[end] / btc[date(2025, 8, 30)] - 1, rel=1e-12)
    assert row["ret_1m"] == pytest.approx(0.0482, abs=5e-5)
    assert row["ret_ytd"] == pytest.approx(btc[end] / btc[date(2024, 12, 31)] - 1, rel=1e-12)
    assert row["ret_1y"] == pytest.approx(btc[end] / btc[date(2024, 9, 30)] - 1, rel=1e-12)
    days = [end - timedelta(days=k) for k in range(30, -1, -1)]  # 2025-08-31 .. 2025-09-30
    returns = [btc[b] / btc[a] - 1 for a, b in zip(days, days[1:], strict=False)]
    mean = sum(returns) / len(returns)
    vol = math.sqrt(sum((r - mean) ** 2 for r in returns) / (len(returns) - 1)) * math.sqrt(365)
    assert len(returns) == 30 and row["vol_30d"] == pytest.approx(vol, rel=1e-12)
    assert row["vol_30d"] == pytest.approx(0.243, abs=5e-4)  # not 20.2% with √252
    assert math.isnan(row["beta_90d"]) and math.isnan(row["corr_90d"]) and row["benchmark"] == ""


def test_equity_windows_use_the_last_close_on_or_before_the_anchor(table, market_data):
    mara = closes(market_data, "MARA")
    end = date(2025, 9, 30)
    row = table.loc["MARA"]
    assert row["ret_1w"] == pytest.approx(mara[end] / last_on_or_before(mara, end - timedelta(days=7)) - 1)
    assert row["ret_1m"] == pytest.approx(mara[end] / last_on_or_before(mara, date(2025, 8, 30)) - 1)
    assert row["ret_1y"] == pytest.approx(mara[end] / last_on_or_before(mara, date(2024, 9, 30)) - 1)
    dates = sorted(d for d in mara if end - timedelta(days=30) < d <= end)
    previous = [max(d for d in mara if d < first) for first in dates[:1]] + dates[:-1]
    returns = [mara[b] / mara[a] - 1 for a, b in zip(previous, dates, strict=True)]
    mean = sum(returns) / len(returns)
    vol = math.sqrt(sum((r - mean) ** 2 for r in returns) / (len(returns) - 1)) * math.sqrt(252)
    assert row["vol_30d"] == pytest.approx(vol, rel=1e-12) and row["benchmark"] == "BTC-USD"


def test_a_ticker_whose_data_ends_early_is_as_of_its_own_last_date(filled_store, market_data):
    hut = closes(market_data, "HUT")
    prices = filled_store.read_prices(["HUT", "BTC-USD"])
    row = calc_stats_table(prices, "BTC-USD", "2026-01-01", "2026-06-30", order=["HUT"]).iloc[0]
    last = max(hut)
    assert row["as_of"] == last.isoformat() == "2025-12-12"
    assert row["ret_ytd"] == pytest.approx(hut[last] / last_on_or_before(hut, date(2024, 12, 31)) - 1)
    assert list(calc_stats_table(prices, "BTC-USD").columns) == STATS_COLUMNS


def test_rows_follow_the_requested_order_and_skip_unstored(filled_store):
    prices = filled_store.read_prices(["RIOT", "MARA", "BTC-USD"])
    table = calc_stats_table(prices, "BTC-USD", order=["RIOT", "NOPE", "MARA"])
    assert table["ticker"].tolist() == ["RIOT", "MARA"]
    assert pd.notna(table["beta_90d"]).all()
