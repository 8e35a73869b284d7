"""Serving recorded (or CSV-built) Yahoo chart-API bodies to yfinance's real code path."""

import json
import re
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

import pandas as pd
import requests
import responses

CHART = re.compile(r"https://query\d\.finance\.yahoo\.com/v8/finance/chart/([^?/]+)")
EARNINGS = re.compile(r"https://finance\.yahoo\.com/calendar/earnings\?symbol=([^&]+)")
NEWS = re.compile(r"https://finance\.yahoo\.com/xhr/ncp\?queryRef=(\w+)&serviceKey=ncp_fin")


def chart_from_csv(path: Path, symbol: str, tz: str = "America/New_York") -> dict:
    """A chart-API body with the CSV's rows, stamped at the 09:30 open as Yahoo does for equities."""
    frame = pd.read_csv(path)
    zone = ZoneInfo(tz)
    stamps = [int(datetime.fromisoformat(f"{d}T09:30:00").replace(tzinfo=zone).timestamp())
              for d in frame["Date"]]

    def column(name):
        return [None if pd.isna(v) else float(v) for v in frame[name]] if name in frame else None

    quote = {k.lower(): column(k) for k in ("Open", "High", "Low", "Close", "Volume")}
    return {
        "chart": {
            "result": [{
                "meta": {"currency": "USD", "symbol": symbol, "exchangeName": "NMS",
                         "instrumentType": "EQUITY", "gmtoffset": -14400, "timezone": "EDT",
                         "exchangeTimezoneName": tz, "priceHint": 2, "dataGranularity": "1d"},
                "timestamp": stamps,
                "indicators": {"quote": [quote], "adjclose": [{"adjclose": column("Close")}]},
            }],
            "error": None,
        }
    }


def _window(body: dict, period1: int | None, period2: int | None) -> dict:
    result = body["chart"]["result"][0]
    stamps = result["timestamp"]
    keep = [i for i, t in enumerate(stamps)
            if (period1 is None or t >= period1) and (period2 is None or t < period2)]
    sliced = json.loads(json.dumps(body))
    part = sliced["chart"]["result"][0]
    part["timestamp"] = [stamps[i] for i in keep]
    quote = part["indicators"]["quote"][0]
    for key, values in quote.items():
        quote[key] = [values[i] for i in keep]
    for adj in part["indicators"].get("adjclose", []):
        adj["adjclose"] = [adj["adjclose"][i] for i in keep]
    return sliced


class Replay:
    """Register per-symbol bodies (dicts), exceptions, or (status, text) pairs; record requests."""

    def __init__(self, mock: responses.RequestsMock):
        self.mock = mock
        self.routes: dict[str, object] = {}
        self.pages: dict[tuple[str, str], object] = {}  # (kind, symbol) → body, or (status, text)
        self.requests: list[tuple[str, dict]] = []

    def serve_page(self, kind: str, symbol: str, what) -> None:
        """kind: 'earnings' (HTML), 'pressRelease' or 'latestNews' (JSON text)."""
        self.pages[(kind, symbol)] = what

    def _page(self, kind: str, symbol: str):
        self.requests.append((symbol, {"page": kind}))
        what = self.pages.get((kind, symbol))
        if isinstance(what, Exception):
            raise what
        if isinstance(what, tuple):
            return what[0], {}, what[1]
        if what is None:
            return 404, {}, "<html>Not found</html>"
        return 200, {}, what

    def _earnings(self, request):
        return self._page("earnings", EARNINGS.match(request.url).group(1))

    def _news(self, request):
        symbol = json.loads(request.body)["serviceConfig"]["s"][0]
        return self._page(NEWS.match(request.url).group(1), symbol)

    def serve(self, symbol: str, what) -> None:
        self.routes[symbol] = what

    def _chart(self, request):
        symbol = CHART.match(request.url).group(1)
        query = {k: v[0] for k, v in parse_qs(urlparse(request.url).query).items()}
        self.requests.append((symbol, query))
        what = self.routes.get(symbol)
        if isinstance(what, Exception):
            raise what
        if isinstance(what, tuple):
            return what[0], {}, what[1]
        if what is None:
            body = {"chart": {"result": None, "error": {"code": "Not Found",
                                                         "description": "No data found, symbol may be delisted"}}}
            return 404, {}, json.dumps(body)
        if "period1" in query:
            what = _window(what, int(query["period1"]), int(query.get("period2", 2**40)))
        return 200, {}, json.dumps(what)


@contextmanager
def yahoo_replay():
    """Yahoo as yfinance sees it, served from memory: cookie, crumb and chart endpoints."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        replay = Replay(mock)
        mock.add(responses.GET, re.compile(r"https://fc\.yahoo\.com/?.*"), body="", status=200)
        mock.add(responses.GET, re.compile(r"https://query\d\.finance\.yahoo\.com/v1/test/getcrumb.*"),
                 body="replay-crumb", status=200)
        mock.add(responses.GET, re.compile(r"https://guce\.yahoo\.com/.*"), body="", status=200)
        mock.add_callback(responses.GET, CHART, callback=replay._chart)
        mock.add_callback(responses.GET, EARNINGS, callback=replay._earnings)
        mock.add_callback(responses.POST, NEWS, callback=replay._news)
        yield replay


@contextmanager
def yahoo_unreachable(error: Exception):
    """Every Yahoo host fails the same way, as when DNS or the network is down."""
    def fail(request):
        raise error

    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add_callback(responses.GET, re.compile(r"https?://.*"), callback=fail)
        mock.add_callback(responses.POST, re.compile(r"https?://.*"), callback=fail)
        yield mock


def recorded(directory: Path, name: str) -> dict:
    return json.loads((directory / name).read_text())


def session() -> requests.Session:
    return requests.Session()
