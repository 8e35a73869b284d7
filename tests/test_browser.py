"""Every page in a real headless Chromium, the way people use it: light and dark, desktop and a
390 px phone; charts hovered, clicked and toggled; downloads; what a first visit transfers."""

import csv
import io
import os
import re

import pytest
from playwright.sync_api import Error as PlaywrightError

from dashboard.browser import chromium, chromium_available, running_server

pytestmark = pytest.mark.browser
# Between keys, as a fast typist. Dash 4's dropdown keeps its search text in Dash's store, and keys
# a machine sends at 0 ms can overtake that round trip (letters are then lost, never tickers).
TYPING_MS = 40
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}


@pytest.fixture(scope="module")
def base_url(filled_db_url, tmp_path_factory):
    if not chromium_available():
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed (CI must install Debian's chromium)")
        pytest.skip("needs Chromium: install Debian's chromium")
    with running_server(filled_db_url, tmp_path_factory.mktemp("server")) as base:
        yield base


@pytest.fixture(scope="module")
def browser(base_url):
    with chromium() as instance:
        yield instance


@pytest.fixture
def visit(browser, base_url):
    """Open pages (closed after the test, whatever happens); each collects console errors."""
    opened = []

    def open_page(path, viewport=DESKTOP, dark=False, ready=".js-plotly-plot .trace"):
        context = browser.new_context(viewport=viewport, accept_downloads=True)
        page = context.new_page()
        page.problems = []
        page.on("console", lambda m: page.problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: page.problems.append(str(e)))
        opened.append(context)
        page.goto(base_url + path)
        if ready:
            page.wait_for_selector(ready, timeout=30_000)
        if dark:
            switch_to_dark(page)
        page.wait_for_load_state("networkidle")
        return page

    yield open_page
    for context in opened:
        context.close()


def _evaluated(page, expression: str):
    try:
        return page.evaluate(expression)
    except PlaywrightError as exc:  # a navigation replaced the page mid-question: ask the new one
        if "Execution context was destroyed" not in str(exc):
            raise
        return False


def poll(page, expression: str, timeout: float = 10.0) -> None:
    """Wait until a JavaScript expression is true (evaluated through DevTools: no eval in the page)."""
    deadline = timeout * 1000
    waited = 0
    while not _evaluated(page, expression):
        if waited > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        page.wait_for_timeout(100)
        waited += 100


def poll_url(page, pattern: str, timeout: float = 15.0) -> None:
    """Wait for the address to match (pushState changes it without a navigation)."""
    poll(page, f"/{pattern}/.test(window.location.href)", timeout)


def switch_to_dark(page):
    """Flip the theme switch (the navbar collapses at phone width) and wait for the redraw."""
    if page.evaluate("document.documentElement.getAttribute('data-bs-theme')") == "dark":
        return
    if page.locator("#navbar-toggler").is_visible():
        page.locator("#navbar-toggler").click()
        page.wait_for_selector("#navbar-collapse.show")
    page.locator("#theme-switch").check()
    poll(page, "document.documentElement.getAttribute('data-bs-theme') === 'dark'")
    if page.locator("#navbar-toggler").is_visible():
        page.locator("#navbar-toggler").click()
    page.wait_for_timeout(300)


def contrast(foreground: str, background: str) -> float:
    def luminance(color):
        r, g, b = [int(v) / 255 for v in re.findall(r"\d+", color)[:3]]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted([luminance(foreground), luminance(background)], reverse=True)
    return (high + 0.05) / (low + 0.05)


def hover_label(page, graph: str, x_fraction: float, y_fraction: float = 0.5) -> dict:
    """Hover a point of a chart; the label's box, its colours and its text."""
    area = page.locator(f"#{graph} .nsewdrag").first
    area.scroll_into_view_if_needed()
    box = area.bounding_box()
    page.mouse.move(box["x"] + box["width"] * x_fraction - 5, box["y"] + box["height"] * y_fraction)
    page.mouse.move(box["x"] + box["width"] * x_fraction, box["y"] + box["height"] * y_fraction, steps=3)
    poll(page, f"document.querySelector('#{graph} .hoverlayer .hovertext, #{graph} .hoverlayer .legend') !== null", 5)
    return page.evaluate(f"""() => {{
        const layer = document.querySelector('#{graph} .hoverlayer');
        const label = layer.querySelector('.hovertext') || layer.querySelector('.legend');
        const rect = label.querySelector('rect, path');
        const text = label.querySelector('text');
        const box = label.getBoundingClientRect();
        return {{fill: getComputedStyle(rect).fill, color: getComputedStyle(text).fill, text: label.textContent,
                 left: box.left, right: box.right, width: box.width}};
    }}""")


PAGES = [
    ("overview", "/?tickers=MARA,RIOT,CLSK,HUT&start=2025-06-01&end=2025-09-30", ".js-plotly-plot .trace"),
    ("ticker-MARA", "/ticker/MARA", "#ticker-price .js-plotly-plot .trace"),
    ("ticker-BTC-USD", "/ticker/BTC-USD", "#ticker-price .js-plotly-plot .trace"),
    ("events", "/events", "#events-rows tbody tr"),
    ("event-bitmain", "/events/bitmain-us-factory", "#event-car .js-plotly-plot .trace"),
    ("studies", "/studies?categories=policy,macro,bitcoin,industry&unit=event", "#studies-caar .js-plotly-plot .trace"),
    ("ticker-unknown", "/ticker/not!a$ticker", "#ticker-unknown"),
]


@pytest.mark.parametrize("name,path,ready", PAGES)
@pytest.mark.parametrize("look", ["desktop-light", "phone-dark"])
def test_every_page_renders_and_fits(visit, artifacts, name, path, ready, look):
    phone = look.startswith("phone")
    page = visit(path, PHONE if phone else DESKTOP, dark=look.endswith("dark"), ready=ready)
    page.screenshot(path=str(artifacts / f"{name}-{look}.png"), full_page=True)
    assert page.problems == []
    if phone:
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("graph,path,x", [
    ("overview-graph", "/?tickers=MARA,RIOT,CLSK,HUT&start=2025-06-01&end=2025-09-30", 0.5),
    ("ticker-price", "/ticker/MARA?start=2025-06-01&end=2025-09-30", 0.5),
    ("event-car", "/events/bitmain-us-factory", 0.6),
])
def test_hover_labels_are_readable_in_both_themes_and_fit_a_phone(visit, artifacts, graph, path, x, theme):
    for viewport in (DESKTOP, PHONE):
        page = visit(path, viewport, dark=theme == "dark", ready=f"#{graph} .js-plotly-plot .trace")
        label = hover_label(page, graph, x)
        ratio = contrast(label["color"], label["fill"])
        assert ratio >= 4.5, (graph, theme, label)
        if viewport is PHONE:
            page.screenshot(path=str(artifacts / f"hover-{graph}-{theme}-phone.png"))
            assert label["left"] >= 0 and label["right"] <= PHONE["width"], label


def test_the_event_hover_card_fits_a_phone(visit, artifacts):
    page = visit("/?tickers=MARA,RIOT,CLSK,HUT&start=2025-06-01&end=2025-09-30", PHONE, dark=True)
    marker = page.locator("#overview-graph .scatterlayer .trace .point").last
    box = marker.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_selector("#overview-graph .hoverlayer text")
    page.screenshot(path=str(artifacts / "hover-event-card-phone.png"))
    width = page.evaluate("document.querySelector('#overview-graph .hoverlayer').getBoundingClientRect().right")
    assert width <= PHONE["width"]


def test_monday_candles_have_a_hover_label(visit):
    page = visit("/ticker/MARA?start=2025-06-30&end=2025-07-11", ready="#ticker-price .js-plotly-plot .trace")
    texts = []
    box = page.locator("#ticker-price .nsewdrag").first.bounding_box()
    for step in range(40):
        page.mouse.move(box["x"] + box["width"] * (step + 0.5) / 40, box["y"] + box["height"] * 0.4)
        page.wait_for_timeout(30)
        texts.append(page.evaluate("(document.querySelector('#ticker-price .hoverlayer') || {}).textContent || ''"))
    seen = " ".join(texts)
    assert "2025-07-07" in seen  # a Monday, right after the weekend's axis break
    assert "2025-07-03" in seen and "2025-07-04" not in seen  # and no candle on Independence Day


def test_the_log_toggle_lives_in_the_url_with_readable_ticks(visit, base_url):
    page = visit("/?tickers=MARA,RIOT,CLSK,HUT&start=2021-01-01&end=2025-09-30")
    page.get_by_text("Log", exact=True).click()
    poll_url(page, r".*scale=log.*")
    poll(page, "document.querySelector('#overview-graph .ytick text') !== null")
    page.wait_for_timeout(500)
    ticks = page.locator("#overview-graph .ytick text").all_text_contents()
    assert "100" in ticks and all(re.fullmatch(r"[125]0*|[125],000", t.replace(",", ",")) for t in ticks), ticks


def test_the_ticker_page_has_a_picker_range_buttons_and_is_remembered(visit):
    page = visit("/ticker/MARA", ready="#ticker-price .js-plotly-plot .trace")
    for chart in ("ticker-rolling", "ticker-drawdown"):
        page.wait_for_selector(f"#{chart} .js-plotly-plot .trace.scatter")
    page.locator("#ticker-picker").click()
    page.wait_for_selector(".dash-dropdown-content [role=option]")  # as a user, once the list shows
    page.keyboard.type("RIOT", delay=TYPING_MS)
    poll(page, "document.querySelectorAll('.dash-dropdown-content [role=option]').length === 1")
    page.keyboard.press("Enter")
    poll_url(page, r".*\/ticker\/RIOT.*")
    page.wait_for_selector("#ticker-price .js-plotly-plot .trace")
    page.get_by_role("button", name="1M", exact=True).click()
    poll_url(page, r".*start=2026-04-29.*end=2026-05-29.*")
    poll(page, """(() => { const gd = document.querySelector('#ticker-drawdown .js-plotly-plot');
        return gd && gd.data.length && String(gd.data[0].x[0]).slice(0, 10) === '2026-04-29'; })()""")
    page.goto(page.url.split("/ticker")[0] + "/events")
    page.wait_for_selector("#events-rows")
    assert page.locator("#nav-ticker").get_attribute("href") == "/ticker/RIOT"


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


def test_typing_tickers_keeps_each_one(visit):
    page = visit("/?tickers=MARA&start=2025-06-01&end=2025-09-30")
    dropdown = page.locator("#overview-tickers")
    dropdown.click()
    for symbol in ("CLSK", "QQQ"):
        page.keyboard.type(symbol, delay=TYPING_MS)
        page.keyboard.press("Enter")
        page.wait_for_timeout(300)
    poll_url(page, r".*tickers=MARA,CLSK,QQQ.*")
    page.keyboard.press("Escape")
    poll(page, "document.querySelectorAll('#overview-graph .legendtext').length >= 4")
    legend = page.locator("#overview-graph .legendtext").all_text_contents()
    assert legend[:4] == ["MARA", "CLSK", "QQQ", "BTC-USD"]


def test_a_marker_opens_its_event_and_headers_sort(visit):
    page = visit("/?tickers=MARA,RIOT,CLSK,HUT&start=2025-06-01&end=2025-09-30")
    rows = page.locator("#overview-stats-rows tbody tr td:first-child").all_text_contents()
    page.get_by_role("button", name="1D", exact=True).click()
    poll(page, "[...document.querySelectorAll('#overview-stats-rows th')].some(t => t.textContent.includes('▼'))")
    sorted_rows = page.locator("#overview-stats-rows tbody tr td:first-child").all_text_contents()
    assert sorted(sorted_rows) == sorted(rows) and sorted_rows != rows or len(rows) < 2
    assert page.locator("#overview-key li").first.text_content().startswith("2025-07-29 · industry")
    marker = page.locator("#overview-graph .scatterlayer .trace .point").nth(1)  # Bitmain (industry)
    box = marker.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    poll_url(page, r".*\/events\/(bitmain-us-factory|abtc-nasdaq-debut)$")


def test_stale_rows_and_missing_tickers_are_shown(visit):
    page = visit("/?tickers=MARA,HUT&start=2026-01-01&end=2026-05-31")
    assert "No HUT prices between 2026-01-01 and 2026-05-31" in page.inner_text("#overview-message")
    assert page.locator("#overview-stats-rows tr.table-warning td:first-child").all_text_contents() == ["HUT"]
    assert "HUT 2025-12-12" in page.inner_text("#freshness-text")


def test_bitcoin_statistics_use_its_own_calendar(visit):
    page = visit("/ticker/BTC-USD?start=2025-06-01&end=2025-09-30", ready="#ticker-price .js-plotly-plot .trace")
    stats = page.inner_text("#ticker-stats")
    assert "1W (7 days)\n+1.8%" in stats and "Vol 30D, annualised\n24%" in stats
    assert "Beta" not in stats and "Corr" not in stats


def test_overview_csv_download(visit, market_data):
    page = visit("/?tickers=MARA,RIOT&start=2025-06-01&end=2025-09-30")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download CSV (prices)").click()
    download = info.value
    assert download.suggested_filename == "minerdash-prices-MARA-RIOT-BTC-USD-2025-06-01-2025-09-30.csv"
    rows = list(csv.reader(io.StringIO(open(download.path()).read())))
    assert rows[0] == ["date", "ticker", "open", "high", "low", "close", "adj_close", "volume"]
    mara = {r[0]: r for r in rows[1:] if r[1] == "MARA"}
    with (market_data / "MARA.csv").open() as handle:
        source = {r["Date"]: r for r in csv.DictReader(handle)}
    assert len(mara) == len([d for d in source if "2025-06-01" <= d <= "2025-09-30"]) == 84
    assert mara["2025-07-29"][5] == source["2025-07-29"]["Close"]


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
