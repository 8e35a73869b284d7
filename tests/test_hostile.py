"""Hostile input and faults (the hardening issue's table): each case as an attacker or a careless
user would try it, and what the code does now."""

import gzip
import json
import logging
import os
import socket
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest
import requests
from click.testing import CliRunner
from plotly.utils import PlotlyJSONEncoder

from dashboard.app import create_app
from dashboard.browser import running_server
from dashboard.cached_reads import CachedReads
from dashboard.cli import cli
from dashboard.config import Settings
from dashboard.exports import to_csv_text
from dashboard.health import health
from dashboard.store import Store
from tests.conftest import ROOT, drop_postgres_store, fill_store, make_postgres_store


def render(component) -> str:
    return json.dumps(component, cls=PlotlyJSONEncoder, ensure_ascii=False)


def invoke(*args, env=None):
    return CliRunner(env=env).invoke(cli, list(args))


def one_line_error(result, needle: str) -> None:
    assert result.exit_code != 0, result.output
    assert needle in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and result.stderr.strip().count("\n") == 0


@contextmanager
def read_only_folder(folder: Path):
    """A folder no one may write to, root included (an immutable folder; chmod for other users)."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)
        return
    done = subprocess.run(["chattr", "+i", str(folder)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"needs a read-only folder: chattr +i failed ({done.stderr.decode().strip()})")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)


# -- 1. denial of service -----------------------------------------------------------------------

BILLION_LAUGHS = """
- id: bomb
  title: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
  published: 2025-07-29
  category: market
  summary: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
  source: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
  tickers: [*c,*c,*c,*c,*c,*c,*c,*c,*c]
"""


@pytest.mark.parametrize("text,message", [
    (BILLION_LAUGHS, "aliases (*name) are not allowed in an events file"),
    ("- id: x\n  title: " + "[" * 50_000 + "]" * 50_000 + "\n", "nested too deeply"),
    ("- id: x\n  title: " + "x" * 2_100_000 + "\n", "larger than the 2 MB an events file may be"),
    ("".join(f"- {{id: e{i}, title: t, published: 2025-07-29, category: market}}\n" for i in range(5001)),
     "more than the 5,000 an events file may hold"),
])
def test_hostile_event_files_are_refused_at_once(tmp_path, text, message):
    path = tmp_path / "bomb.yaml"
    path.write_text(text)
    result = invoke("--db", f"sqlite:///{tmp_path / 'x.sqlite'}", "events", "check", str(path))
    assert result.exit_code != 0 and message in result.stderr and "Traceback" not in result.stderr


def test_a_bad_user_file_never_takes_the_site_down(tmp_path, filled_db_url):
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(BILLION_LAUGHS)
    app = create_app(Settings(database_url=filled_db_url, data_dir=tmp_path, event_files=(bomb,)))
    client = app.server.test_client()
    assert client.get("/healthz").status_code == 200
    with app.server.test_request_context("/"):
        from dashboard.pages import events

        page = render(events.layout())
    assert "Your event files were left out" in page and "aliases" in page and "Bitmain" in page


def test_huge_ticker_lists_are_refused_before_any_work(tmp_path, filled_db_url):
    app = create_app(Settings(database_url=filled_db_url, data_dir=tmp_path))
    from dashboard.pages import overview

    with app.server.test_request_context("/"):
        linked = render(overview.layout(tickers=",".join(["MARA"] * 100_000)))
        figure = overview.update_overview(["MARA"] * 200_000, None, None, None, None, None, "light")[0]
    assert "Ignored part of the link: ticker list too long (499,999 characters)" in linked
    assert "too many tickers: 200,000 given" in figure["layout"]["annotations"][0]["text"]


# -- 3–7. data that must not be stored silently --------------------------------------------------

@pytest.mark.parametrize("row,message", [
    ("2031-06-02,10,11,9,10,100", "line 2: date 2031-06-02 is in the future"),
    ("1900-01-02,10,11,9,10,100", "line 2: date 1900-01-02 is before 1970-01-01"),
    ("2025-07-29,10,11,9,1e308,100", "line 2: close 1e+308 is implausibly large"),
])
def test_implausible_rows_are_not_stored(tmp_path, row, message):
    path = tmp_path / "MARA.csv"
    path.write_text("Date,Open,High,Low,Close,Volume\n" + row + "\n")
    result = invoke("--db", f"sqlite:///{tmp_path / 'x.sqlite'}", "import-csv", str(path))
    one_line_error(result, message)
    assert "MARA" not in invoke("--db", f"sqlite:///{tmp_path / 'x.sqlite'}", "status").stdout


@pytest.mark.parametrize("name", ["..csv", "=cmd.csv"])
def test_file_names_that_are_no_ticker_are_refused(tmp_path, name):
    path = tmp_path / name
    path.write_text("Date,Close\n2025-07-29,10\n")
    one_line_error(invoke("--db", f"sqlite:///{tmp_path / 'x.sqlite'}", "import-csv", str(path)),
                   "the file name does not give a ticker")


def test_every_csv_cell_and_header_is_neutralised():
    frame = pd.DataFrame({"=CMD": ["+1", "@SUM(A1)", "-2", "plain"], "number": [-1.5, 2.0, 3.0, 4.0]})
    lines = to_csv_text(frame).splitlines()
    assert lines[0] == "'=CMD,number"
    assert lines[1:] == ["'+1,-1.5", "'@SUM(A1),2.0", "'-2,3.0", "plain,4.0"]


def test_a_re_import_that_disagrees_says_what_changed(tmp_path, market_data):
    db = f"sqlite:///{tmp_path / 'x.sqlite'}"
    assert invoke("--db", db, "import-csv", str(market_data / "MARA.csv")).exit_code == 0
    revised = tmp_path / "MARA.csv"
    text = (market_data / "MARA.csv").read_text().replace("2025-07-29,17.170000076293945,",
                                                          "2025-07-29,17.5,")
    revised.write_text(text)
    before = invoke("--db", db, "export", "prices", "--tickers", "MARA").stdout
    dry = invoke("--db", db, "import-csv", "--dry-run", str(revised))
    assert dry.stdout.startswith("MARA\t0 rows added\t1 changed\t1506 unchanged\tfirst changed: 2025-07-29")
    assert "dry run: nothing written" in dry.stdout
    assert invoke("--db", db, "export", "prices", "--tickers", "MARA").stdout == before
    real = invoke("--db", db, "import-csv", str(revised))
    assert real.stdout.startswith("MARA\t0 rows added\t1 changed\t1506 unchanged\tfirst changed: 2025-07-29")
    assert "2025-07-29,MARA,17.5," in invoke("--db", db, "export", "prices", "--tickers", "MARA").stdout


def test_a_close_only_file_never_erases_stored_fields(tmp_path, market_data):
    db = f"sqlite:///{tmp_path / 'x.sqlite'}"
    invoke("--db", db, "import-csv", str(market_data / "MARA.csv"))
    narrow = tmp_path / "MARA.csv"
    narrow.write_text("Date,Close\n2025-07-29,16.610000610351562\n2025-07-30,16.0\n")
    result = invoke("--db", db, "import-csv", str(narrow))
    assert result.stdout.startswith("MARA\t0 rows added\t1 changed\t1 unchanged")
    assert "kept stored open, high, low, volume (not in the source)" in result.stdout
    rows = invoke("--db", db, "export", "prices", "--tickers", "MARA", "--start", "2025-07-29",
                  "--end", "2025-07-30").stdout.splitlines()
    assert rows[1] == ("2025-07-29,MARA,17.170000076293945,17.399999618530273,16.469999313354492,"
                       "16.610000610351562,16.610000610351562,41980500")
    # the close (and the adjusted close that was the close) changed; open, high, low, volume kept
    assert rows[2] == "2025-07-30,MARA,17.420000076293945,17.920000076293945,16.299999237060547,16.0,16.0,58937300"


# -- 8–9. configuration, read-only folders --------------------------------------------------------

@pytest.mark.parametrize("args,env,message", [
    (["--db", "notaurl", "status"], {}, "--db: 'notaurl' is not a database URL; use sqlite:///PATH or postgresql://"),
    (["--db", "mysql://u@h/db", "status"], {}, "--db: mysql databases are not supported"),
    (["--db", "postgresql://u@h:notaport/db", "status"], {}, "is not a database URL"),
    (["status"], {"MINERDASH_DATABASE_URL": "nope://x"}, "MINERDASH_DATABASE_URL:"),
    (["status"], {"REDIS_URL": "notaurl"}, "REDIS_URL='notaurl' is not a Redis URL"),
    (["status"], {"MINERDASH_CACHE_TIMEOUT": "abc"}, "MINERDASH_CACHE_TIMEOUT='abc' is not a whole number"),
    (["status"], {"MINERDASH_TICKERS": "MARA,=CMD"}, "MINERDASH_TICKERS: invalid ticker"),
    (["status"], {"MINERDASH_SEC_USER_AGENT": "no contact"}, "MINERDASH_SEC_USER_AGENT must name you"),
    (["status"], {"MINERDASH_MAX_DAILY_MOVE": "-1"}, "MINERDASH_MAX_DAILY_MOVE='-1' is not a fraction"),
    (["export", "prices", "--out", "/nonexistent/folder/x.csv"], {}, "--out: the folder /nonexistent/folder"),
])
def test_bad_settings_are_one_line(filled_db_url, tmp_path, args, env, message):
    full = {"MINERDASH_DATA_DIR": str(tmp_path), "MINERDASH_DATABASE_URL": filled_db_url, **env}
    result = CliRunner(env=full).invoke(cli, args)
    one_line_error(result, message)


def test_a_read_only_store_is_read_and_says_so(tmp_path, market_data):
    folder = tmp_path / "store"
    folder.mkdir()
    db = f"sqlite:///{folder / 'x.sqlite'}"
    assert invoke("--db", db, "import-csv", str(market_data / "MARA.csv")).exit_code == 0
    with read_only_folder(folder):
        status = invoke("--db", db, "status")
        exported = invoke("--db", db, "export", "prices", "--tickers", "MARA", "--start", "2025-07-29",
                          "--end", "2025-07-29")
        refused = invoke("--db", db, "import-csv", str(market_data / "RIOT.csv"))
    assert status.exit_code == 0 and "MARA" in status.stdout and "opened read-only" in status.stderr
    assert exported.exit_code == 0 and exported.stdout.splitlines()[1].startswith("2025-07-29,MARA,")
    one_line_error(refused, "is read-only; set MINERDASH_DATABASE_URL or --db to a writable place")


def test_serve_in_a_read_only_folder_is_one_line(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    with read_only_folder(folder):
        result = CliRunner(env={"MINERDASH_DATA_DIR": str(folder)}).invoke(
            cli, ["--db", f"sqlite:///{folder / 'x.sqlite'}", "serve", "--port", "9"])
    one_line_error(result, "is read-only")


# -- 10–11. faults while serving ------------------------------------------------------------------

def test_a_dropped_database_is_said_in_words_and_recovers_without_a_restart(tmp_path, market_data):
    store = make_postgres_store()
    try:
        fill_store(store, market_data, tickers={"MARA", "BTC-USD"})
        app = create_app(Settings(database_url=store.url, data_dir=tmp_path, cache_dir=tmp_path / "cache"))
        client = app.server.test_client()
        from dashboard.pages import overview

        assert client.get("/healthz").status_code == 200
        with store.engine.begin() as conn:  # the database's tables are dropped
            conn.exec_driver_sql(f'DROP SCHEMA "{store.test_schema}" CASCADE')
            conn.exec_driver_sql(f'CREATE SCHEMA "{store.test_schema}"')
        down = client.get("/healthz")
        assert down.status_code == 503 and "no tables yet" in down.get_json()["detail"]
        with app.server.test_request_context("/"):
            assert "No prices stored yet" in render(overview.layout())
        writer = Store(store.url)  # the release step or the worker, bringing the schema back
        fill_store(writer, market_data, tickers={"MARA", "BTC-USD"})
        writer.dispose()
        assert client.get("/healthz").status_code == 200
        with app.server.test_request_context("/"):
            assert "overview-graph" in render(overview.layout(tickers="MARA"))
    finally:
        drop_postgres_store(store)


def test_an_unreachable_store_is_said_in_words(tmp_path):
    from dashboard.pages import overview

    settings = Settings(database_url="postgresql+psycopg://nobody@127.0.0.1:1/none", data_dir=tmp_path,
                        cache_dir=tmp_path / "cache")
    app = create_app(settings)
    with app.server.test_request_context("/"):
        page = render(overview.layout())
    assert "The store is unreachable" in page and "cannot reach the store" in page
    assert app.server.test_client().get("/healthz").status_code == 503


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_cache_outage_is_reported_and_logged_once(tmp_path, filled_db_url, caplog):
    settings = Settings(database_url=filled_db_url, data_dir=tmp_path, redis_url=f"redis://127.0.0.1:{free_port()}/0")
    reads = CachedReads(settings)
    app = create_app(settings, reads)
    with caplog.at_level(logging.WARNING, logger="minerdash.cache"), app.server.app_context():
        for _ in range(5):
            assert reads.stored_tickers()  # read from the store
        body, code = health(reads)
    assert code == 200 and body["cache"]["kind"] == "redis" and body["cache"]["reachable"] is False
    outage = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(outage) == 1


# -- 12. fetch offline ----------------------------------------------------------------------------

def test_fetch_offline_says_it_once_and_points_to_the_offline_ways(tmp_path, monkeypatch):
    from dashboard.cli import prices
    from dashboard.sources.yahoo import YahooSource
    from tests.yahoo_replay import session, yahoo_unreachable

    monkeypatch.setattr(prices, "_source", lambda source_dir: YahooSource(session=session()))
    failure = requests.exceptions.ConnectionError(
        "HTTPSConnectionPool(host='query2.finance.yahoo.com', port=443): Max retries exceeded (Caused by "
        "NameResolutionError(\"Failed to resolve 'query2.finance.yahoo.com'\"))")
    with yahoo_unreachable(failure):
        result = CliRunner().invoke(cli, ["--db", f"sqlite:///{tmp_path / 'x.sqlite'}", "fetch", "--no-events"])
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert result.exit_code == 1 and len(errors) == 1
    assert "cannot reach Yahoo Finance: DNS lookup failed" in errors[0]
    assert "minerdash import-csv" in errors[0] and "minerdash load-snapshot" in errors[0]
    assert "delisted" not in result.stderr


# -- 13–15. HTTP details --------------------------------------------------------------------------

def raw_request(base: str, request: bytes) -> tuple[int, dict]:
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=20) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin1").split("\r\n")
    status = int(head[0].split()[1])
    return status, {line.split(":", 1)[0].lower(): line.split(":", 1)[1].strip() for line in head[1:] if ":" in line}


OVERSIZED = [
    (b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
    (b"GET / HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-H%d: %s\r\n" % (i, b"v" * 100) for i in range(200))
     + b"\r\n", 431),
]


@pytest.mark.parametrize("server", ["serve", "gunicorn"])
def test_oversized_requests_get_the_security_headers(filled_db_url, tmp_path, server):
    command = None
    env = {"WEB_CONCURRENCY": "1", "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    if server == "gunicorn":
        web = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:"))
        command = ["bash", "-c", web.split(":", 1)[1].strip()]
    with running_server(filled_db_url, tmp_path, command=command, env=env) as base:
        for request, expected in OVERSIZED:
            status, headers = raw_request(base, request)
            assert status == expected
            assert headers["x-content-type-options"] == "nosniff"
            assert "frame-ancestors 'none'" in headers["content-security-policy"]
            assert headers["x-frame-options"] == "DENY"


def test_a_bug_inside_a_callback_is_a_logged_500_and_a_bad_request_a_400(tmp_path, filled_db_url, caplog):
    from dash import Input, Output

    app = create_app(Settings(database_url=filled_db_url, data_dir=tmp_path))

    @app.callback(Output("probe-out", "children"), Input("probe-in", "value"))
    def broken(value):
        return {"a": 1}["b"]  # a KeyError: our bug, not the client's

    client = app.server.test_client()
    client.get("/")
    body = {"output": "probe-out.children", "outputs": {"id": "probe-out", "property": "children"},
            "inputs": [{"id": "probe-in", "property": "value", "value": 1}], "changedPropIds": ["probe-in.value"]}
    with caplog.at_level(logging.ERROR, logger="minerdash.http"):
        answer = client.post("/_dash-update-component", json=body)
    assert answer.status_code == 500 and b"Traceback" not in answer.data and b"KeyError" not in answer.data
    assert any(r.exc_info and r.exc_info[0] is KeyError for r in caplog.records)
    no_inputs = client.post("/_dash-update-component", json={"output": "probe-out.children"})
    assert no_inputs.status_code == 400 and no_inputs.get_json()["error"] == "malformed callback request: no inputs"
    typed = client.post("/_dash-update-component", json={**body, "inputs": [5]})
    assert typed.status_code == 400


# -- 17. many tickers on the event page -----------------------------------------------------------

def test_the_event_page_draws_eleven_tickers(tmp_path, market_data):
    from dashboard.sources.csv_file import read_price_csv

    store = fill_store(Store(f"sqlite:///{tmp_path / 'x.sqlite'}"), market_data, tickers={"BTC-USD"})
    mara = read_price_csv(market_data / "MARA.csv").bars
    names = [f"M{i:02d}" for i in range(11)]
    for i, name in enumerate(names):
        store.write_bars(name, mara.assign(adj_close=mara["adj_close"] * (1 + (i % 3) / 100)), "test")
    app = create_app(Settings(database_url=store.url, data_dir=tmp_path))
    from dashboard.pages import event

    with app.server.test_request_context("/"):
        figure, rows, *_ = event.update_event("bitmain-us-factory", names, "BTC-USD", "market", None,
                                              120, 10, 1, 5, [], "light")
    assert len(rows) == 12 and len({(t["line"]["color"], t["line"]["dash"]) for t in figure["data"]}) == 12


# -- 18. a large file, streamed -------------------------------------------------------------------

def test_a_large_long_file_is_read_in_chunks_with_progress(tmp_path, market_data, monkeypatch):
    from dashboard.sources import csv_file

    monkeypatch.setattr(csv_file, "CHUNK_ROWS", 1000)
    frames = []
    for ticker in ("MARA", "RIOT", "CLSK"):
        frame = pd.read_csv(market_data / f"{ticker}.csv")
        frames.append(frame.assign(Ticker=ticker))
    path = tmp_path / "all.csv.gz"
    with gzip.open(path, "wt") as handle:
        pd.concat(frames).to_csv(handle, index=False)
    result = invoke("--db", f"sqlite:///{tmp_path / 'x.sqlite'}", "import-csv", str(path))
    assert result.exit_code == 0
    progress = [line for line in result.stderr.splitlines() if "rows read" in line]
    assert progress[0].startswith("all.csv.gz: 1,000 rows read") and len(progress) == 4
    assert [line.split("\t")[0] for line in result.stdout.splitlines()] == ["CLSK", "MARA", "RIOT"]
    assert all("1507 rows added" in line for line in result.stdout.splitlines())

