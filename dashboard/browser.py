"""The real server and a real headless Chromium, for the browser tests, the README screenshot and
the benchmarks (they all import it from here). Playwright comes with the ``test`` extra."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = os.environ.get("MINERDASH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, timeout: float = 60, process=None, log_path=None) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process is not None and process.poll() is not None:
            tail = Path(log_path).read_text()[-2000:] if log_path else ""
            raise RuntimeError(f"the server exited with code {process.returncode}:\n{tail}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status < 500:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url} did not answer within {timeout}s")
        time.sleep(0.2)


@contextmanager
def running_server(db_url: str, data_dir: Path, command: list[str] | None = None, env=None, cwd=None):
    """``minerdash serve`` (or ``command``) on a free loopback port; yields the base URL."""
    port = free_port()
    environment = {**os.environ, "MINERDASH_DATA_DIR": str(data_dir), "MINERDASH_DATABASE_URL": db_url,
                   "PORT": str(port), **(env or {})}
    environment.pop("DATABASE_URL", None)
    argv = command or [sys.executable, "-m", "dashboard", "serve", "--port", str(port)]
    log_path = data_dir / f"server-{port}.log"
    log = open(log_path, "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(argv, env=environment, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True, cwd=cwd)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/healthz", process=process, log_path=log_path)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def chromium_available() -> bool:
    return Path(CHROMIUM).exists() or shutil.which("chromium") is not None


@contextmanager
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
