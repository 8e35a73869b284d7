"""Cross-event studies against an independent computation: statsmodels for each unit, numpy and
scipy for the averages and the tests."""

import importlib
import io
import math

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from scipy import stats

from dashboard.app import create_app
from dashboard.cli import cli
from dashboard.config import Settings
from tests.conftest import MINERS
from tests.test_event_study import independent_study

SELECTION = ["--category", "policy", "--category", "macro", "--category", "bitcoin", "--category", "industry"]
CURATED = {  # the curated events of those categories and their sessions (tested in test_events.py)
    "china-mining-crackdown": "2021-05-21", "china-crypto-ban": "2021-09-24",
    "spot-btc-etf-approval": "2024-01-11", "btc-halving-2024": "2024-04-22", "us-election-2024": "2024-11-06",
    "sophgo-entity-list": "2025-01-15", "strategic-bitcoin-reserve": "2025-03-07",
    "liberation-day-tariffs": "2025-04-03", "bitmain-us-factory": "2025-07-29",
}


@pytest.fixture
def caar(filled_db_url):
    def run(*args):
        result = CliRunner().invoke(cli, ["--db", filled_db_url, "export", "caar", *args])
        return result

    return run


def independent_tests(cars: np.ndarray, scars: np.ndarray) -> dict:
    n = len(cars)
    t_cs = cars.mean() / (cars.std(ddof=1) / math.sqrt(n))
    t_bmp = scars.mean() / (scars.std(ddof=1) / math.sqrt(n))
    positive = int((cars > 0).sum())
    return {"n": n, "caar": cars.mean(), "t_cs": t_cs, "p_cs": 2 * stats.t.sf(abs(t_cs), n - 1),
            "t_bmp": t_bmp, "p_bmp": 2 * stats.t.sf(abs(t_bmp), n - 1), "positive": positive,
            "sign_p": stats.binomtest(positive, n, 0.5).pvalue, "wilcoxon_p": stats.wilcoxon(cars).pvalue}


def test_pairs_match_statsmodels_and_scipy(caar, market_data):
    path = pd.read_csv(io.StringIO(caar(*SELECTION).stdout))
    summary = pd.read_csv(io.StringIO(caar(*SELECTION, "--summary").stdout)).iloc[0]
    units = pd.read_csv(io.StringIO(caar(*SELECTION, "--units").stdout), keep_default_na=False)
    assert list(path.columns) == ["day", "n", "aar", "caar"]
    assert list(summary.index) == ["unit", "model", "benchmark", "factor", "n", "caar", "t_cs", "p_cs", "t_bmp",
                                   "p_bmp", "positive", "sign_p", "wilcoxon_p"]
    assert list(units.columns) == ["event_id", "ticker", "session", "included", "reason", "car", "t_stat"]
    ars, cars, scars = [], [], []
    for session in CURATED.values():
        for ticker in MINERS:
            want = independent_study(market_data, ticker, session)
            ars.append(want["ar"].to_numpy())
            cars.append(want["car"])
            scars.append(want["t"])  # SCAR = CAR / (σ·√n): the single-event t
    ars = np.array(ars)
    assert len(units) == 36 and units["included"].all() and (units["reason"] == "").all()
    assert path["day"].tolist() == list(range(-1, 6)) and (path["n"] == 36).all()
    assert path["aar"].to_numpy() == pytest.approx(ars.mean(axis=0), rel=1e-9)
    assert path["caar"].to_numpy() == pytest.approx(ars.mean(axis=0).cumsum(), rel=1e-9)
    want = independent_tests(np.array(cars), np.array(scars))
    for name, value in want.items():
        assert summary[name] == pytest.approx(value, rel=1e-8), name
    assert (summary["unit"], summary["model"], summary["benchmark"]) == ("pair", "market", "BTC-USD")
    assert pd.isna(summary["factor"])
    bitmain = units.set_index(["event_id", "ticker"]).loc[("bitmain-us-factory", "MARA")]
    assert float(bitmain["car"]) == pytest.approx(-0.05172574377562858, rel=1e-9)


def test_event_units_are_the_equal_weight_portfolio_of_each_event(caar, filled_db_url):
    units = pd.read_csv(io.StringIO(caar(*SELECTION, "--unit", "event", "--units").stdout), keep_default_na=False)
    assert units["ticker"].unique().tolist() == ["EW"] and len(units) == 9
    for event_id in ("bitmain-us-factory", "china-crypto-ban"):
        row = units.set_index("event_id").loc[event_id]
        single = pd.read_csv(io.StringIO(CliRunner().invoke(cli, [
            "--db", filled_db_url, "export", "event-study", "--event", event_id, "--summary"]).stdout)).set_index("ticker")
        assert float(row["car"]) == pytest.approx(single.loc["EW", "car"], rel=1e-12)
    summary = pd.read_csv(io.StringIO(caar(*SELECTION, "--unit", "event", "--summary").stdout)).iloc[0]
    assert summary["unit"] == "event" and summary["n"] == 9


def test_two_factor_units_and_factor_column(caar, market_data):
    summary = pd.read_csv(io.StringIO(caar(*SELECTION, "--model", "two-factor", "--summary").stdout)).iloc[0]
    assert (summary["model"], summary["factor"]) == ("two-factor", "QQQ")
    units = pd.read_csv(io.StringIO(caar(*SELECTION, "--model", "two-factor", "--units").stdout))
    mara = units.set_index(["event_id", "ticker"]).loc[("bitmain-us-factory", "MARA")]
    assert float(mara["car"]) == pytest.approx(independent_study(market_data, "MARA", "2025-07-29",
                                                                 factor="QQQ")["car"], rel=1e-8)


def test_every_unit_left_out_is_listed_with_its_reason(filled_db_url, tmp_path):
    events = tmp_path / "late.yaml"
    events.write_text("- id: late-news\n  title: Late news\n  published: 2026-05-27\n  category: market\n"
                      "  tickers: [MARA, HUT]\n"
                      "- id: mara-results\n  title: MARA results\n  published: 2025-07-29T16:05:00-04:00\n"
                      "  category: earnings\n  tickers: [MARA]\n")
    result = CliRunner().invoke(cli, ["--db", filled_db_url, "export", "caar", "--events", str(events),
                                      "--event", "late-news", "--event", "bitmain-us-factory", "--units",
                                      "--exclude-confounded"])
    units = pd.read_csv(io.StringIO(result.stdout), keep_default_na=False).set_index(["event_id", "ticker"])
    assert units.loc[("late-news", "MARA"), "reason"] == "event window cut at the end of the data (4 of 7 days)"
    assert "day 0 (2026-05-27) is not a stored session of HUT (after its history" in units.loc[("late-news", "HUT"),
                                                                                                "reason"]
    assert units.loc[("bitmain-us-factory", "MARA"), "reason"] == \
        "another event of this ticker falls in the event window"
    assert bool(units.loc[("bitmain-us-factory", "RIOT"), "included"]) is True


@pytest.mark.parametrize("args,message", [
    (["--category", "policy", "--since", "2030-01-01"], "no event matches the selection"),
    (["--event", "no-such-event"], "unknown event id no-such-event"),
    (["--category", "gossip"], "Invalid value for '--category'"),
    (["--category", "policy", "--model", "two-factor", "--factor", "NOPE"], "factor NOPE is not stored"),
    (["--category", "policy", "--pre", "40"], "pre 40 is out of range"),
    (["--event", "bitmain-us-factory", "--unit", "event"], "1 unit in the selection: a cross-event study needs at least 2"),
    (["--category", "policy", "--since", "2026-01-01", "--until", "2025-01-01"], "since 2026-01-01 is after until"),
])
def test_bad_selections_are_clear_errors_without_partial_rows(caar, args, message):
    result = caar(*args)
    assert result.exit_code != 0 and message in result.stderr
    assert result.stdout == "" and "Traceback" not in result.stderr


def test_the_studies_page_shows_the_band_the_tests_and_the_units(filled_db_url, tmp_path):
    app = create_app(Settings(database_url=filled_db_url, data_dir=tmp_path, cache_dir=tmp_path / "cache"))
    studies = importlib.import_module("dashboard.pages.studies")
    with app.server.test_request_context("/"):
        controls = [[], ["policy", "macro", "bitcoin", "industry"], [], None, None, None, "event", [], "BTC-USD",
                    "market", None, 120, 10, 1, 5, []]
        figure, sentence, tests, message, units, disabled = studies.update_studies(*controls, "light", None)
        search = studies.sync_studies_url(*controls, "")
        csv = studies.download_summary(1, *controls, "light")
    names = [t.get("name") for t in figure["data"]]
    assert "CAAR" in names and "95% band" in names and disabled is True
    assert sentence.startswith("On 9 events, the selected tickers' equal-weight portfolio")
    assert "(cross-sectional)" in sentence and "positive (sign test p" in sentence
    assert search == "?categories=industry,policy,macro,bitcoin&unit=event&benchmark=BTC-USD"
    frame = pd.read_csv(io.StringIO(csv["content"]))
    assert frame.loc[0, "unit"] == "event" and frame.loc[0, "n"] == 9
