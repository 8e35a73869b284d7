"""Yahoo Finance through yfinance: the only module that imports yfinance.

yfinance reports most failures by logging and returning empty or all-NaN columns rather than
raising. We capture its log records during the call and turn every ticker that came back
without prices into a one-line reason (DNS, rate limit, no data) naming that ticker.
"""

import ast
import logging
import re
import threading
import warnings
from collections.abc import Sequence
from contextlib import contextmanager
from datetime import date, timedelta

import pandas as pd
import yfinance as yf
from yfinance.data import YfData

from dashboard.sources import ACTION_FIELDS, BAR_FIELDS, FetchResult

_COLUMNS = {
    "Open": "open",
    "High": "high",
    "Low": "low",
    "Close": "close",
    "Adj Close": "adj_close",
    "Volume": "volume",
}
_ACTIONS = {"Dividends": "dividend", "Stock Splits": "split"}
_LOGGED = re.compile(r"^(\[[^\]]*\]):\s*(.*)$", re.DOTALL)
_download_lock = threading.Lock()


def explain_failure(message: str | None) -> str:
    """Map whatever yfinance said (or did not say) to a reason a user can act on."""
    text = message or ""
    lowered = text.lower()
    if "ratelimit" in lowered or "too many requests" in lowered or " 429" in lowered:
        return "rate limited by Yahoo (HTTP 429: too many requests); try again later"
    if any(
        key in lowered
        for key in ("nameresolution", "failed to resolve", "dnserror", "could not resolve",
                    "name or service not known", "getaddrinfo", "temporary failure in name")
    ):
        return "cannot reach Yahoo Finance: DNS lookup failed (is this machine offline?)"
    if any(key in lowered for key in ("connectionerror", "connection refused", "timed out",
                                      "timeout", "max retries exceeded", "connection aborted")):
        return f"cannot reach Yahoo Finance: connection failed ({_short(text)})"
    if any(key in lowered for key in ("delisted", "no data found", "pricesmissing",
                                      "no timezone found", "tzmissing", "no price data")):
        return f"no data from Yahoo: the symbol may be wrong or delisted (Yahoo said: {_short(text)})"
    if text:
        return f"Yahoo error: {_short(text)}"
    return "no data: Yahoo returned no prices for this range"


def _short(text: str, limit: int = 200) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


class _Records(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@contextmanager
def _captured_yfinance_log():
    logger = logging.getLogger("yfinance")
    handler = _Records()
    propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def _errors_by_ticker(messages: list[str]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for message in messages:
        match = _LOGGED.match(message.strip())
        if not match:
            continue
        try:
            symbols = ast.literal_eval(match.group(1))
        except (ValueError, SyntaxError):
            continue
        for symbol in symbols:
            errors[str(symbol).upper()] = match.group(2)
    return errors


def _ticker_frame(frame: pd.DataFrame, symbol: str) -> pd.DataFrame | None:
    if frame is None or frame.empty or not isinstance(frame.columns, pd.MultiIndex):
        return None
    level = frame.columns.names.index("Ticker") if "Ticker" in frame.columns.names else 1
    if symbol not in frame.columns.get_level_values(level):
        return None
    return frame.xs(symbol, axis=1, level=level)


def normalize_download(frame: pd.DataFrame, symbol: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One ticker's bars and actions out of yf.download's (Price, Ticker) MultiIndex frame."""
    sub = _ticker_frame(frame, symbol)
    if sub is None:
        return pd.DataFrame(columns=BAR_FIELDS), pd.DataFrame(columns=ACTION_FIELDS)
    sub = sub.dropna(subset=["Close"]) if "Close" in sub.columns else sub.iloc[0:0]
    index = pd.DatetimeIndex(sub.index)
    if index.tz is not None:
        index = index.tz_localize(None)
    bars = pd.DataFrame({"date": index.normalize()})
    for source, target in _COLUMNS.items():
        bars[target] = sub[source].to_numpy() if source in sub.columns else float("nan")
    bars["adj_close"] = bars["adj_close"].fillna(bars["close"])
    bars = bars[bars["close"] > 0].reset_index(drop=True)
    events = []
    for source, kind in _ACTIONS.items():
        if source in sub.columns:
            values = sub[source]
            for when, value in values[values.fillna(0) > 0].items():
                events.append({"date": pd.Timestamp(when).tz_localize(None).normalize()
                               if pd.Timestamp(when).tzinfo else pd.Timestamp(when).normalize(),
                               "kind": kind, "value": float(value)})
    return bars, pd.DataFrame(events, columns=ACTION_FIELDS)


class YahooSource:
    """Downloads a universe in one ``yf.download`` batch, keeping both close and adj_close."""

    name = "yahoo"

    def __init__(self, session=None, timeout: int = 20, threads: bool = True):
        self.session = session
        self.timeout = timeout
        self.threads = threads

    def fetch(
        self, symbols: Sequence[str], start: date | None = None, end: date | None = None
    ) -> FetchResult:
        symbols = list(symbols)
        result = FetchResult()
        if not symbols:
            return result
        kwargs = dict(
            tickers=symbols,
            auto_adjust=False,
            actions=True,
            group_by="column",
            multi_level_index=True,
            progress=False,
            threads=self.threads,
            timeout=self.timeout,
        )
        if self.session is not None:
            kwargs["session"] = self.session
        if start is not None:
            kwargs["start"] = start.isoformat()
        else:
            kwargs["period"] = "max"
        if end is not None:
            kwargs["end"] = (end + timedelta(days=1)).isoformat()  # yfinance's end is exclusive
        with _download_lock, _captured_yfinance_log() as messages, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # yfinance's own pandas deprecation warnings
            # yfinance memoizes past date ranges per process; a long-running refresh worker must
            # re-read them to pick up Yahoo's revisions.
            YfData.cache_get.cache_clear()
            try:
                frame = yf.download(**kwargs)
            except Exception as exc:  # yfinance raises only on setup failures; name them all
                reason = explain_failure(f"{type(exc).__name__}: {exc}")
                result.errors = {symbol: reason for symbol in symbols}
                return result
        logged = _errors_by_ticker(messages)
        for symbol in symbols:
            bars, events = normalize_download(frame, symbol)
            if bars.empty:
                result.errors[symbol] = explain_failure(logged.get(symbol))
                continue
            result.bars[symbol] = bars
            result.actions[symbol] = events
        return result
