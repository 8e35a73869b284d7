"""First and repeat visits of two checkouts, interleaved: for a before/after on a noisy machine.

Usage: python benchmarks/first_visit_ab.py --before DIR [--after DIR] [--runs 9] [--throttled]
Both checkouts are served side by side (gunicorn from each one's Procfile, over a store of the
snapshot's tickers) and visited alternately, on loopback or (``--throttled``) on first_visit.py's
throttled link, so drift in the machine's speed falls on both alike. Visits as in first_visit.py:
a first visit in a fresh incognito context with the cache disabled; a repeat visit in a browser
profile on disk (warmed by one visit first).
"""

import argparse
import statistics
from contextlib import ExitStack
from pathlib import Path

from _common import ROOT
from first_visit import PAGES, PROFILES, returning_profile, served, visit

from dashboard.browser import chromium


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", type=Path, required=True)
    parser.add_argument("--after", type=Path, default=ROOT)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--throttled", action="store_true", help="20 Mbit/s down, 5 up, 40 ms RTT")
    args = parser.parse_args()
    link = "20 Mbit/s, 40 ms" if args.throttled else "loopback"
    with ExitStack() as stack:
        bases = {"before": stack.enter_context(served(args.before.resolve())),
                 "after": stack.enter_context(served(args.after.resolve()))}
        browser = stack.enter_context(chromium())
        for path, ready in PAGES:
            profiles = {name: stack.enter_context(returning_profile(browser)) for name in bases}
            first = {name: [] for name in bases}
            repeat = {name: [] for name in bases}
            for name, base in bases.items():
                visit(browser, base + path, ready, PROFILES[link])
                visit(browser, base + path, ready, PROFILES[link], warm_context=profiles[name])
            for _ in range(args.runs):
                for name, base in bases.items():
                    first[name].append(visit(browser, base + path, ready, PROFILES[link])[0])
                    repeat[name].append(visit(browser, base + path, ready, PROFILES[link],
                                              warm_context=profiles[name])[0])
            for name in bases:
                f, r = statistics.median(first[name]) * 1000, statistics.median(repeat[name]) * 1000
                print(f"{path:<28} {name:<6} {link}: first trace {f:6.0f} ms, repeat visit {r:6.0f} ms, "
                      f"repeat/first {r / f:.2f}")


if __name__ == "__main__":
    main()
