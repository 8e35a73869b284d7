"""HTTP around the pages: security headers, compression, caching of static files, and errors.

Errors: 4xx only for what the client got wrong (a malformed callback request, an unknown path,
an oversized request); an exception inside a callback is our bug: a 500 with its traceback in the
log and no traceback in the answer. Every answer, errors included, carries the security headers.
Text answers are compressed (brotli or gzip, as the client accepts); static bundles are
compressed once per process and cached, with long-lived caching for fingerprinted URLs.
"""

import gzip
import hashlib
import logging
import re
import threading

import brotli
import dash
from dash.exceptions import DependencyException, InvalidResourceError
from flask import Response, jsonify, request
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.serving import WSGIRequestHandler

from dashboard.first_view import LAYOUT_VARIES_ON

log = logging.getLogger("minerdash.http")

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
}
# For answers the servers write themselves (414, 431): nothing may run or be framed.
ERROR_PAGE_POLICY = "default-src 'none'; frame-ancestors 'none'"
MAX_REQUEST_BYTES = 1_000_000
_COMPRESSIBLE = ("text/", "application/json", "application/javascript", "image/svg+xml", "image/x-icon",
                 "image/vnd.microsoft.icon")
_MIN_COMPRESS = 1024
_STATIC = ("/_dash-component-suites/", "/assets/", "/_minerdash/", "/_favicon.ico")
_CALLBACK = "/_dash-update-component"


def content_security_policy(app) -> str:
    hashes = " ".join(app.csp_hashes())
    return "; ".join([
        "default-src 'self'", f"script-src 'self' {hashes}", "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:", "font-src 'self' data:", "connect-src 'self'",
        "object-src 'none'", "base-uri 'self'", "form-action 'self'", "frame-ancestors 'none'",
    ])


def _page_pattern(page: dict) -> re.Pattern:
    template = page.get("path_template") or page["path"]
    parts = re.split(r"(<[^>]+>)", template)
    return re.compile("^" + "".join("[^/]+" if p.startswith("<") else re.escape(p) for p in parts) + "/?$")


def known_page(path: str) -> bool:
    """Whether a registered page answers ``path`` (else Dash would render its 404 page at 200)."""
    return any(_page_pattern(page).match(path) for page in dash.page_registry.values()
               if page.get("module", "").split(".")[-1] != "not_found_404")


def malformed_callback(body) -> str | None:
    """Why a callback request body is not of the form Dash's renderer sends, or None."""
    if not isinstance(body, dict):
        return "the body is not a JSON object"
    if not isinstance(body.get("output"), str):
        return "no output named"
    for key in ("inputs", "state", "changedPropIds"):
        if key in body and not isinstance(body[key], list):
            return f"'{key}' is not a list"
    if not isinstance(body.get("inputs"), list):
        return "no inputs"
    for item in [*body["inputs"], *body.get("state", [])]:
        entries = item if isinstance(item, list) else [item]
        if not all(isinstance(e, dict) and "id" in e and "property" in e for e in entries):
            return "an input without id and property"
    return None


class CompressedCache:
    """Compressed bytes of static answers, computed once per process."""

    def __init__(self):
        self._items: dict[tuple, bytes] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple, data: bytes, encoding: str) -> bytes:
        with self._lock:
            hit = self._items.get(key)
        if hit is None:
            hit = compress(data, encoding, static=True)
            with self._lock:
                self._items[key] = hit
        return hit


def compress(data: bytes, encoding: str, static: bool) -> bytes:
    if encoding == "br":
        return brotli.compress(data, quality=9 if static else 4)
    return gzip.compress(data, compresslevel=9 if static else 6, mtime=0)


def choose_encoding(accept: str) -> str | None:
    offered = {part.split(";")[0].strip().lower(): part for part in accept.split(",")}
    for encoding in ("br", "gzip"):
        if encoding in offered and "q=0" not in offered[encoding].replace(" ", ""):
            return encoding
    return None


def fingerprinted(path: str, args) -> bool:
    """Whether the URL names one version of a file (Dash's ``?m=`` on assets, ``?v=`` on its favicon),
    so browsers may keep it for a year without asking again."""
    return (path.startswith("/assets/") and bool(args.get("m"))) or (path == "/_favicon.ico" and bool(args.get("v")))


def install_http(app, reads, health) -> None:
    """Routes (/healthz), request checks, headers, compression and error handlers on ``app``."""
    server = app.server
    server.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    policy: dict[str, str] = {}
    compressed = CompressedCache()

    @server.route("/healthz")
    def healthz():
        body, code = health(reads)
        return jsonify(body), code

    @server.before_request
    def check_callback_request():
        if request.path.endswith(_CALLBACK) and request.method == "POST":
            problem = malformed_callback(request.get_json(silent=True))
            if problem is None and request.get_json()["output"] not in app.callback_map:
                problem = "no callback has that output"
            if problem:
                log.warning("malformed callback request: %s", problem)
                return jsonify({"error": f"malformed callback request: {problem}", "status": 400}), 400
        return None

    @server.after_request
    def finish(response: Response) -> Response:
        if request.method == "GET" and response.status_code == 200 and response.mimetype == "text/html" \
                and not request.path.startswith(_STATIC) and not known_page(request.path):
            response.status_code = 404
        if "csp" not in policy:
            policy["csp"] = content_security_policy(app)
        response.headers["Content-Security-Policy"] = policy["csp"]
        response.headers.update(SECURITY_HEADERS)
        if request.path.endswith("/_dash-layout"):
            response.vary.update(LAYOUT_VARIES_ON)
        if fingerprinted(request.path, request.args):
            response.cache_control.no_cache = None  # Flask's send_file adds it: a revalidation per visit
            response.cache_control.public = True
            response.cache_control.max_age = 31_536_000
            response.cache_control.immutable = True
        return _compressed(response, compressed)

    @server.errorhandler(Exception)
    def errors(error):
        if isinstance(error, NotFound) or isinstance(error, DependencyException | InvalidResourceError):
            return jsonify({"error": "Not Found", "status": 404}), 404
        if isinstance(error, HTTPException):
            return jsonify({"error": error.name, "status": error.code}), error.code
        log.exception("unhandled error on %s", request.path)
        return jsonify({"error": "internal error", "status": 500}), 500


def _compressed(response: Response, cache: CompressedCache) -> Response:
    encoding = choose_encoding(request.headers.get("Accept-Encoding", ""))
    response.vary.add("Accept-Encoding")
    if (encoding is None or response.status_code != 200 or "Content-Encoding" in response.headers
            or not (response.mimetype or "").startswith(_COMPRESSIBLE)):
        return response
    response.direct_passthrough = False  # read streamed static files too
    data = response.get_data()
    if len(data) < _MIN_COMPRESS:
        return response
    if response.headers.get("ETag"):
        # Each encoding is a representation with its own tag; a browser revalidates with the tag it
        # holds, which Dash's own check (against the plain tag) never matches.
        response.set_etag(f"{response.get_etag()[0]}-{encoding}")
        response.make_conditional(request.environ)
        if response.status_code == 304:
            return response
    if request.path.startswith(_STATIC):
        key = (request.full_path, encoding, len(data), hashlib.blake2b(data[:4096]).hexdigest())
        body = cache.get(key, data, encoding)
    else:
        body = compress(data, encoding, static=False)
    response.set_data(body)
    response.headers["Content-Encoding"] = encoding
    response.headers["Content-Length"] = str(len(body))
    return response


class SecureRequestHandler(WSGIRequestHandler):
    """Werkzeug's development server, adding the security headers to the errors it writes itself
    (414 for a long request line, 431 for large headers)."""

    def send_error(self, code, message=None, explain=None):
        self._writing_error = True
        super().send_error(code, message, explain)

    def end_headers(self):
        if getattr(self, "_writing_error", False):
            for name, value in {**SECURITY_HEADERS, "Content-Security-Policy": ERROR_PAGE_POLICY}.items():
                self.send_header(name, value)
        super().end_headers()
