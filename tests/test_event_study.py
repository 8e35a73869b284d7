"""The market-model event study against independent computations (statsmodels, by hand)."""

import io

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from click.testing import CliRunner
from scipy import stats

from dashboard.analytics.event_study import Windows, market_model, run_event_study
from dashboard.cli import cli
from dashboard.errors import InputError, InsufficientHistory


def csv_series(market_data, ticker):
    frame = pd.read_csv(market_data / f"{ticker}.csv", parse_dates=["Date"])
    return frame.set_index("Date")["Close"]


def independent_study(market_data, ticker, session, L=120, gap=10, pre=1, post=5):
    """Straight from the CSVs: returns, BTC sampled with merge_asof, OLS by statsmodels."""
    prices = csv_series(market_data, ticker)
    btc = csv_series(market_data, "BTC-USD").rename("btc")
    frame = pd.merge_asof(prices.rename("p").reset_index(), btc.reset_index(), on="Date",
                          direction="backward").set_index("Date")
    frame["r"] = frame["p"].pct_change(fill_method=None)
    frame["m"] = frame["btc"].pct_change(fill_method=None)
    zero = frame.index.get_loc(pd.Timestamp(session))
    est = frame.iloc[zero - gap - L: zero - gap]
    model = sm.OLS(est["r"], sm.add_constant(est["m"])).fit()
    alpha, beta = model.params["const"], model.params["m"]
    sigma = np.sqrt(model.ssr / model.df_resid)
    window = frame.iloc[zero - pre: zero + post + 1]
    ar = window["r"] - (alpha + beta * window["m"])
    car = ar.sum()
    t = car / (sigma * np.sqrt(len(window)))
    return dict(alpha=alpha, beta=beta, sigma=sigma, ar=ar, car=car, t=t,
                p=2 * stats.t.sf(abs(t), L - 2), returns=window["r"])


@pytest.fixture
def cli_db(filled_db_url):
    def invoke(*args):
        return CliRunner().invoke(cli, ["--db", filled_db_url, *args], catch_exceptions=False)

    return invoke


def summary_frame(text):
    return pd.read_csv(io.StringIO(text)).set_index("ticker")


def test_bitmain_summary_matches_statsmodels(cli_db, market_data):
    result = cli_db("export", "event-study", "--event", "bitmain-us-factory", "--summary")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == (
        "event_id,ticker,benchmark,alpha,beta,sigma,n_estimation,n_days,car,t_stat,p_value")
    got = summary_frame(result.stdout)
    assert got.index.tolist() == ["MARA", "RIOT", "CLSK", "HUT", "EW"]
    for ticker in ("MARA", "RIOT", "CLSK", "HUT"):
        want = independent_study(market_data, ticker, "2025-07-29")
        row = got.loc[ticker]
        assert row["alpha"] == pytest.approx(want["alpha"], rel=1e-9)
        assert row["beta"] == pytest.approx(want["beta"], rel=1e-9)
        assert row["sigma"] == pytest.approx(want["sigma"], rel=1e-9)
        assert row["car"] == pytest.approx(want["car"], rel=1e-9)
        assert row["t_stat"] == pytest.approx(want["t"], rel=1e-9)
        assert row["p_value"] == pytest.approx(want["p"], rel=1e-9)
        assert (row["n_estimation"], row["n_days"], row["benchmark"]) == (120, 7, "BTC-USD")


def test_daily_rows_match_and_ew_is_the_mean_return(cli_db, market_data):
    result = cli_db("export", "event-study", "--event", "bitmain-us-factory")
    daily = pd.read_csv(io.StringIO(result.stdout))
    assert list(daily.columns) == ["event_id", "ticker", "benchmark", "day", "date", "return",
                                   "benchmark_return", "abnormal_return", "car"]
    mara = daily[daily["ticker"] == "MARA"]
    assert mara["day"].tolist() == [-1, 0, 1, 2, 3, 4, 5]
    assert mara["date"].iloc[1] == "2025-07-29"
    want = independent_study(market_data, "MARA", "2025-07-29")
    assert mara["abnormal_return"].to_numpy() == pytest.approx(want["ar"].to_numpy(), rel=1e-9)
    assert mara["car"].to_numpy() == pytest.approx(want["ar"].cumsum().to_numpy(), rel=1e-9)
    # 2025-07-29: MARA closed 16.610000610351562 after 17.15999984741211 the day before.
    assert mara["return"].iloc[1] == pytest.approx(16.610000610351562 / 17.15999984741211 - 1, rel=1e-12)
    members = daily[daily["ticker"].isin(["MARA", "RIOT", "CLSK", "HUT"])]
    mean = members.groupby("day")["return"].mean()
    ew = daily[daily["ticker"] == "EW"].set_index("day")["return"]
    assert ew.to_numpy() == pytest.approx(mean.to_numpy(), rel=1e-12)


def test_hand_computed_small_example():
    dates = pd.bdate_range("2024-01-01", periods=40)
    m_levels = pd.Series(100 * np.cumprod(1 + np.tile([0.01, -0.02, 0.015, 0.0], 10)), index=dates)
    market = m_levels / m_levels.shift(1) - 1
    returns = 0.001 + 2 * market
    returns.iloc[35] += 0.05  # the event day
    daily, summary = market_model(returns, m_levels, dates[35], Windows(30, 2, 1, 2), "X", "M")
    assert summary["beta"] == pytest.approx(2.0, abs=1e-12)
    assert summary["alpha"] == pytest.approx(0.001, abs=1e-12)
    assert summary["sigma"] == pytest.approx(0.0, abs=1e-12)
    assert daily["abnormal_return"].to_numpy() == pytest.approx([0, 0.05, 0, 0], abs=1e-12)
    assert daily["car"].iloc[-1] == pytest.approx(0.05, abs=1e-12)


def test_recent_event_is_cut_at_the_last_session():
    dates = pd.bdate_range("2024-01-01", periods=140)
    rng = np.random.default_rng(7)
    levels = pd.Series(100 * np.cumprod(1 + rng.normal(0, 0.02, 140)), index=dates)
    returns = 0.5 * (levels / levels.shift(1) - 1) + rng.normal(0, 0.01, 140)
    daily, summary = market_model(returns, levels, dates[-2], Windows(), "X", "M")
    assert summary["n_days"] == 3 and daily["day"].tolist() == [-1, 0, 1]


@pytest.mark.parametrize(
    "event,extra,message",
    [
        ("btc-halving-2024", [], "needs BTC-USD from 2023-10-12 (first date needed); BTC-USD is stored from 2024-12-06"),
        ("bitmain-us-factory", ["--tickers", "CORZ", "--estimation", "500"],
         "insufficient history for CORZ against BTC-USD"),
        ("hut8-usbtc-merger", ["--benchmark", "QQQ", "--tickers", "IBIT"], "before its history"),
    ],
)
def test_insufficient_history_is_a_clear_error(cli_db, event, extra, message):
    result = cli_db("export", "event-study", "--event", event, "--summary", *extra)
    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_event_after_the_last_date(cli_db, tmp_path):
    future = tmp_path / "future.yaml"
    future.write_text("- id: later\n  title: Later\n  published: 2026-07-01\n  category: market\n")
    result = cli_db("export", "event-study", "--event", "later", "--events", str(future),
                    "--tickers", "MARA")
    assert result.exit_code == 1 and "after its history" in result.stderr


def test_one_failing_ticker_does_not_stop_the_others(cli_db):
    result = cli_db("export", "event-study", "--event", "bitmain-us-factory", "--summary",
                    "--tickers", "MARA,IBIT,NOPE", "--benchmark", "QQQ", "--estimation", "500")
    assert result.exit_code == 0
    assert summary_frame(result.stdout).index.tolist() == ["MARA"]
    assert "IBIT" in result.stderr and "NOPE: no stored prices" in result.stderr


@pytest.mark.parametrize(
    "args,message",
    [
        (["--pre", "31"], "pre 31 is out of range"),
        (["--post", "40"], "post 40 is out of range"),
        (["--estimation", "20"], "estimation window 20 is out of range"),
        (["--gap", "0", "--pre", "2"], "gap 0 is out of range"),
    ],
)
def test_windows_are_bounded(cli_db, args, message):
    result = cli_db("export", "event-study", "--event", "bitmain-us-factory", *args)
    assert result.exit_code != 0 and message in result.stderr


def test_unknown_event_suggests_near_ids(cli_db):
    result = cli_db("export", "event-study", "--event", "bitmain-factory")
    assert result.exit_code != 0 and "did you mean bitmain-us-factory" in result.stderr


def test_pure_function_reports_errors_per_ticker():
    dates = pd.bdate_range("2024-01-01", periods=50)
    levels = pd.Series(np.linspace(100, 150, 50), index=dates)
    result = run_event_study({"A": levels}, levels, dates[45], Windows(), "M")
    assert result.summary.empty and "insufficient history for A" in result.errors["A"]
    with pytest.raises(InputError):
        run_event_study({}, levels, dates[45], Windows(pre=50), "M")
    with pytest.raises(InsufficientHistory):
        market_model(levels, levels, pd.Timestamp("2030-01-01"), Windows(), "A", "M")
