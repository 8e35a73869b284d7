"""The `minerdash` command contract: names, options, columns, exit codes, one-line errors."""

import csv
import io
import subprocess
import sys

import pandas as pd
import pytest
from click.testing import CliRunner

from dashboard.cli import cli


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("MINERDASH_DATA_DIR", str(tmp_path))
    for name in ("MINERDASH_DATABASE_URL", "DATABASE_URL", "MINERDASH_EVENTS"):
        monkeypatch.delenv(name, raising=False)
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(cli, list(args), catch_exceptions=False)

    return invoke


@pytest.fixture
def loaded(run, market_data, tmp_path):
    close_only = tmp_path / "BTDR.csv"
    close_only.write_text("Date,Close\n2021-07-28,10.0\n2021-07-29,10.01\n")
    files = [str(market_data / f"{t}.csv") for t in ("MARA", "RIOT", "BTC-USD")] + [str(close_only)]
    result = run("import-csv", *files)
    assert result.exit_code == 0, result.output
    return run


def test_import_reports_rows_and_is_idempotent(run, market_data):
    first = run("import-csv", str(market_data / "MARA.csv"))
    assert first.exit_code == 0
    assert first.stdout.startswith("MARA\t1507 rows added\t0 changed\t0 unchanged")
    again = run("import-csv", str(market_data / "MARA.csv"))
    assert again.stdout.startswith("MARA\t0 rows added\t0 changed\t1507 unchanged")


def test_export_prices_long_is_exactly_the_source_values(loaded, market_data):
    result = loaded("export", "prices", "--tickers", "RIOT,MARA", "--start", "2025-07-28",
                    "--end", "2025-07-31")
    assert result.exit_code == 0
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["date", "ticker", "open", "high", "low", "close", "adj_close", "volume"]
    assert [r[1] for r in rows[1:]] == ["MARA"] * 4 + ["RIOT"] * 4
    assert [r[0] for r in rows[1:5]] == ["2025-07-28", "2025-07-29", "2025-07-30", "2025-07-31"]
    with (market_data / "MARA.csv").open() as handle:
        source = {r["Date"]: r for r in csv.DictReader(handle)}
    for row in rows[1:5]:
        original = source[row[0]]
        assert row[2:6] == [original["Open"], original["High"], original["Low"], original["Close"]]
        assert row[6] == original["Close"] and row[7] == original["Volume"]


def test_export_wide_and_to_file(loaded, tmp_path):
    out = tmp_path / "wide.csv"
    result = loaded("export", "prices", "--tickers", "MARA,BTC-USD", "--start", "2025-07-25",
                    "--end", "2025-07-28", "--format", "wide", "--out", str(out))
    assert result.exit_code == 0
    frame = pd.read_csv(out)
    assert list(frame.columns) == ["date", "MARA", "BTC-USD"]
    assert frame["date"].tolist() == ["2025-07-25", "2025-07-26", "2025-07-27", "2025-07-28"]
    assert frame["MARA"].isna().tolist() == [False, True, True, False]
    assert frame["BTC-USD"].iloc[-1] == 117924.4765625


def test_close_only_export_leaves_cells_empty(loaded):
    result = loaded("export", "prices", "--tickers", "BTDR", "--start", "2021-07-28", "--end", "2021-07-28")
    assert result.stdout.splitlines()[1] == "2021-07-28,BTDR,,,,10.0,10.0,"


def test_status_lists_each_ticker(loaded):
    result = loaded("status", "--format", "csv")
    frame = pd.read_csv(io.StringIO(result.stdout))
    assert list(frame.columns) == ["ticker", "first_date", "last_date", "rows", "source",
                                   "fetched_at", "last_error", "quality"]
    mara = frame.set_index("ticker").loc["MARA"]
    assert (mara["first_date"], mara["last_date"], mara["rows"]) == ("2020-06-01", "2026-05-29", 1507)


def test_rejected_file_is_one_line_and_stores_nothing(loaded, tmp_path):
    bad = tmp_path / "MARA.csv"
    bad.write_text("Date,Close\n2025-07-28,1.0\n2025-07-29,oops\n")
    before = loaded("export", "prices", "--tickers", "MARA").stdout
    result = loaded("import-csv", str(bad))
    assert result.exit_code == 1
    assert result.stderr.strip().count("\n") == 0
    assert "line 3: unparsable close 'oops'" in result.stderr and str(bad) in result.stderr
    assert loaded("export", "prices", "--tickers", "MARA").stdout == before


@pytest.mark.parametrize(
    "args,message",
    [
        (["export", "prices", "--tickers", "NOPE"], "no stored prices for NOPE"),
        (["export", "prices", "--tickers", "bad ticker!"], "invalid ticker"),
        (["export", "prices", "--start", "2025-13-01"], "not a date in YYYY-MM-DD form"),
        (["export", "prices", "--start", "2025-08-01", "--end", "2025-07-01"], "is after"),
        (["import-csv", "nowhere.csv"], "cannot read file"),
    ],
)
def test_bad_input_exits_non_zero_with_a_clear_message(loaded, args, message):
    result = loaded(*args)
    assert result.exit_code != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_db_option_before_or_after_the_command(run, market_data, tmp_path):
    url = f"sqlite:///{tmp_path / 'other.sqlite'}"
    assert run("--db", url, "import-csv", str(market_data / "RIOT.csv")).exit_code == 0
    assert "RIOT" in run("status", "--db", url).stdout
    assert "no tables yet" in run("status").stderr


def test_database_url_precedence(monkeypatch, tmp_path):
    from dashboard.config import resolve_database_url

    monkeypatch.delenv("MINERDASH_DATABASE_URL", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgres://u@h:5432/db")
    assert resolve_database_url() == "postgresql+psycopg://u@h:5432/db"
    monkeypatch.setenv("MINERDASH_DATABASE_URL", "sqlite:///x.sqlite")
    assert resolve_database_url() == "sqlite:///x.sqlite"
    assert resolve_database_url("sqlite:///cli.sqlite") == "sqlite:///cli.sqlite"
    monkeypatch.delenv("MINERDASH_DATABASE_URL")
    monkeypatch.delenv("DATABASE_URL")
    assert resolve_database_url(data_dir=tmp_path) == f"sqlite:///{tmp_path / 'minerdash.sqlite'}"


def test_fetch_offline_from_a_directory(run, market_data):
    result = run("fetch", "--tickers", "MARA,NOPE", "--source-dir", str(market_data),
                 "--start", "2025-07-01", "--end", "2025-07-31")
    assert result.exit_code == 1
    assert "MARA\t22 rows added\t0 changed\t0 unchanged" in result.stdout
    assert "NOPE" in result.stderr and "MARA:" in result.stderr  # progress lines on stderr


def test_python_dash_m_entry_point():
    done = subprocess.run([sys.executable, "-m", "dashboard", "--help"], capture_output=True, text=True)
    assert done.returncode == 0 and "import-csv" in done.stdout
