"""What the browser tests share: viewports, typing speed, and waiting on a page's JavaScript."""

from playwright.sync_api import Error as PlaywrightError

# Between keys, as a fast typist. Dash 4's dropdown keeps its search text in Dash's store, and keys
# a machine sends at 0 ms can overtake that round trip (letters are then lost, never tickers).
TYPING_MS = 40
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}


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
