"""Interactions in headless Chromium: from a click (or Enter) to the redrawn chart.

Usage: python benchmarks/interactions.py [--runs 5]
gunicorn from the Procfile over the snapshot's tickers, loopback. Range buttons on the overview
and on the ticker page, and adding a ticker on the overview by typing it; each time is from the
input to plotly's ``plotly_afterplot`` on the chart, medians of ``--runs`` (each with a new view,
so the server computes it: the first request of each view is cold in the cache). Each median is
given twice: from the call to Playwright (which first waits for the button to be still and in view,
about 30 ms here) and from the input event itself (``pointerdown``/``keydown``), which is what a
user waits.
"""

import argparse
import statistics

from _common import ROOT
from first_visit import served

from dashboard.browser import chromium

# Armed before the input; awaited after it (a promise returned to Playwright would be awaited at once).
ARM = """(graph) => {
    const gd = document.querySelector('#' + graph + ' .js-plotly-plot');
    const began = performance.now();
    let input = null;
    const stamp = event => { input = input === null ? event.timeStamp : input; };
    document.addEventListener('pointerdown', stamp, {capture: true, once: true});
    document.addEventListener('keydown', stamp, {capture: true, once: true});
    window.__redrawn = Promise.race([
        new Promise(resolve => gd.once('plotly_afterplot', () => {
            const now = performance.now();
            resolve([now - began, now - (input === null ? began : input)]);
        })),
        new Promise((_, reject) => setTimeout(() => reject(new Error('no redraw within 30 s')), 30000))]);
}"""


def timed(page, graph: str, act) -> tuple[float, float]:
    """(ms from the call to ``act``, ms from its input event) to the chart's redraw."""
    page.evaluate(ARM, graph)
    act()
    return tuple(page.evaluate("window.__redrawn"))


def summary(samples: list[tuple[float, float]], what: str) -> str:
    called, felt = zip(*samples, strict=True)
    return (f"median {statistics.median(called):5.0f} ms, max {max(called):5.0f} ms over {len(samples)} {what}; "
            f"from the input event: median {statistics.median(felt):5.0f} ms, max {max(felt):5.0f} ms")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with served(ROOT) as base, chromium() as browser:
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        for path, graph in (("/", "overview-graph"), ("/ticker/MARA", "ticker-price")):
            page.goto(base + path)
            page.wait_for_selector(f"#{graph} .js-plotly-plot .trace")
            page.wait_for_load_state("networkidle")
            samples = []
            labels = ["1M", "3M", "YTD", "1Y", "5Y", "All"]
            for n in range(args.runs * 2):
                button = page.locator(f"""button[id*='"range":"{labels[n % len(labels)]}"']""")
                samples.append(timed(page, graph, button.click))
            print(f"{path:<14} range buttons: {summary(samples, 'clicks')}")
        page.goto(base + "/?tickers=MARA")
        page.wait_for_selector("#overview-graph .js-plotly-plot .trace")
        page.wait_for_load_state("networkidle")
        samples = []
        page.locator("#overview-tickers").click()  # the picker stays open and focused after each Enter
        for symbol in ("RIOT", "CLSK", "HUT", "QQQ")[:args.runs]:
            page.keyboard.type(symbol, delay=40)  # a fast typist; see TYPING_MS in the browser tests
            samples.append(timed(page, "overview-graph", lambda: page.keyboard.press("Enter")))
        print(f"{'/':<14} adding a ticker: {summary(samples, 'tickers')}")


if __name__ == "__main__":
    main()
