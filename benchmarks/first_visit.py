"""A hosted first visit: bytes transferred and time to the first plotted trace, per page.

Usage: python benchmarks/first_visit.py [--runs 5] [--checkout DIR]
gunicorn from the checkout's Procfile over a store of the snapshot's tickers; headless Chromium
through the DevTools protocol, cache disabled (first visit) and then warm (repeat visit), on
loopback and on a throttled link (20 Mbit/s down, 5 up, 40 ms RTT). ``--checkout`` measures
another checkout (e.g. a worktree of an older commit) with this machine's packages.

A first visit runs in a fresh incognito context (no caches at all). A repeat visit runs in a
browser profile on disk, as a returning visitor's is: besides the HTTP cache, Chromium keeps there
the compiled code of scripts it has run before (incognito contexts keep none, so they would
measure a visitor whose browser recompiles every script). One visit fills the profile; the
median is of the 5 visits after it.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

from _common import ROOT, csv_files

from dashboard.browser import CHROMIUM, CHROMIUM_ARGS, chromium, running_server

PAGES = [("/", ".js-plotly-plot .trace"), ("/ticker/MARA", "#ticker-price .js-plotly-plot .trace"),
         ("/events/bitmain-us-factory", "#event-car .js-plotly-plot .trace")]
PROFILES = {"loopback": None,
            "20 Mbit/s, 40 ms": {"offline": False, "latency": 40, "downloadThroughput": 20e6 / 8,
                                 "uploadThroughput": 5e6 / 8}}


def web_command(checkout: Path) -> str:
    for line in (checkout / "Procfile").read_text().splitlines():
        if line.startswith("web:"):
            return line.split(":", 1)[1].strip()
    raise SystemExit("Procfile has no web: line")


def fill(checkout: Path, url: str, env: dict) -> None:
    files = [str(p) for p in csv_files(("MARA", "RIOT", "CLSK", "HUT", "BTC-USD", "QQQ"))]
    subprocess.run([sys.executable, "-m", "dashboard", "--db", url, "import-csv", *files], env=env, check=True,
                   capture_output=True, cwd=checkout)  # the checkout's own code writes its own schema


# Stamps the frame that first paints ``ready``: a mutation observer sees the trace inserted, and a
# requestAnimationFrame callback runs just before that frame is painted. Read in the page, against
# the navigation's start, so Playwright's own polling (which waits for the main thread to be free)
# is not counted.
STAMP = """(ready) => {
    window.__firstTrace = new Promise(resolve => {
        const found = () => {
            if (!document.querySelector(ready)) { return false; }
            requestAnimationFrame(() => resolve(performance.now()));
            return true;
        };
        const observer = new MutationObserver(() => found() && observer.disconnect());
        document.addEventListener('DOMContentLoaded', () => {
            if (!found()) { observer.observe(document.body, {childList: true, subtree: true}); }
        });
    });
}"""


# Awaited through the DevTools protocol alone: Playwright's own waits (wait_for_selector, evaluate)
# first inject its scripts into the page, 10–15 ms of parsing on the main thread while the page loads.
AWAIT_STAMP = """new Promise((resolve, reject) => {
    setTimeout(() => reject(new Error('no trace after 60 s')), 60000);
    const wait = () => window.__firstTrace ? window.__firstTrace.then(resolve) : setTimeout(wait, 5);
    wait();
})"""


def first_trace(cdp) -> float:
    """Milliseconds from the navigation's start to the frame that paints the first trace."""
    for _ in range(100):  # until the new document's context answers
        answer = cdp.send("Runtime.evaluate", {"expression": AWAIT_STAMP, "awaitPromise": True,
                                               "returnByValue": True})
        if "exceptionDetails" not in answer:
            return answer["result"]["value"]
        if "no trace" in json.dumps(answer["exceptionDetails"]):
            raise RuntimeError("no trace after 60 s")
    raise RuntimeError(f"the page never answered: {answer['exceptionDetails']}")


def visit(browser, url: str, ready: str, profile, warm_context=None, prepare=None):
    """(seconds from the navigation's start to the frame that paints the first trace, bytes on the
    wire, [(bytes, encoding, url)]) of one visit. ``prepare(page)`` runs before the page is opened
    (first_screen.py edits an answer on its way with it)."""
    context = warm_context or browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    if prepare:
        prepare(page)
    page.add_init_script(f"({STAMP})({json.dumps(ready)})")
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": warm_context is None})
    if profile:
        cdp.send("Network.emulateNetworkConditions", profile)
    responses, sizes = {}, {}
    cdp.on("Network.responseReceived", lambda e: responses.__setitem__(
        e["requestId"], (e["response"]["url"], {k.lower(): v for k, v in e["response"]["headers"].items()})))
    cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]))
    problems, unfinished = [], {}
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text[:200]}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("request", lambda r: unfinished.__setitem__(r, r.url))
    page.on("requestfinished", lambda r: unfinished.pop(r, None))
    page.on("requestfailed", lambda r: problems.append(f"failed: {unfinished.pop(r, r.url)} {r.failure}"))
    page.goto(url, wait_until="commit")
    try:
        elapsed = first_trace(cdp) / 1000
    except RuntimeError as exc:  # rare (three in several hundred visits so far): say what the page was doing
        raise RuntimeError(f"{url} ({'repeat' if warm_context else 'first'} visit): {exc}; "
                           f"problems: {problems}; unfinished requests: {list(unfinished.values())}; "
                           f"page: {page.inner_text('body')[:300]!r}") from None
    page.wait_for_load_state("networkidle")
    resources = sorted(((sizes.get(rid, 0), headers.get("content-encoding", "-"), u)
                        for rid, (u, headers) in responses.items()), reverse=True)
    page.close()
    if warm_context is None:
        context.close()
    return elapsed, sum(sizes.values()), resources


@contextmanager
def served(checkout: Path):
    """The checkout's Procfile web command over a fresh store of the snapshot's tickers; the base URL."""
    tmp = Path(tempfile.mkdtemp())
    env = {**os.environ, "PYTHONPATH": str(checkout), "MINERDASH_DATA_DIR": str(tmp),
           "WEB_CONCURRENCY": "2", "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    url = f"sqlite:///{tmp / 'bench.sqlite'}"
    fill(checkout, url, env)
    with running_server(url, tmp, command=["bash", "-c", web_command(checkout)],
                        env={k: env[k] for k in ("PYTHONPATH", "WEB_CONCURRENCY", "PATH")},
                        cwd=checkout) as base:
        yield base


def returning_profile(browser):
    """A browser profile on disk, as a returning visitor's (see the module's docstring)."""
    return browser.browser_type.launch_persistent_context(
        tempfile.mkdtemp(), executable_path=CHROMIUM, args=CHROMIUM_ARGS, viewport={"width": 1366, "height": 900})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--checkout", type=Path, default=ROOT)
    args = parser.parse_args()
    checkout = args.checkout.resolve()
    print(f"checkout {checkout} (commit {subprocess.run(['git', '-C', str(checkout), 'rev-parse', '--short', 'HEAD'], capture_output=True, text=True).stdout.strip()})")
    with served(checkout) as base, chromium() as browser:
        for path, ready in PAGES:
            visit(browser, base + path, ready, None)  # server-side caches warm, as for a hosted user
            for name, profile in PROFILES.items():
                cold = [visit(browser, base + path, ready, profile) for _ in range(args.runs)]
                context = returning_profile(browser)
                visit(browser, base + path, ready, profile, warm_context=context)
                warm = [visit(browser, base + path, ready, profile, warm_context=context) for _ in range(args.runs)]
                context.close()
                print(f"{path:<28} {name:<17} first visit: {statistics.median(c[1] for c in cold) / 1e6:6.2f} MB, "
                      f"first trace {statistics.median(c[0] for c in cold) * 1000:6.0f} ms; repeat visit: "
                      f"{statistics.median(w[1] for w in warm) / 1e6:6.2f} MB, "
                      f"{statistics.median(w[0] for w in warm) * 1000:6.0f} ms")
            print("  largest resources of the first visit:")
            for size, encoding, address in cold[0][2][:10]:
                print(f"    {size / 1e3:8.1f} kB  {encoding:<5} {address.replace(base, '')[:90]}")


if __name__ == "__main__":
    main()
