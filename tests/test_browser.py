"""Every page in a real headless Chromium: charts render, no console errors, CSV downloads work."""

import csv
import io
import os

import pytest

from dashboard.browser import chromium, chromium_available, running_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def base_url(filled_db_url, tmp_path_factory):
    if not chromium_available():
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed (CI must install Debian's chromium)")
        pytest.skip("Chromium is not installed")
    with running_server(filled_db_url, tmp_path_factory.mktemp("server")) as base:
        yield base


@pytest.fixture(scope="module")
def browser(base_url):
    with chromium() as instance:
        yield instance


def open_page(browser, url, width=1366, height=768):
    page = browser.new_page(viewport={"width": width, "height": height}, accept_downloads=True)
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(url)
    return page, problems


def switch_to_dark(page):
    """Flip the theme switch once the page has settled (the navbar collapses at phone width)."""
    if page.locator("#navbar-toggler").is_visible():
        page.locator("#navbar-toggler").click()
        page.wait_for_selector("#navbar-collapse.show")
    switch = page.locator("#theme-switch")
    switch.wait_for(state="visible")
    switch.check()
    page.wait_for_function("document.documentElement.getAttribute('data-bs-theme') === 'dark'")


PAGES = [
    ("overview", "/?tickers=MARA,RIOT,CLSK,HUT&start=2025-06-01&end=2025-09-30", ".js-plotly-plot .trace"),
    ("ticker-MARA", "/ticker/MARA", "#ticker-price .js-plotly-plot .trace"),
    ("events", "/events", "#events-rows tbody tr"),
    ("event-bitmain", "/events/bitmain-us-factory", "#event-car .js-plotly-plot .trace"),
]


@pytest.mark.parametrize("name,path,ready", PAGES)
def test_page_renders_without_console_errors(browser, base_url, artifacts, name, path, ready):
    page, problems = open_page(browser, base_url + path)
    page.wait_for_selector(ready, timeout=30000)
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)
    assert problems == []
    page.close()


def test_overview_view_lives_in_the_url_and_shows_bitmain(browser, base_url):
    page, problems = open_page(browser, base_url + "/?tickers=MARA,RIOT&start=2025-06-01&end=2025-09-30")
    page.wait_for_selector(".js-plotly-plot .trace")
    legend = page.locator(".legendtext").all_text_contents()
    assert legend[:3] == ["MARA", "RIOT", "BTC-USD"] and "Industry" in legend  # news by category
    page.locator("#overview-categories input[value='industry']").uncheck()
    page.wait_for_url("**categories=company,policy,macro,bitcoin,market*")
    assert problems == []
    page.close()


def test_overview_csv_download(browser, base_url, market_data):
    page, problems = open_page(browser, base_url + "/?tickers=MARA,RIOT&start=2025-06-01&end=2025-09-30")
    page.wait_for_selector(".js-plotly-plot .trace")
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
    assert problems == []
    page.close()


def test_unknown_ticker_message(browser, base_url, artifacts):
    page, problems = open_page(browser, base_url + "/ticker/ZZZZ")
    page.wait_for_selector("#ticker-unknown")
    assert "ZZZZ is not stored" in page.inner_text("#ticker-unknown")
    assert "minerdash fetch --tickers ZZZZ" in page.inner_text("body")
    page.screenshot(path=str(artifacts / "ticker-unknown.png"))
    assert problems == []
    page.close()


def test_phone_width_and_dark_mode(browser, base_url, artifacts):
    page, problems = open_page(browser, base_url + "/?tickers=MARA,RIOT,CLSK,HUT", width=390, height=844)
    page.wait_for_selector(".js-plotly-plot .trace")
    page.wait_for_load_state("networkidle")
    switch_to_dark(page)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
    page.screenshot(path=str(artifacts / "overview-phone-dark.png"), full_page=True)
    assert problems == []
    page.close()
