"""Regenerate docs/overview.png, the README's screenshot, from the bundled snapshot.

Usage: python scripts/readme_screenshot.py   (needs Debian's chromium and the test extra)
"""

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dashboard.browser import chromium, running_server  # noqa: E402
from dashboard.snapshot import load_snapshot  # noqa: E402
from dashboard.store import Store  # noqa: E402

VIEW = "/?tickers=MARA,RIOT,CLSK,HUT&start=2025-06-01&end=2025-09-30"


def main():
    tmp = Path(tempfile.mkdtemp())
    store = Store(f"sqlite:///{tmp / 'demo.sqlite'}")
    store.create_or_migrate()
    load_snapshot(store)
    out = ROOT / "docs" / "overview.png"
    with running_server(store.url, tmp) as base, chromium() as browser:
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.goto(base + VIEW)
        page.wait_for_selector(".js-plotly-plot .trace.scatter")
        page.wait_for_load_state("networkidle")
        box = page.locator(".scatterlayer .trace:last-child .point").nth(0).bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.wait_for_timeout(500)
        page.screenshot(path=str(out))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
