"""The market-model event study against independent computations (statsmodels, by hand)."""

import io

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from click.testing import CliRunner
from scipy import stats

from dashboard.analytics.event_study import Factor, Windows, abnormal_returns, run_event_study
from dashboard.cli import cli
from dashboard.errors import InputError, InsufficientHistory
from dashboard.store import Store
from tests.conftest import fill_store, shared_data_or_skip


def csv_series(market_data, ticker):
    frame = pd.read_csv(market_data / f"{ticker}.csv", parse_dates=["Date"])
    return frame.set_index("Date")["Close"]


def independent_study(market_data, ticker, session, L=120, gap=10, pre=1, post=5, factor=None):
    """Straight from the CSVs: returns, BTC (and the factor) sampled with merge_asof, OLS by statsmodels."""
    frame = csv_series(market_data, ticker).rename("p").reset_index()
    regressors = ["m"] + (["f"] if factor else [])
    for column, symbol in zip(regressors, ["BTC-USD", factor], strict=False):
        levels = csv_series(market_data, symbol).rename(column + "_level").reset_index()
        frame = pd.merge_asof(frame, levels, on="Date", direction="backward")
    frame = frame.set_index("Date")
    frame["r"] = frame["p"].pct_change(fill_method=None)
    for column in regressors:
        frame[column] = frame[column + "_level"].pct_change(fill_method=None)
    zero = frame.index.get_loc(pd.Timestamp(session))
    est = frame.iloc[zero - gap - L: zero - gap]
    model = sm.OLS(est["r"], sm.add_constant(est[regressors])).fit()
    sigma = np.sqrt(model.ssr / model.df_resid)
    window = frame.iloc[zero - pre: zero + post + 1]
    ar = window["r"] - model.predict(sm.add_constant(window[regressors], has_constant="add"))
    car = ar.sum()
    t = car / (sigma * np.sqrt(len(window)))
    return dict(alpha=model.params["const"], beta=model.params["m"], sigma=sigma, ar=ar, car=car, t=t,
                p=2 * stats.t.sf(abs(t), model.df_resid), returns=window["r"], df=model.df_resid,
                beta_factor=model.params.get("f"))


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
    daily, summary = abnormal_returns(returns, Factor("M", m_levels), dates[35], Windows(30, 2, 1, 2), "X")
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
    daily, summary = abnormal_returns(returns, Factor("M", levels), dates[-2], Windows(), "X")
    assert summary["n_days"] == 3 and daily["day"].tolist() == [-1, 0, 1]


@pytest.fixture(scope="module")
def corz_db(tmp_path_factory, market_data):
    """The snapshot plus CORZ, listed 2024-01-24: too short a history for the 2024 halving."""
    shared = shared_data_or_skip("CORZ (listed 2024-01-24)")
    store = fill_store(Store(f"sqlite:///{tmp_path_factory.mktemp('corz') / 'corz.sqlite'}"), market_data)
    fill_store(store, shared, tickers={"CORZ"})

    def invoke(*args):
        return CliRunner().invoke(cli, ["--db", store.url, *args], catch_exceptions=False)

    return invoke


@pytest.mark.parametrize(
    "event,extra,message",
    [
        ("btc-halving-2024", ["--tickers", "CORZ"],
         "insufficient history for CORZ against BTC-USD: the estimation window needs 131 sessions of CORZ "
         "before 2024-04-22, from 2023-10-12; CORZ is stored from 2024-01-24"),
        ("bitmain-us-factory", ["--tickers", "CORZ", "--estimation", "500"],
         "insufficient history for CORZ against BTC-USD"),
    ],
)
def test_insufficient_history_is_a_clear_error(corz_db, event, extra, message):
    result = corz_db("export", "event-study", "--event", event, "--summary", *extra)
    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_too_short_a_history_names_what_is_needed(cli_db):
    result = cli_db("export", "event-study", "--event", "china-mining-crackdown", "--summary",
                    "--tickers", "MARA", "--estimation", "250")
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert ("insufficient history for MARA against BTC-USD: the estimation window needs 261 sessions of MARA "
            "before 2021-05-21") in result.stderr
    assert "MARA is stored from 2020-06-01" in result.stderr


def test_event_after_the_last_date(cli_db, tmp_path):
    future = tmp_path / "future.yaml"
    future.write_text("- id: later\n  title: Later\n  published: 2026-07-01\n  category: market\n")
    result = cli_db("export", "event-study", "--event", "later", "--events", str(future),
                    "--tickers", "MARA")
    assert result.exit_code == 1 and "after its history" in result.stderr


def test_one_failing_ticker_does_not_stop_the_others(tmp_path, market_data):
    from dashboard.sources.csv_file import read_price_csv

    store = fill_store(Store(f"sqlite:///{tmp_path / 'x.sqlite'}"), market_data)
    mara = read_price_csv(market_data / "MARA.csv").bars
    store.write_bars("NEWCO", mara[mara["date"] >= "2025-03-03"], "test")  # ~100 sessions before day 0
    result = CliRunner().invoke(cli, ["--db", store.url, "export", "event-study", "--event", "bitmain-us-factory",
                                      "--summary", "--tickers", "MARA,NEWCO,NOPE"])
    assert result.exit_code == 0
    assert summary_frame(result.stdout).index.tolist() == ["MARA"]
    assert "insufficient history for NEWCO against BTC-USD" in result.stderr
    assert "NOPE: no stored prices" in result.stderr


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
    result = run_event_study({"A": levels}, Factor("M", levels), dates[45], Windows())
    assert result.summary.empty and "insufficient history for A" in result.errors["A"]
    with pytest.raises(InputError):
        run_event_study({}, Factor("M", levels), dates[45], Windows(pre=50))
    with pytest.raises(InsufficientHistory):
        abnormal_returns(levels, Factor("M", levels), pd.Timestamp("2030-01-01"), Windows(), "A")


def test_two_factor_model_matches_statsmodels(cli_db, market_data):
    result = cli_db("export", "event-study", "--event", "bitmain-us-factory", "--summary",
                    "--model", "two-factor", "--factor", "QQQ")
    assert result.exit_code == 0, result.stderr
    header = result.stdout.splitlines()[0]
    assert header == ("event_id,ticker,benchmark,alpha,beta,sigma,n_estimation,n_days,car,t_stat,p_value,"
                      "factor,beta_factor")
    got = summary_frame(result.stdout)
    for ticker in ("MARA", "RIOT", "CLSK", "HUT"):
        want = independent_study(market_data, ticker, "2025-07-29", factor="QQQ")
        row = got.loc[ticker]
        assert want["df"] == 117  # L − 3
        for name in ("alpha", "beta", "sigma", "car", "beta_factor"):
            assert row[name] == pytest.approx(want[name], rel=1e-8), (ticker, name)
        assert row["t_stat"] == pytest.approx(want["t"], rel=1e-8)
        assert row["p_value"] == pytest.approx(want["p"], rel=1e-8)
        assert row["factor"] == "QQQ"


def test_summary_with_params_appends_the_session_and_windows(cli_db):
    plain = cli_db("export", "event-study", "--event", "bitmain-us-factory", "--summary")
    result = cli_db("export", "event-study", "--event", "bitmain-us-factory", "--summary", "--with-params",
                    "--pre", "2", "--post", "3")
    header = result.stdout.splitlines()[0]
    assert header == plain.stdout.splitlines()[0] + ",session,estimation,gap,pre,post"
    frame = pd.read_csv(io.StringIO(result.stdout))
    assert frame["session"].unique().tolist() == ["2025-07-29"]
    assert frame[["estimation", "gap", "pre", "post"]].drop_duplicates().values.tolist() == [[120, 10, 2, 3]]


@pytest.mark.parametrize("args,message", [
    (["--model", "three-factor"], "Invalid value for '--model'"),
    (["--model", "two-factor", "--factor", "NOPE"], "factor NOPE is not stored"),
    (["--benchmark", "NOPE"], "benchmark NOPE is not stored"),
])
def test_model_options_are_checked(cli_db, args, message):
    result = cli_db("export", "event-study", "--event", "bitmain-us-factory", *args)
    assert result.exit_code != 0 and message in result.stderr and "Traceback" not in result.stderr
