"""HTTP around the Dash pages: health, security headers, and errors without tracebacks."""

import logging
from datetime import UTC, datetime

import pandas as pd
from dash.exceptions import DependencyException, InvalidResourceError
from flask import Response, jsonify, request
from werkzeug.exceptions import HTTPException

from dashboard.events.align import nyse_calendar

log = logging.getLogger("minerdash.web")
STALE_AFTER_SESSIONS = 2


def sessions_behind(last_date, now: datetime | None = None) -> int:
    """NYSE sessions closed after ``last_date`` up to now (0 = up to date)."""
    calendar = nyse_calendar()
    now = pd.Timestamp(now or datetime.now(UTC))
    if now.tzinfo is None:
        now = now.tz_localize("UTC")
    last_closed = calendar.minute_to_past_session(now.floor("min"))
    last = pd.Timestamp(last_date)
    if last >= last_closed:
        return 0
    return len(calendar.sessions_in_range(last + pd.Timedelta(days=1), last_closed))


def health(services) -> tuple[dict, int]:
    """JSON body and status code of /healthz: 503 only when the store cannot be reached."""
    store = services.store
    if not store.ping():
        return {"status": "unavailable", "store_reachable": False}, 503
    status = store.status()
    tickers, stale = {}, []
    for row in status.itertuples():
        behind = sessions_behind(row.last_date) if row.last_date is not None else None
        is_stale = behind is None or behind > STALE_AFTER_SESSIONS
        if is_stale:
            stale.append(row.ticker)
        tickers[row.ticker] = {
            "as_of": row.last_date.isoformat() if row.last_date is not None else None,
            "rows": int(row.rows),
            "sessions_behind": behind,
            "stale": is_stale,
            "last_error": row.last_error,
        }
    last_ok = store.last_successful_run()
    body = {
        "status": "ok" if not stale and not status["last_error"].notna().any() else "degraded",
        "store_reachable": True,
        "last_successful_refresh": last_ok["finished_at"].isoformat() if last_ok and last_ok["finished_at"] else None,
        "stale_tickers": stale,
        "tickers": tickers,
    }
    return body, 200


def _content_security_policy(app) -> str:
    hashes = " ".join(app.csp_hashes())
    return "; ".join([
        "default-src 'self'",
        f"script-src 'self' {hashes}",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def install_web_routes(app, services) -> None:
    server = app.server
    policy = {}

    @server.route("/healthz")
    def healthz():
        body, code = health(services)
        return jsonify(body), code

    @server.after_request
    def security_headers(response: Response) -> Response:
        if "csp" not in policy:
            policy["csp"] = _content_security_policy(app)
        response.headers["Content-Security-Policy"] = policy["csp"]
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        response.headers["X-Frame-Options"] = "DENY"
        return response

    @server.errorhandler(Exception)
    def no_tracebacks(error):
        if isinstance(error, HTTPException):
            return jsonify({"error": error.name, "status": error.code}), error.code
        if isinstance(error, DependencyException | InvalidResourceError):
            return jsonify({"error": "Not Found", "status": 404}), 404
        if request.path.endswith("/_dash-update-component") and isinstance(
            error, KeyError | TypeError | ValueError | IndexError | AttributeError
        ):
            log.warning("malformed callback request: %r", error)
            return jsonify({"error": "malformed callback request", "status": 400}), 400
        log.exception("unhandled error on %s", request.path)
        return jsonify({"error": "internal error", "status": 500}), 500
