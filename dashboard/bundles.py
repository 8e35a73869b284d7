"""The plotly.js the pages load: plotly's partial "finance" bundle (scatter, bar, candlestick…),
a quarter of the full plotly.min.js that Dash would otherwise serve.

The bundle is installed by ``npm ci`` from package.json (pinned to the version nearest the
plotly.js that plotly.py bundles); without it the pages fall back to Dash's full plotly.js.
"""

import json
import logging
from functools import lru_cache
from pathlib import Path

from flask import Response, abort

from dashboard.config import PROJECT_DIR

log = logging.getLogger("minerdash.bundles")
PACKAGE = "plotly.js-finance-dist-min"
_FILE = "plotly-finance.min.js"
ROUTE = "/_minerdash/plotly-finance-<version>.min.js"


@lru_cache(maxsize=1)
def finance_bundle() -> tuple[Path, str] | None:
    """(path, version) of the installed finance bundle, or None when ``npm ci`` was not run."""
    package = PROJECT_DIR / "node_modules" / PACKAGE
    path = package / _FILE
    if not path.is_file():
        return None
    version = json.loads((package / "package.json").read_text())["version"]
    return path, version


def bundle_script() -> str | None:
    """The URL to load the bundle from, or None (then Dash serves its full plotly.js)."""
    found = finance_bundle()
    if found is None:
        log.warning("plotly finance bundle not installed (run `npm ci` in %s): serving the full "
                    "plotly.js, 4 MB more per first visit", PROJECT_DIR)
        return None
    return ROUTE.replace("<version>", found[1])


def install_bundle(app) -> None:
    """Serve the finance bundle at its versioned URL, cached for a year by browsers."""
    found = finance_bundle()
    if found is None:
        return
    path, installed = found
    data = path.read_bytes()

    @app.server.route(ROUTE)
    def plotly_finance(version: str):
        if version != installed:
            abort(404)
        response = Response(data, mimetype="application/javascript")
        response.cache_control.public = True
        response.cache_control.max_age = 31_536_000
        response.cache_control.immutable = True
        return response
