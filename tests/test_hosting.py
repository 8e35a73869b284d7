"""Hosted operation: the Procfile's web command, the shared Redis cache, failures made visible."""

import os
import re
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from dashboard.browser import running_server
from dashboard.cached_reads import CachedReads
from dashboard.config import Settings

ROOT = Path(__file__).resolve().parent.parent


def procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(":", 1) for line in lines if re.match(r"^\w+:", line))


def test_procfile_declares_the_three_processes():
    processes = procfile()
    assert set(processes) == {"web", "worker", "release"}
    assert "gunicorn dashboard.wsgi:server" in processes["web"] and "$PORT" in processes["web"].replace("${PORT", "$PORT")
    assert "minerdash refresh --every" in processes["worker"]
    assert processes["release"].strip() == "minerdash init-db"


def test_procfile_web_command_serves_pages_and_health(filled_db_url, tmp_path):
    env = {"WEB_CONCURRENCY": "2", "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    command = ["bash", "-c", procfile()["web"].strip()]
    with running_server(filled_db_url, tmp_path, command=command, env=env) as base:
        with urllib.request.urlopen(base + "/") as response:
            page = response.read().decode()
            assert response.status == 200 and "_dash-renderer" in page
            assert "frame-ancestors" in response.headers["Content-Security-Policy"]
        with urllib.request.urlopen(base + "/healthz") as response:
            assert response.status == 200 and b'"store_reachable":true' in response.read()
        request = urllib.request.Request(base + "/_dash-update-component", data=b"{oops",
                                         headers={"Content-Type": "application/json"})
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(request)
        body = info.value.read()
        assert info.value.code == 400 and b"Traceback" not in body and b"File \"" not in body


def test_idle_connections_do_not_hold_up_requests(filled_db_url, tmp_path):
    """Connections that send nothing (a browser's preconnects) wait in the worker's event loop, not in
    its threads: a request is answered at once beside eight of them (gunicorn 27's own worker made
    it wait 5 s), and the idle ones are closed after the keep-alive time."""
    env = {"WEB_CONCURRENCY": "2", "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    with running_server(filled_db_url, tmp_path, command=["bash", "-c", procfile()["web"].strip()], env=env) as base:
        urllib.request.urlopen(base + "/healthz").read()
        host, port = base.rsplit("/", 1)[1].split(":")
        idle = [socket.create_connection((host, int(port))) for _ in range(8)]
        try:
            time.sleep(0.3)
            started = time.monotonic()
            with urllib.request.urlopen(base + "/healthz", timeout=30) as response:
                assert response.status == 200
            assert time.monotonic() - started < 2.5
            for sock in idle:
                sock.settimeout(10)
                assert sock.recv(1) == b""  # closed by the server, not left open
        finally:
            for sock in idle:
                sock.close()


@pytest.fixture
def redis_url():
    url = os.environ.get("MINERDASH_TEST_REDIS_URL")
    if not url:
        pytest.skip("MINERDASH_TEST_REDIS_URL is not set: Redis tests skipped")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.exceptions.RedisError as exc:
        pytest.fail(f"MINERDASH_TEST_REDIS_URL is set but Redis is unreachable: {exc}")
    return url


CHILD = textwrap.dedent("""
    import sys
    from pathlib import Path
    from dashboard.config import Settings
    from dashboard.cached_reads import CachedReads
    settings = Settings(database_url=sys.argv[1], data_dir=Path(sys.argv[2]), redis_url=sys.argv[3])
    print(CachedReads(settings).memo("probe", sys.argv[4], lambda: "computed by the child"))
""")


def test_cache_is_shared_across_processes_on_redis(filled_db_url, redis_url, tmp_path):
    key = uuid.uuid4().hex
    child = subprocess.run([sys.executable, "-c", CHILD, filled_db_url, str(tmp_path), redis_url, key],
                           capture_output=True, text=True, check=True)
    assert child.stdout.strip() == "computed by the child"
    settings = Settings(database_url=filled_db_url, data_dir=tmp_path, redis_url=redis_url)
    parent = CachedReads(settings)
    assert parent.memo("probe", key, lambda: "computed by the parent") == "computed by the child"
    assert parent.prices(("MARA",)).equals(CachedReads(settings).prices(("MARA",)))


def test_a_failed_refresh_shows_on_pages_and_health(tmp_path, market_data):
    from dashboard.app import create_app
    from dashboard.components import freshness_line
    from dashboard.health import health
    from dashboard.sources.csv_file import read_price_csv
    from dashboard.store import Store
    from dashboard.viewmodels.freshness import freshness

    settings = Settings(database_url=f"sqlite:///{tmp_path / 'x.sqlite'}", data_dir=tmp_path)
    writer = Store(settings.database_url)
    writer.write_bars("MARA", read_price_csv(market_data / "MARA.csv").bars, "yahoo")
    app = create_app(settings)
    reads = app.server.extensions["minerdash"]
    with app.server.app_context():
        before = reads.prices(("MARA",))
        writer.record_error("MARA", "rate limited by Yahoo (HTTP 429: too many requests); try again later")
        warning = str(freshness_line(freshness(reads, ["MARA"])))
        assert "The last refresh failed for MARA: rate limited by Yahoo" in warning
        assert "Prices as of 2026-05-29" in warning
        body, code = health(reads)
        assert code == 200 and body["status"] == "degraded"
        assert body["tickers"]["MARA"]["last_error"].startswith("rate limited")
        assert reads.prices(("MARA",)).equals(before)
