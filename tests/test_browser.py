"""Every page in a real headless Chromium, the way people use it: light and dark, desktop and a
390 px phone; charts hovered, clicked and toggled; downloads. How pages load is in
test_browser_loading."""

import csv
import io
import re

import pytest

from tests.browser_support import DESKTOP, PHONE, TYPING_MS, poll, poll_url, switch_to_dark

pytestmark = pytest.mark.browser


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


def test_an_overview_range_button_sets_the_dates_and_redraws(visit):
    page = visit("/?tickers=MARA,RIOT&start=2021-01-04&end=2025-09-30")
    page.locator("""button[id*='"range":"1Y"']""").click()
    poll_url(page, r".*start=2025-05-29&end=2026-05-29.*")  # a year back from the snapshot's last session
    poll(page, """(() => { const gd = document.querySelector('#overview-graph .js-plotly-plot');
        const mara = gd && (gd._fullData || []).find(t => t.name === 'MARA');  // x decoded from its typed array
        return mara && new Date(mara.x[0]).toISOString().slice(0, 10) === '2025-05-29'; })()""")
    assert page.locator("input#overview-dates").input_value() == "2025-05-29"


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
