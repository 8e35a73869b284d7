"""The app's HTTP contract: security headers, errors as 4xx/5xx, /healthz, compression and caching
of static files, and the scripts the index loads."""

import json
import re
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import brotli
import dash._validate
import pytest

from dashboard.app import create_app
from tests.conftest import settings_for


def test_pages_headers_health_and_errors(app):
    client = app.server.test_client()
    for path in ["/", "/ticker/MARA", "/events", "/events/bitmain-us-factory", "/ticker/ZZZ"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"]
    assert client.get("/wp-admin/setup.php").status_code == 404
    from dashboard.health import health

    with app.server.app_context():
        body, code = health(app.server.extensions["minerdash"], now=datetime(2026, 6, 2, 22, tzinfo=UTC))
    assert code == 200 and body["store_reachable"] is True
    assert body["tickers"]["MARA"]["as_of"] == "2026-05-29" and body["tickers"]["MARA"]["sessions_behind"] == 2
    assert body["tickers"]["BTC-USD"]["calendar"] == "24/7" and "MARA" not in body["stale_tickers"]
    assert body["cache"]["reachable"] is True
    bad = client.post("/_dash-update-component", data="{not json", content_type="application/json")
    assert bad.status_code == 400 and b"Traceback" not in bad.data
    odd = client.post("/_dash-update-component", json={"output": "nope.children", "inputs": []})
    assert odd.status_code == 400 and odd.get_json()["error"].startswith("malformed callback request")
    assert client.get("/_dash-component-suites/../../etc/passwd").status_code in (400, 404)


def test_versioned_static_files_are_kept_a_year_without_revalidation(app):
    client = app.server.test_client()
    index = client.get("/").get_data(as_text=True)
    versioned = re.findall(r'(?:href|src)="(/(?:assets/[^"?]+\?m=[^"]+|_favicon\.ico\?v=[^"]+))"', index)
    assert any(u.startswith("/assets/") for u in versioned) and any("favicon" in u for u in versioned)
    for url in versioned:
        response = client.get(url, headers={"Accept-Encoding": "br"})
        control = response.headers["Cache-Control"]
        assert "max-age=31536000" in control and "immutable" in control and "no-cache" not in control, url
    assert client.get("/_favicon.ico?v=1", headers={"Accept-Encoding": "br"}).headers["Content-Encoding"] == "br"
    assert "max-age" not in client.get("/").headers.get("Cache-Control", "")


def test_unversioned_static_files_are_revalidated_not_downloaded_again(app):
    """dcc's lazy chunks (loaded by name, no version in the URL) carry an ETag: a browser holding
    them asks again and gets a 304 without a body, whichever encoding it took them in."""
    from dashboard.app import PRELOADED_CHUNKS

    client = app.server.test_client()
    for chunk in PRELOADED_CHUNKS:
        url = f"/_dash-component-suites/dash/dcc/{chunk}"
        for encoding in ("br", "gzip", "identity"):
            first = client.get(url, headers={"Accept-Encoding": encoding})
            assert first.status_code == 200 and len(first.data) > 1000, (url, encoding)
            tag = first.headers["ETag"]
            again = client.get(url, headers={"Accept-Encoding": encoding, "If-None-Match": tag})
            assert (again.status_code, again.data) == (304, b""), (url, encoding)
            assert again.headers.get("ETag", tag) == tag  # Dash's own 304 (identity) names none
            other = client.get(url, headers={"Accept-Encoding": encoding, "If-None-Match": '"stale"'})
            assert other.status_code == 200 and other.data == first.data
        br = client.get(url, headers={"Accept-Encoding": "br"}).headers["ETag"]
        assert client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": br}).status_code == 200


def test_the_index_loads_the_npm_bundles_instead_of_dashs_heavier_scripts(app):
    """With ``npm ci`` done: plotly's finance bundle and the regenerator runtime in place of the
    full plotly.js and the babel polyfill, no dash_table, each bundle served from package.json's pin."""
    from dashboard.bundles import PLOTLY, REGENERATOR, installed

    if installed(PLOTLY) is None or installed(REGENERATOR) is None:
        pytest.skip("needs `npm ci` (the bundles of package.json)")
    pins = json.loads((Path(__file__).parents[1] / "package.json").read_text())["dependencies"]
    client = app.server.test_client()
    scripts = re.findall(r'<script src="([^"]+)"', client.get("/").get_data(as_text=True))
    assert f"/_minerdash/regenerator-runtime-{pins['regenerator-runtime']}.js" == scripts[0]
    assert f"/_minerdash/plotly-finance-{pins['plotly.js-finance-dist-min']}.js" in scripts
    assert not [s for s in scripts if "polyfill" in s or "dash_table" in s or "plotly.min" in s]
    hints = re.findall(r'<link rel="preload" as="fetch" crossorigin="anonymous" href="([^"]+)">',
                       client.get("/").get_data(as_text=True))
    assert hints == ["/_dash-layout", "/_dash-dependencies"]
    renderer = [i for i, s in enumerate(scripts) if "dash_renderer" in s]
    assert renderer and renderer[0] > 0  # the runtime is defined before any bundle calls it
    body = client.get(scripts[0], headers={"Accept-Encoding": "br"})
    assert body.status_code == 200 and body.headers["Content-Encoding"] == "br"
    assert "immutable" in body.headers["Cache-Control"]
    assert b"regeneratorRuntime" in brotli.decompress(body.data)
    plotly = [s for s in scripts if "plotly-finance" in s][0]
    assert brotli.decompress(client.get(plotly, headers={"Accept-Encoding": "br"}).data).startswith(
        b"//# allFunctionsCalledOnLoad\n/**\n* plotly.js (finance - minified) v")  # V8's eager compile hint
    assert client.get("/_minerdash/regenerator-runtime-0.0.1.js").status_code == 404


def test_health_is_503_when_the_store_is_unreachable(tmp_path):
    from dashboard.cached_reads import CachedReads
    from dashboard.health import health

    reads = CachedReads(settings_for(f"sqlite:///{tmp_path}/none/deeper/x.sqlite", tmp_path))
    body, code = health(reads)
    assert code == 503 and body["store_reachable"] is False


@pytest.mark.parametrize("held", ["bundle registry", "routing callback"])
def test_requests_arriving_while_dash_sets_up_wait_for_it(filled_db_url, tmp_path, monkeypatch, held):
    """Dash's first-request hooks raise their done flags before the work (plotly/dash#3971): under
    gunicorn's threads a bundle asked for meanwhile was a 404 (the page stayed on "Loading...") and
    callbacks listed meanwhile lacked the routing ones (a link kept the last page's title). Here the
    first request is held inside one hook while a second thread asks for React and the callbacks."""
    app = create_app(settings_for(filled_db_url, tmp_path))
    owner, name = (app, "_generate_scripts_html") if held == "bundle registry" else \
        (dash._validate, "check_for_duplicate_pathnames")
    entered, work = threading.Event(), getattr(owner, name)

    def slow(*args):
        entered.set()
        time.sleep(0.5)
        return work(*args)

    monkeypatch.setattr(owner, name, slow)
    first = threading.Thread(target=lambda: app.server.test_client().get("/"))
    first.start()
    assert entered.wait(10)
    client = app.server.test_client()
    react = client.get("/_dash-component-suites/dash/deps/react@18.3.1.min.js")
    callbacks = client.get("/_dash-dependencies")
    first.join()
    assert react.status_code == 200 and b"React" in react.data[:2000]
    outputs = {c["output"] for c in callbacks.get_json()}
    assert {".._pages_content.children..._pages_store.data..", "_pages_dummy.children"} <= outputs
