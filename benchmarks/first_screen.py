"""What a returning visitor's first screen costs, part by part: for the repeat-visit goal of issue 11.

Usage: python benchmarks/first_screen.py [--runs 9] [--checkout DIR]
gunicorn from the checkout's Procfile over the snapshot's tickers, loopback, headless Chromium in a
browser profile on disk (warmed by two visits, so plotly's compiled code comes from the cache as a
returning visitor's does). Two measures:

1. Each page's first chart drawn alone in a bare page (plotly.js and the stylesheet, nothing of
   Dash), from the figure the page's first view sends: ``Plotly.newPlot`` to its promise, medians,
   as sent and without each optional part (volume panel, event markers, legend, template, axis
   breaks). It is the cold draw a visit pays once plotly is loaded.
2. Repeat visits of the real pages, their first-view layout edited on its way to the browser:
   as sent, and without everything below the first chart (statistics cards, tables, date pickers,
   the other charts), to the frame that paints the first trace. The edit runs through Playwright's
   request interception, which delays every visit alike (by 100–150 ms here): compare the two
   rows, not with first_visit.py.
"""

import argparse
import json
import statistics
import tempfile
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests
from _common import ROOT
from first_visit import PAGES, returning_profile, served, visit

from dashboard.browser import chromium
from dashboard.bundles import COMPILE_HINT, PLOTLY, installed

FIRST_CHART = {"/": "overview-graph", "/ticker/MARA": "ticker-price", "/events/bitmain-us-factory": "event-car"}
BELOW_FIRST_CHART = ("Table", "Card", "DatePickerRange")  # besides every chart after the first


def _without(figure: dict, part: str) -> dict:
    """A copy of ``figure`` without one optional part."""
    figure = json.loads(json.dumps(figure))
    data, layout = figure["data"], figure["layout"]
    if part == "volume panel" and any(t.get("name") == "Volume" for t in data):
        figure["data"] = [t for t in data if t.get("name") != "Volume"]
        for axis in ("xaxis2", "yaxis2"):
            layout.pop(axis, None)
        layout.get("yaxis", {})["domain"] = [0, 1]
    elif part == "event markers" and any(t.get("legendgroup") == "events" for t in data):
        figure["data"] = [t for t in data if t.get("legendgroup") != "events"]
        layout.pop("shapes", None)
    elif part == "legend":
        layout["showlegend"] = False
    elif part == "template":
        layout["template"] = {}
    elif part == "axis breaks":
        for name, axis in layout.items():
            if name.startswith("xaxis"):
                axis.pop("rangebreaks", None)
    return figure


PARTS = ("volume panel", "event markers", "legend", "template", "axis breaks")

BARE_PAGE = """<!DOCTYPE html><html><head><link rel="stylesheet" href="/style.css"></head><body>
<div style="width: 1300px"><div id="chart"></div></div><script src="/plotly.js"></script><script>
const spec = SPEC;
window.__drawn = new Promise(resolve => {
    const began = performance.now();
    Plotly.newPlot(document.getElementById('chart'), spec.figure.data, spec.figure.layout, spec.config)
        .then(() => resolve(performance.now() - began));
});
</script></body></html>"""


class _Static(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def end_headers(self):
        immutable = self.path.endswith((".js", ".css"))
        self.send_header("Cache-Control", "public, max-age=31536000, immutable" if immutable else "no-store")
        super().end_headers()


def first_views(base: str) -> dict:
    """Page → its first-view layout, as the renderer fetches it (the Referer names the page)."""
    return {path: requests.get(f"{base}/_dash-layout", headers={"Referer": base + path}, timeout=30).json()
            for path, _ in PAGES}


def graphs(layout) -> dict:
    """Graph id → its props, in the layout."""
    found = {}

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "Graph":
                found[node["props"].get("id")] = node["props"]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
    walk(layout)
    return found


def bare_draws(browser, views: dict, checkout: Path, runs: int) -> None:
    plotly = installed(PLOTLY)
    if plotly is None:
        raise SystemExit("plotly's finance bundle is not installed: run `npm ci`")
    site = Path(tempfile.mkdtemp())
    (site / "plotly.js").write_bytes(COMPILE_HINT + plotly[0].read_bytes())
    (site / "style.css").write_bytes((checkout / "dashboard" / "assets" / "00-bootstrap.min.css").read_bytes())
    names = []
    for path, layout in views.items():
        spec = graphs(layout)[FIRST_CHART[path]]
        for part in ("", *PARTS):
            variant = {**spec, "figure": _without(spec["figure"], part)}
            if part and variant["figure"] == spec["figure"]:
                continue
            name = f"{len(names)}.html"
            (site / name).write_text(BARE_PAGE.replace("SPEC", json.dumps(variant)))
            names.append((name, f"{FIRST_CHART[path]}, {'as sent' if not part else 'without ' + part}"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Static, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    times = {name: [] for name, _ in names}
    context = returning_profile(browser)
    for run in range(runs + 2):
        for name, _ in names:
            page = context.new_page()
            page.goto(f"http://127.0.0.1:{server.server_port}/{name}")
            drawn = page.evaluate("window.__drawn")
            page.close()
            if run >= 2:  # two visits fill the code cache
                times[name].append(drawn)
    context.close()
    server.shutdown()
    print("cold first draw, bare page (Plotly.newPlot to its promise):")
    for name, label in names:
        print(f"  {label:<48} {statistics.median(times[name]):6.1f} ms")


def _below_first_chart(layout, first: str):
    """The layout with every chart but ``first``, and the tables, cards and date pickers, left out."""
    if isinstance(layout, list):
        return [_below_first_chart(node, first) for node in layout]
    if not isinstance(layout, dict):
        return layout
    if "props" in layout and "type" in layout:
        kind, props = layout["type"], layout["props"]
        if kind in BELOW_FIRST_CHART or (kind == "Graph" and props.get("id") != first):
            return None
    return {key: _below_first_chart(value, first) for key, value in layout.items()}


def edited_visits(browser, base: str, views: dict, runs: int) -> None:
    print("repeat visits, first-view layout edited on the way (to the frame painting the first trace):")
    for path, ready in PAGES:
        variants = {"as sent": json.dumps(views[path]),
                    "without what is below the first chart": json.dumps(
                        _below_first_chart(views[path], FIRST_CHART[path]))}
        contexts = {name: returning_profile(browser) for name in variants}
        times = {name: [] for name in variants}
        for run in range(runs + 2):
            for name, body in variants.items():
                def layout_as(page, body=body):
                    page.route("**/_dash-layout", lambda route, _request=None: route.fulfill(
                        status=200, content_type="application/json", body=body))
                elapsed = visit(browser, base + path, ready, None, warm_context=contexts[name], prepare=layout_as)[0]
                if run >= 2:
                    times[name].append(elapsed * 1000)
        for name, context in contexts.items():
            context.close()
            print(f"  {path:<28} {name:<40} {statistics.median(times[name]):6.0f} ms")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--checkout", type=Path, default=ROOT)
    args = parser.parse_args()
    checkout = args.checkout.resolve()
    with served(checkout) as base, chromium() as browser:
        views = first_views(base)
        bare_draws(browser, views, checkout, args.runs)
        edited_visits(browser, base, views, args.runs)


if __name__ == "__main__":
    main()
