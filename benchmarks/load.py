"""Load test: the Procfile's web command (gunicorn, 2 workers) under 20 concurrent users.

Usage: python benchmarks/load.py [--seconds 60] [--users 20]
Loopback only; stops by itself. Each user loops over GET /, GET /ticker/MARA, GET /events and
the overview callback (POST /_dash-update-component). Prints requests/s, p50/p95 and errors.
"""

import argparse
import os
import re
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
from _common import MINERS, ROOT, fill, overview_payload

from dashboard.app import create_app
from dashboard.browser import running_server
from dashboard.config import Settings
from dashboard.store import Store


def web_command() -> str:
    for line in (ROOT / "Procfile").read_text().splitlines():
        if re.match(r"^web:", line):
            return line.split(":", 1)[1].strip()
    raise SystemExit("Procfile has no web: line")


def percentile(samples, q):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--only-callback", action="store_true",
                        help="every request is the (cached) overview callback")
    args = parser.parse_args()
    args.seconds = min(args.seconds, 300)
    args.users = min(args.users, 100)
    tmp = Path(tempfile.mkdtemp())
    store = Store(f"sqlite:///{tmp / 'bench.sqlite'}")
    store.create_or_migrate()
    fill(store)
    env = {"WEB_CONCURRENCY": "2", "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    payload = overview_payload(create_app(Settings(database_url=store.url, data_dir=tmp)), MINERS,
                               "2025-06-01", "2025-09-30")
    targets = [("GET /", "get", "/", None), ("GET /ticker/MARA", "get", "/ticker/MARA", None),
               ("GET /events", "get", "/events", None),
               ("overview callback", "post", "/_dash-update-component", payload)]
    if args.only_callback:
        targets = targets[-1:]
    with running_server(store.url, tmp, command=["bash", "-c", web_command()], env=env) as base:
        requests.post(base + "/_dash-update-component", json=payload, timeout=60)  # warm the cache
        results = {name: [] for name, *_ in targets}
        errors = {name: 0 for name, *_ in targets}
        lock = threading.Lock()
        stop_at = time.monotonic() + args.seconds

        def user(offset):
            session = requests.Session()
            i = offset
            while time.monotonic() < stop_at:
                name, method, path, body = targets[i % len(targets)]
                i += 1
                start = time.perf_counter()
                try:
                    response = getattr(session, method)(base + path, json=body, timeout=30)
                    ok = response.status_code == 200
                except requests.RequestException:
                    ok = False
                elapsed = time.perf_counter() - start
                with lock:
                    results[name].append(elapsed)
                    errors[name] += 0 if ok else 1

        threads = [threading.Thread(target=user, args=(n,)) for n in range(args.users)]
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - began
    total = sum(len(v) for v in results.values())
    print(f"gunicorn from the Procfile (2 workers), {args.users} users, {wall:.0f} s, loopback")
    print(f"{'endpoint':<20} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'errors':>6}")
    for name, samples in results.items():
        print(f"{name:<20} {len(samples):>8} {len(samples) / wall:>7.1f} "
              f"{statistics.median(samples) * 1000:>7.1f} {percentile(samples, 0.95) * 1000:>7.1f} "
              f"{errors[name]:>6}")
    every = [s for v in results.values() for s in v]
    print(f"{'all':<20} {total:>8} {total / wall:>7.1f} {statistics.median(every) * 1000:>7.1f} "
          f"{percentile(every, 0.95) * 1000:>7.1f} {sum(errors.values()):>6}")


if __name__ == "__main__":
    main()
