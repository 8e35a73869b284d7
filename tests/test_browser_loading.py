"""How pages load in a real headless Chromium: what a first visit transfers and draws, the visited
page in the layout answer (no routing at load), and a page's charts painted one at a time."""

import pytest

from tests.browser_support import DESKTOP, poll, poll_url, switch_to_dark

pytestmark = pytest.mark.browser


COUNT_FRAMES = """() => {
    window.__frame = 0;
    const tick = () => { window.__frame += 1; requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
    window.__drawnIn = {};
    new MutationObserver(() => {
        for (const trace of document.querySelectorAll('[id^=ticker-] .js-plotly-plot .trace')) {
            const id = trace.closest('.js-plotly-plot').parentNode.id;
            if (!(id in window.__drawnIn)) { window.__drawnIn[id] = window.__frame; }
        }
    }).observe(document, {childList: true, subtree: true});
}"""


def test_charts_are_painted_one_at_a_time_in_page_order(browser, base_url):
    """The price chart is painted before the charts below it are drawn (30-charts-one-per-frame.js),
    at load and when a range button redraws all three; each still draws its own figure."""
    charts = ["ticker-price", "ticker-rolling", "ticker-drawdown"]
    context = browser.new_context(viewport=DESKTOP)
    try:
        page = context.new_page()
        page.add_init_script(f"({COUNT_FRAMES})()")
        page.goto(base_url + "/ticker/MARA?start=2025-06-01&end=2025-09-30")
        poll(page, "Object.keys(window.__drawnIn).length === 3")
        frames = page.evaluate("window.__drawnIn")
        assert frames[charts[0]] < frames[charts[1]] < frames[charts[2]], frames
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(500)  # the graphs' resize after their first draw is over
        page.evaluate("""(charts) => { window.__redrawnIn = {};
            for (const id of charts) {
                document.querySelector('#' + id + ' .js-plotly-plot').on('plotly_afterplot',
                    () => { if (!(id in window.__redrawnIn)) { window.__redrawnIn[id] = window.__frame; } });
            } }""", charts)
        page.get_by_role("button", name="1M", exact=True).click()
        poll(page, "Object.keys(window.__redrawnIn).length === 3")
        frames = page.evaluate("window.__redrawnIn")
        assert frames[charts[0]] < frames[charts[1]] < frames[charts[2]], frames
        firsts = page.evaluate("""(charts) => charts.map(id =>
            String(document.querySelector('#' + id + ' .js-plotly-plot').data[0].x[0]).slice(0, 10))""", charts)
        assert firsts == ["2026-04-29"] * 3, firsts  # a month before the snapshot's last session
        poll_url(page, "start=2026-04-29&end=2026-05-29")  # the same answer set the date pickers
        assert page.locator("input#ticker-dates").input_value() == "2026-04-29"
    finally:
        context.close()


def test_a_visit_draws_its_page_without_routing_and_links_route_as_before(browser, base_url):
    """The visited page comes with the app's layout (first_view): no callback at all at load (no
    routing, no redraw for the theme, no table drawn twice), in light and in dark; the navbar's
    links still route in the page, and headers still sort."""
    context = browser.new_context(viewport=DESKTOP)
    try:
        page = context.new_page()
        sent, answers = [], []

        def seen(request):
            if "/_dash-update-component" in request.url:
                sent.append(request.post_data_json["output"])
            elif request.url.endswith(("/_dash-layout", "/_dash-dependencies")):
                answers.append(request.url.rsplit("/", 1)[1])

        page.on("request", seen)
        for dark in (False, True):
            sent.clear()
            answers.clear()
            page.goto(base_url + "/ticker/MARA?start=2025-07-01&end=2025-08-29")
            page.wait_for_selector("#ticker-price .js-plotly-plot .trace")
            page.wait_for_load_state("networkidle")
            assert sent == [], ("dark" if dark else "light", sent)  # nothing routed or redrawn twice
            assert sorted(answers) == ["_dash-dependencies", "_dash-layout"]  # the preloads are used
            background = page.evaluate("document.querySelector('#ticker-price .main-svg').style.background")
            assert background == "rgba(0, 0, 0, 0)"
            template = page.evaluate("document.querySelector('#ticker-price .js-plotly-plot').layout.template"
                                     ".layout.paper_bgcolor")
            assert template == ("rgb(17,17,17)" if dark else "white")
            assert page.evaluate("document.documentElement.getAttribute('data-bs-theme')") == \
                ("dark" if dark else "light")
            if not dark:  # remembered for the next visit (the theme cookie); wait for the redraw's
                # last callback, so that it cannot be counted with the next visit's
                with page.expect_response(lambda r: "/_dash-update-component" in r.url and
                                          r.request.post_data_json["output"] == "ticker-events.children",
                                          timeout=30_000):
                    switch_to_dark(page)
        page.locator("#ticker-events-rows th button").first.click()  # the session column: ascending now
        poll(page, "document.querySelector('#ticker-events-rows th').textContent.includes('▲')")
        page.locator("#nav-events").click()
        page.wait_for_selector("#events-rows tbody tr")
        assert any("_pages_content" in o for o in sent) and page.url.endswith("/events")
        page.go_back()
        page.wait_for_selector("#ticker-price .js-plotly-plot .trace")
        assert page.title() == "minerdash · Ticker"
    finally:
        context.close()


def test_a_first_visit_is_light_compressed_and_draws_every_chart_type(browser, base_url):
    """What must not regress: compressed bundles, the first visit's weight, each trace type drawn."""
    context = browser.new_context(viewport=DESKTOP)
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        sizes, responses = {}, {}

        def received(event):
            headers = {k.lower(): v for k, v in event["response"]["headers"].items()}
            responses[event["requestId"]] = (event["response"]["url"], headers.get("content-encoding", ""),
                                             int(headers.get("content-length", 0)))

        cdp.on("Network.responseReceived", received)
        cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]))
        page.goto(base_url + "/")
        page.wait_for_selector(".js-plotly-plot .trace.scatter")
        page.wait_for_load_state("networkidle")
        scripts = {u: e for u, e, length in responses.values() if u.split("?")[0].endswith(".js")
                   and not (e == "" and length < 1024)}  # a file under a kilobyte is not worth compressing
        assert len(scripts) > 5 and all(e in ("br", "gzip") for e in scripts.values()), \
            {u: e for u, e in scripts.items() if e not in ("br", "gzip")}
        assert any("plotly-finance" in u for u in scripts), "the partial plotly bundle is loaded"
        assert not any("package_data/plotly.min.js" in u for u in scripts)
        assert sum(sizes.values()) < 1_500_000
        page.goto(base_url + "/ticker/MARA")
        page.wait_for_selector("#ticker-price .trace.boxes")  # plotly draws candlesticks as boxes
        page.wait_for_selector("#ticker-price .trace.bars")
        page.goto(base_url + "/ticker/MARA?start=2020-06-01&end=2026-05-29")  # volume as an area beyond 4 years
        page.wait_for_selector("#ticker-price .trace.scatter .fills path")
        page.goto(base_url + "/studies?categories=policy,macro")
        page.wait_for_selector("#studies-caar .trace.scatter .fills path")
    finally:
        context.close()
