"""SEC EDGAR filings: 8-K (with its items in words), 10-Q, 10-K, and 6-K/40-F/20-F of foreign filers.

Plain ``requests`` against three documented endpoints: the ticker → CIK file, each company's
submissions JSON (``filings.recent`` parallel arrays, older pages in ``filings.files``), and a
filing's header. The SEC asks every client to name a contact in its User-Agent and to stay under
10 requests a second: the contact comes from ``MINERDASH_SEC_USER_AGENT`` (without it the source
is skipped with a line saying how to set it), and requests are spaced to 8 a second.

The time zone of ``acceptanceDateTime``: the submissions JSON writes it with a trailing ``Z``, but
for some filers the clock is New York time with a ``Z`` appended and for others real UTC (e.g.
0001829126-25-010296, accepted 19:06:26 New York time, reads "19:06:26Z"; 0001104659-25-123289,
accepted 17:14:45, reads "22:14:45Z"). Nothing in the string tells which, and the difference
decides the session. The filing's SGML header says ``<ACCEPTANCE-DATETIME>`` in New York time,
always: each new filing's time is read there. A filing whose header could not be read yet keeps
only its filing date (and is read again on the next refresh).
"""

import re
import threading
import time
from datetime import date, datetime

import requests

from dashboard.calendars import NEW_YORK
from dashboard.events.sources import EventFetch, record, slug

TICKERS_URL = "https://www.sec.gov/files/company_tickers.json"
SUBMISSIONS_URL = "https://data.sec.gov/submissions/{name}"
HEADER_URL = "https://www.sec.gov/Archives/edgar/data/{cik}/{folder}/{accession}-index-headers.html"
DOCUMENT_URL = "https://www.sec.gov/Archives/edgar/data/{cik}/{folder}/{document}"
USER_AGENT_HELP = ("skipped: set MINERDASH_SEC_USER_AGENT to your name and e-mail, e.g. "
                   "'Jane Analyst jane@example.com' (the SEC asks every client to name a contact)")
FORMS = {"8-K": "current report", "8-K/A": "amended current report", "10-Q": "quarterly report",
         "10-Q/A": "amended quarterly report", "10-K": "annual report", "10-K/A": "amended annual report",
         "6-K": "report of a foreign issuer", "40-F": "annual report (Canadian issuer)",
         "20-F": "annual report (foreign issuer)"}
ITEMS = {
    "1.01": "material agreement", "1.02": "agreement ended", "1.03": "bankruptcy",
    "1.05": "cybersecurity incident", "2.01": "acquisition or disposal of assets",
    "2.02": "results of operations", "2.03": "new financial obligation", "2.05": "exit costs",
    "2.06": "impairment", "3.01": "listing notice", "3.02": "unregistered sale of equity",
    "3.03": "rights of holders modified", "4.01": "auditor changed", "4.02": "restatement",
    "5.01": "change of control", "5.02": "officers or directors", "5.03": "charter or bylaws amended",
    "5.07": "shareholder vote", "7.01": "Regulation FD disclosure", "8.01": "other events",
    "9.01": "financial statements and exhibits",
}
_HEADER_TIME = re.compile(r"ACCEPTANCE-DATETIME(?:>|&gt;)\s*(\d{14})")
HEADER_CHECKS_PER_TICKER = 40  # the rest are read on later refreshes (8 a second, politely)


class RateLimiter:
    """At most ``rate`` calls a second across threads."""

    def __init__(self, rate: float = 8.0, clock=time.monotonic, sleep=time.sleep):
        self.interval, self.clock, self.sleep = 1.0 / rate, clock, sleep
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        with self._lock:
            now = self.clock()
            if now < self._next:
                self.sleep(self._next - now)
                now = self._next
            self._next = now + self.interval


class SecError(Exception):
    """One request to EDGAR failed: the reason, in words."""


def items_in_words(items: str) -> list[str]:
    words = []
    for item in [i.strip() for i in str(items or "").split(",") if i.strip()]:
        words.append(f"{ITEMS.get(item, 'item')} ({item})")
    return words


def parse_header_time(text: str) -> datetime | None:
    """The SGML header's acceptance time (always New York time), as an aware datetime."""
    match = _HEADER_TIME.search(text)
    if not match:
        return None
    return datetime.strptime(match.group(1), "%Y%m%d%H%M%S").replace(tzinfo=NEW_YORK)


def parse_company_tickers(body) -> dict[str, tuple[int, str]]:
    """EDGAR's company_tickers.json → ticker → (CIK, company name)."""
    if not isinstance(body, dict):
        raise SecError("the company tickers file is not a JSON object")
    mapping = {}
    for entry in body.values():
        if isinstance(entry, dict) and entry.get("ticker") and str(entry.get("cik_str", "")).isdigit():
            mapping[str(entry["ticker"]).upper()] = (int(entry["cik_str"]), str(entry.get("title") or ""))
    if not mapping:
        raise SecError("the company tickers file holds no tickers")
    return mapping


def filing_rows(block: dict) -> list[dict]:
    """The parallel arrays of ``filings.recent`` (or an older page) as one dict per filing."""
    keys = ("accessionNumber", "filingDate", "acceptanceDateTime", "form", "items", "primaryDocument",
            "reportDate")
    columns = {k: block.get(k) or [] for k in keys}
    count = len(columns["accessionNumber"])
    if any(len(v) not in (0, count) for v in columns.values()):
        raise SecError("the submissions arrays differ in length")
    return [{k: (columns[k][i] if columns[k] else "") for k in keys} for i in range(count)]


class SecSource:
    name = "sec"
    origins = ("sec",)

    def __init__(self, user_agent: str | None, ciks: dict[str, int], verified: set[str] = frozenset(),
                 session: requests.Session | None = None, limiter: RateLimiter | None = None):
        self.user_agent = user_agent
        self.ciks = ciks
        self.verified = verified  # ids whose acceptance time was read from the header already
        self.session = session or requests.Session()
        self.limiter = limiter or RateLimiter()

    def get(self, url: str, json: bool = True):
        self.limiter.wait()
        try:
            response = self.session.get(url, headers={"User-Agent": self.user_agent,
                                                      "Accept-Encoding": "gzip, deflate"}, timeout=20)
        except requests.ConnectionError as exc:
            raise SecError(f"cannot reach the SEC's EDGAR ({type(exc).__name__}: {str(exc)[:160]})") from None
        except requests.RequestException as exc:
            raise SecError(f"EDGAR request failed ({type(exc).__name__}: {str(exc)[:160]})") from None
        if response.status_code == 403:
            raise SecError("the SEC refused the request (HTTP 403): MINERDASH_SEC_USER_AGENT must name "
                           "you and an e-mail, and requests must stay under 10 a second")
        if response.status_code == 404:
            raise SecError(f"EDGAR has no such document (HTTP 404: {url})")
        if response.status_code != 200:
            raise SecError(f"EDGAR answered HTTP {response.status_code} for {url}")
        if not json:
            return response.text
        try:
            return response.json()
        except ValueError:
            raise SecError(f"EDGAR sent something that is not JSON for {url}") from None

    def company_tickers(self) -> dict[str, tuple[int, str]]:
        return parse_company_tickers(self.get(TICKERS_URL))

    def fetch(self, tickers: list[str], since: date | None) -> EventFetch:
        result = EventFetch()
        if not self.user_agent:
            result.skipped = USER_AGENT_HELP
            return result
        for ticker in tickers:
            cik = self.ciks.get(ticker)
            if cik is None:
                result.errors[ticker] = f"no SEC CIK for {ticker} in EDGAR's company tickers file"
                continue
            try:
                result.records.extend(self._ticker_records(ticker, cik, since))
            except SecError as exc:
                result.errors[ticker] = str(exc)
        unreachable = [e for e in result.errors.values() if e.startswith("cannot reach")]
        if tickers and len(unreachable) == len(tickers):
            result.unreachable = f"{unreachable[0]}; the stored filings are kept"
        return result

    def _ticker_records(self, ticker: str, cik: int, since: date | None) -> list[dict]:
        body = self.get(SUBMISSIONS_URL.format(name=f"CIK{cik:010d}.json"))
        filings = body.get("filings") if isinstance(body, dict) else None
        if not isinstance(filings, dict):
            raise SecError(f"EDGAR's submissions for CIK {cik} have no filings")
        rows = filing_rows(filings.get("recent") or {})
        for page in filings.get("files") or []:
            if since is not None and str(page.get("filingTo", "9999")) < since.isoformat():
                continue
            rows += filing_rows(self.get(SUBMISSIONS_URL.format(name=page["name"])))
        records, checks = [], 0
        for row in sorted(rows, key=lambda r: r["filingDate"], reverse=True):
            form = str(row["form"])
            if form not in FORMS:
                continue
            filed = date.fromisoformat(str(row["filingDate"])[:10])
            if since is not None and filed < since:
                continue
            accession = str(row["accessionNumber"])
            event_id = f"{slug(ticker)}-{slug(form).replace('-', '')}-{accession}"
            if event_id in self.verified:
                continue
            accepted = None
            if checks < HEADER_CHECKS_PER_TICKER:
                checks += 1
                try:
                    accepted = parse_header_time(self.get(HEADER_URL.format(
                        cik=cik, folder=accession.replace("-", ""), accession=accession), json=False))
                except SecError as exc:
                    if exc.args[0].startswith(("cannot reach", "the SEC refused")):
                        raise
            records.append(self._record(ticker, cik, row, form, filed, accession, event_id, accepted))
        return records

    def _record(self, ticker, cik, row, form, filed, accession, event_id, accepted) -> dict:
        words = items_in_words(row["items"]) if form.startswith("8-K") else []
        title = f"{ticker} {form}: " + (", ".join(words) if words else FORMS[form])
        if row.get("reportDate") and not form.startswith(("8-K", "6-K")):
            title += f" for {row['reportDate']}"
        url = DOCUMENT_URL.format(cik=cik, folder=accession.replace("-", ""),
                                  document=row["primaryDocument"]) if row["primaryDocument"] else None
        details = {"form": form, "items": row["items"], "accession": accession, "filing_date": filed.isoformat(),
                   "acceptance_json": row["acceptanceDateTime"],
                   "acceptance_source": "sgml-header" if accepted else "filing-date"}
        return record("sec", event_id, ticker, accepted or filed, title, url, "filing", details)
