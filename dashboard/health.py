"""``/healthz``: is the store reachable, how far behind is each ticker, what failed last, how many
data-quality flags each series carries, and whether the cache answers.

503 when the store cannot be reached or holds no tables; 200 otherwise, with ``status``
"degraded" when a ticker is stale (more than two sessions behind on its own calendar) or its last
refresh failed.
"""

from datetime import UTC, datetime

from dashboard.calendars import calendar_for
from dashboard.errors import StoreUnavailable

STALE_AFTER_SESSIONS = 2


def health(reads, now: datetime | None = None) -> tuple[dict, int]:
    """JSON body and status code of /healthz."""
    now = now or datetime.now(UTC)
    store = reads.store
    cache = reads.cache.state()
    if not store.ping():
        return {"status": "unavailable", "store_reachable": False, "cache": cache}, 503
    try:
        status = store.status()
        last_ok = store.last_successful_run()
        sources = store.event_source_status()
        flags = reads.quality_flags(tuple(status.loc[status["rows"] > 0, "ticker"]))
    except StoreUnavailable as exc:
        return {"status": "unavailable", "store_reachable": True, "detail": str(exc), "cache": cache}, 503
    counts = flags.groupby("ticker").size().to_dict() if not flags.empty else {}
    tickers, stale = {}, []
    for row in status.itertuples():
        calendar = calendar_for(row.ticker)
        behind = calendar.sessions_behind(row.last_date, now) if row.last_date is not None else None
        is_stale = behind is None or behind > STALE_AFTER_SESSIONS
        if is_stale:
            stale.append(row.ticker)
        tickers[row.ticker] = {
            "as_of": row.last_date.isoformat() if row.last_date is not None else None,
            "rows": int(row.rows), "source": row.source, "calendar": calendar.name,
            "sessions_behind": behind, "stale": is_stale, "last_error": row.last_error,
            "quality_flags": int(counts.get(row.ticker, 0)),
        }
    failing = status["last_error"].notna().any() or sources["last_error"].notna().any()
    body = {
        "status": "ok" if not stale and not failing else "degraded",
        "store_reachable": True,
        "last_successful_refresh": last_ok["finished_at"].isoformat()
        if last_ok and last_ok["finished_at"] else None,
        "stale_tickers": stale,
        "tickers": tickers,
        "event_sources": [{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in r.items()}
                          for r in sources.to_dict("records")],
        "quality_flags": int(sum(counts.values())),
        "cache": cache,
    }
    return body, 200
