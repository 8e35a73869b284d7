"""Confounders on real prices and real dates: the miners' own Q2 2025 results inside Bitmain's window."""

import importlib
import io
import json

import exchange_calendars as xcals
import pandas as pd
import pytest
from click.testing import CliRunner
from plotly.utils import PlotlyJSONEncoder

from dashboard.app import create_app
from dashboard.cli import cli
from dashboard.config import Settings
from tests.conftest import MINERS

RESULTS = """
- id: mara-q2-2025-results
  title: MARA Q2 2025 results
  published: 2025-07-29T16:05:00-04:00
  tickers: [MARA]
  category: earnings
- id: riot-q2-2025-results
  title: RIOT Q2 2025 results
  published: 2025-07-31T16:30:00-04:00
  tickers: [RIOT]
  category: earnings
- id: riot-q1-2025-results
  title: RIOT Q1 2025 results
  published: 2025-04-30T16:30:00-04:00
  tickers: [RIOT]
  category: earnings
"""


@pytest.fixture(scope="module")
def results_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("events") / "results.yaml"
    path.write_text(RESULTS)
    return path


def test_overlaps_contract_on_the_bitmain_study(filled_db_url, results_file):
    result = CliRunner().invoke(cli, ["--db", filled_db_url, "events", "overlaps", "--event", "bitmain-us-factory",
                                      "--events", str(results_file)])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "event_id,ticker,other_id,other_session,day,window,category,title"
    frame = pd.read_csv(io.StringIO(result.stdout))
    assert frame["ticker"].tolist() == sorted(frame["ticker"])  # by ticker, then day
    in_window = frame[frame["window"] == "event"]
    assert in_window[["ticker", "other_id", "other_session", "day"]].values.tolist() == [
        ["MARA", "mara-q2-2025-results", "2025-07-30", 1],  # after the close on the 29th: day +1
        ["RIOT", "riot-q2-2025-results", "2025-08-01", 3],  # after the close on the 31st: day +3
    ]
    # RIOT's Q1 results fall in its estimation window (days −130 … −11): 2025-05-01 is as many
    # sessions before day 0 as the NYSE held from it to the eve of 2025-07-29.
    sessions = len(xcals.get_calendar("XNYS").sessions_in_range("2025-05-01", "2025-07-28"))
    estimation = frame[frame["window"] == "estimation"].set_index("other_id")
    assert estimation.loc["riot-q1-2025-results", "day"] == -sessions == -60
    assert estimation.loc["riot-q1-2025-results", "ticker"] == "RIOT"
    narrow = CliRunner().invoke(cli, ["--db", filled_db_url, "events", "overlaps", "--event", "bitmain-us-factory",
                                      "--events", str(results_file), "--tickers", "MARA", "--post", "0"])
    narrowed = pd.read_csv(io.StringIO(narrow.stdout))
    assert "event" not in set(narrowed["window"])  # MARA's results at day +1 fall outside a window ending at 0
    assert "liberation-day-tariffs" in set(narrowed["other_id"])  # news for every ticker, in the estimation window


def test_the_event_page_warns_and_can_leave_confounded_tickers_out_of_ew(filled_db_url, results_file, tmp_path):
    app = create_app(Settings(database_url=filled_db_url, data_dir=tmp_path, cache_dir=tmp_path / "cache",
                              event_files=(results_file,)))
    event = importlib.import_module("dashboard.pages.event")
    with app.server.test_request_context("/"):
        _car, rows, summary_table, messages, *_ = event.update_event(
            "bitmain-us-factory", MINERS, "BTC-USD", "market", None, 120, 10, 1, 5, [], "light")
        text = json.dumps(messages, cls=PlotlyJSONEncoder, ensure_ascii=False)
        assert "RIOT — RIOT Q2 2025 results, day +3" in text and "MARA — MARA Q2 2025 results, day +1" in text
        by_ticker = {r["ticker"]: r for r in rows}
        assert by_ticker["RIOT"]["confounders"] == "RIOT Q2 2025 results (day +3)"
        assert by_ticker["CLSK"]["confounders"] == ""
        table = json.dumps(summary_table, cls=PlotlyJSONEncoder, ensure_ascii=False)
        assert '"href": "/events/riot-q2-2025-results"' in table and '"href": "/events/mara-q2-2025-results"' in table
        _car, kept, *_ = event.update_event(
            "bitmain-us-factory", MINERS, "BTC-USD", "market", None, 120, 10, 1, 5, ["yes"], "light")
    ew_all = {r["ticker"]: r for r in rows}["EW"]["car"]
    ew_clean = {r["ticker"]: r for r in kept}["EW"]["car"]
    clean_members = [by_ticker[t] for t in ("CLSK", "HUT")]
    assert ew_clean != pytest.approx(ew_all)
    # EW of CLSK and HUT alone: check against the CLI restricted to those two tickers.
    cli_rows = CliRunner().invoke(cli, ["--db", filled_db_url, "export", "event-study", "--event", "bitmain-us-factory",
                                        "--summary", "--tickers", "CLSK,HUT"]).stdout
    assert ew_clean == pytest.approx(pd.read_csv(io.StringIO(cli_rows)).set_index("ticker").loc["EW", "car"], rel=1e-12)
    assert all(r["car"] for r in clean_members)
