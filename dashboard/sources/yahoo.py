"""Yahoo Finance prices through yfinance (with ``events/earnings`` and ``events/news``, the only
modules that import yfinance).

yfinance reports most failures by logging and returning empty or all-NaN columns rather than
raising. We capture its log records during the call and turn every ticker that came back
without prices into a one-line reason (DNS, rate limit, no data) naming that ticker. When the
network itself failed, yfinance's per-ticker summaries sometimes say "possibly delisted" anyway:
every message about a ticker is read and the network wins, and the run says once that Yahoo
could not be reached.
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

from dashboard.bars import ACTION_FIELDS, BAR_FIELDS, bar_problems
from dashboard.sources import FetchResult

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
_FAILED_TICKER = re.compile(r"^Failed to get ticker '([^']+)' reason:\s*(.*)$", re.DOTALL)
_DNS = ("nameresolution", "failed to resolve", "dnserror", "could not resolve",
        "name or service not known", "getaddrinfo", "temporary failure in name")
_CONNECTION = ("connectionerror", "connection refused", "timed out", "timeout",
               "max retries exceeded", "connection aborted", "couldn't connect", "network is unreachable")
OFFLINE_HINT = ("offline, load prices with `minerdash import-csv FILE...` or the bundled demo "
                "data with `minerdash load-snapshot`")
_download_lock = threading.Lock()


def is_network_failure(message: str | None) -> bool:
    lowered = (message or "").lower()
    return any(key in lowered for key in (*_DNS, *_CONNECTION))


def explain_failure(message: str | None) -> str:
    """Map whatever yfinance said (or did not say) to a reason a user can act on."""
    text = message or ""
    lowered = text.lower()
    if "ratelimit" in lowered or "too many requests" in lowered or " 429" in lowered:
        return "rate limited by Yahoo (HTTP 429: too many requests); try again later"
    if any(key in lowered for key in _DNS):
        return "cannot reach Yahoo Finance: DNS lookup failed (is this machine offline?)"
    if any(key in lowered for key in _CONNECTION):
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
def captured_yfinance_log():
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


def _messages_by_ticker(messages: list[str]) -> dict[str, list[str]]:
    """Every message yfinance logged about each ticker (summaries and per-request failures)."""
    found: dict[str, list[str]] = {}
    for message in messages:
        text = message.strip()
        failed = _FAILED_TICKER.match(text)
        if failed:
            found.setdefault(failed.group(1).upper(), []).append(failed.group(2))
            continue
        match = _LOGGED.match(text)
        if not match:
            continue
        try:
            symbols = ast.literal_eval(match.group(1))
        except (ValueError, SyntaxError):
            continue
        for symbol in symbols:
            found.setdefault(str(symbol).upper(), []).append(match.group(2))
    return found


def _most_telling(messages: list[str]) -> str | None:
    """The message that explains a failure best: the network first, then a rate limit."""
    for test in (is_network_failure, lambda m: "429" in m or "rate limit" in m.lower()):
        for message in messages:
            if test(message):
                return message
    return messages[-1] if messages else None


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
        with _download_lock, captured_yfinance_log() as messages, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # yfinance's own pandas deprecation warnings
            # yfinance memoizes every range that ends in the past for the whole process, with no
            # public switch: a long-running process must ask Yahoo again to see its revisions.
            YfData.cache_get.cache_clear()
            try:
                frame = yf.download(**kwargs)
            except Exception as exc:  # yfinance raises only on setup failures; name them all
                reason = explain_failure(f"{type(exc).__name__}: {exc}")
                result.errors = {symbol: reason for symbol in symbols}
                if is_network_failure(reason):
                    result.unreachable = f"{reason}; {OFFLINE_HINT}"
                return result
        logged = _messages_by_ticker(messages)
        for symbol in symbols:
            bars, events = normalize_download(frame, symbol)
            if bars.empty:
                result.errors[symbol] = explain_failure(_most_telling(logged.get(symbol, [])))
                continue
            problems = bar_problems(bars, symbol)
            if problems:
                position, problem = problems[0]
                result.errors[symbol] = (f"Yahoo sent implausible data, nothing stored: "
                                         f"{bars['date'].iloc[position]:%Y-%m-%d}: {problem}")
                continue
            result.bars[symbol] = bars
            result.actions[symbol] = events
        if not result.bars and result.errors:
            network = [r for r in result.errors.values() if r.startswith("cannot reach Yahoo")]
            if network and len(network) == len(result.errors):
                result.unreachable = f"{network[0]}; {OFFLINE_HINT}"
        return result
