"""The browser bundles the pages load in place of Dash's heavier defaults, installed by ``npm ci``
from package.json (pinned) and served at versioned URLs, cached for a year.

- plotly's partial "finance" bundle (scatter, bar, candlestick…), a quarter of the full
  plotly.min.js, pinned to the version nearest the plotly.js that plotly.py bundles;
- regenerator-runtime, the one part of Dash's ``@babel/polyfill`` its bundles still call
  (``regeneratorRuntime`` in dcc's and the renderer's lazy loaders), at the version that polyfill
  carries. The rest of the polyfill is core-js 2, which every browser that runs plotly.js 4 has
  natively; evaluating it cost about 100 ms of every first visit.

plotly's bundle is served with V8's explicit compile hint (``//# allFunctionsCalledOnLoad``, Chromium
136+; a plain comment elsewhere): its functions are compiled with the script (off the main thread
as it streams in), so the compiled code Chromium keeps for a returning visitor holds the functions
a chart draw calls, not only those the script ran on load. Without it a repeat visit compiles the
drawing code again, lazily, on the main thread (a cold draw of the ticker page's price chart:
about 210 ms, against 150–175 ms with the hint).

Dash also loads dash_table's bundle on every page; no page here uses DataTable (tables are plain
HTML), so the index leaves it out.

Without ``npm ci`` the pages fall back to Dash's full plotly.js and its polyfill.
"""

import json
import logging
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from flask import Response, abort

from dashboard.config import PROJECT_DIR

log = logging.getLogger("minerdash.bundles")


@dataclass(frozen=True)
class Bundle:
    name: str      # in the URL: /_minerdash/<name>-<version>.js
    package: str   # the npm package (package.json)
    file: str      # the script inside it
    eager: bool = False  # served with COMPILE_HINT

    @property
    def route(self) -> str:
        return f"/_minerdash/{self.name}-<version>.js"


COMPILE_HINT = b"//# allFunctionsCalledOnLoad\n"
PLOTLY = Bundle("plotly-finance", "plotly.js-finance-dist-min", "plotly-finance.min.js", eager=True)
REGENERATOR = Bundle("regenerator-runtime", "regenerator-runtime", "runtime.js")
_DASH_POLYFILL = re.compile(r'<script src="[^"]*/deps/polyfill@[^"]*"></script>')
_DASH_TABLE = re.compile(r'<script src="[^"]*/dash/dash_table/bundle[^"]*"></script>\s*')


@cache
def installed(bundle: Bundle) -> tuple[Path, str] | None:
    """(path, version) of an installed bundle, or None when ``npm ci`` was not run."""
    package = PROJECT_DIR / "node_modules" / bundle.package
    path = package / bundle.file
    if not path.is_file():
        return None
    return path, json.loads((package / "package.json").read_text())["version"]


def script_url(bundle: Bundle) -> str | None:
    found = installed(bundle)
    return None if found is None else bundle.route.replace("<version>", found[1])


def bundle_script() -> str | None:
    """The URL to load plotly.js from, or None (then Dash serves its full plotly.js)."""
    url = script_url(PLOTLY)
    if url is None:
        log.warning("plotly finance bundle not installed (run `npm ci` in %s): serving the full "
                    "plotly.js, 4 MB more per first visit", PROJECT_DIR)
    return url


def lighter_scripts(scripts: str) -> str:
    """Dash's script tags without dash_table, and with its babel polyfill replaced by the
    regenerator runtime alone (when installed)."""
    scripts = _DASH_TABLE.sub("", scripts)
    url = script_url(REGENERATOR)
    if url is None:
        return scripts
    return _DASH_POLYFILL.sub(lambda _: f'<script src="{url}"></script>', scripts, count=1)


def install_bundles(app) -> None:
    """Serve each installed bundle at its versioned URL, cached for a year by browsers."""
    for bundle in (PLOTLY, REGENERATOR):
        found = installed(bundle)
        if found is not None:
            _serve(app, bundle, *found)


def _serve(app, bundle: Bundle, path: Path, installed_version: str) -> None:
    data = (COMPILE_HINT if bundle.eager else b"") + path.read_bytes()

    def serve(version: str):
        if version != installed_version:
            abort(404)
        response = Response(data, mimetype="application/javascript")
        response.cache_control.public = True
        response.cache_control.max_age = 31_536_000
        response.cache_control.immutable = True
        return response

    app.server.add_url_rule(bundle.route, endpoint=f"bundle_{bundle.name}", view_func=serve)
