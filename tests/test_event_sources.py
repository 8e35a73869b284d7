"""Company-event sources replayed through the real code paths: yfinance's earnings and news parsing,
our EDGAR client; their refresh into the store; bad answers and an offline machine."""

import json
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import requests
import responses
import yfinance as yf

from dashboard.config import Settings
from dashboard.events.refresh import refresh_events
from dashboard.events.sources.earnings import EarningsSource
from dashboard.events.sources.news import NewsSource
from dashboard.events.sources.sec import (
    HEADER_URL,
    SUBMISSIONS_URL,
    TICKERS_URL,
    RateLimiter,
    SecSource,
)
from dashboard.exports import to_csv_text
from tests.conftest import HANDBUILT
from tests.yahoo_replay import session, yahoo_replay, yahoo_unreachable

NY = ZoneInfo("America/New_York")
AGENT = "Jane Analyst jane@example.com"


@pytest.fixture(autouse=True)
def _private_yfinance_cache(tmp_path_factory):
    yf.set_tz_cache_location(str(tmp_path_factory.mktemp("yf-cache")))


def handbuilt(name: str) -> str:
    return (HANDBUILT / name).read_text()


def test_earnings_dates_keep_the_hour_that_decides_the_session():
    with yahoo_replay() as replay:
        replay.serve_page("earnings", "RIOT", handbuilt("yahoo-earnings-RIOT.html"))
        fetched = EarningsSource(session()).fetch(["RIOT"], None)
    assert fetched.errors == {}
    by_id = {r["id"]: r for r in fetched.records}
    q2 = by_id["riot-earnings-2025-07-31"]
    assert q2["published"] == "2025-07-31T16:00:00-04:00" and q2["session"] == date(2025, 8, 1)  # after the close
    assert q2["details"] == {"eps_estimate": -0.19, "reported_eps": 0.32, "surprise_pct": 268.42, "time_known": True}
    assert q2["title"] == "RIOT earnings: EPS 0.32 vs -0.19 expected (+268.4%)"
    assert q2["category"] == q2["origin"] == "earnings" and q2["tickers"] == ("RIOT",)
    before_open = by_id["riot-earnings-2025-04-30"]
    assert before_open["session"] == date(2025, 4, 30)  # 8 AM: the same day's session
    upcoming = by_id["riot-earnings-2026-02-26"]
    assert upcoming["published"] == "2026-02-26" and upcoming["details"]["time_known"] is False
    assert upcoming["title"] == "RIOT earnings expected (EPS estimate -0.12)"
    since = EarningsSource(session())
    with yahoo_replay() as replay:
        replay.serve_page("earnings", "RIOT", handbuilt("yahoo-earnings-RIOT.html"))
        recent = since.fetch(["RIOT"], date(2025, 8, 1))
    assert sorted(r["id"] for r in recent.records) == ["riot-earnings-2025-10-30", "riot-earnings-2026-02-26"]


@pytest.mark.parametrize("page,expected", [
    ((200, "<html><body>No table here</body></html>"), "no data from Yahoo"),
    ((429, "Too Many Requests"), "Yahoo"),
])
def test_earnings_without_a_table_are_a_clear_error(page, expected):
    with yahoo_replay() as replay:
        replay.serve_page("earnings", "RIOT", page)
        fetched = EarningsSource(session()).fetch(["RIOT"], None)
    assert fetched.records == [] and expected.lower() in fetched.errors["RIOT"].lower()


def test_news_and_press_releases_are_text_and_links_are_checked():
    with yahoo_replay() as replay:
        replay.serve_page("pressRelease", "RIOT", handbuilt("yahoo-news-RIOT-press.json"))
        replay.serve_page("latestNews", "RIOT", handbuilt("yahoo-news-RIOT-news.json"))
        fetched = NewsSource(session()).fetch(["RIOT"], None)
    assert fetched.errors == {}
    press = [r for r in fetched.records if r["origin"] == "press"]
    news = [r for r in fetched.records if r["origin"] == "news"]
    assert len(press) == 2 and len(news) == 2  # the ad and the item without a title are left out
    results = press[0]
    assert results["title"] == "Riot Platforms Reports <b>Second Quarter</b> 2025 Results"  # kept as text
    assert results["published"] == "2025-07-31T20:05:00+00:00" and results["session"] == date(2025, 8, 1)
    assert re.fullmatch(r"riot-press-2025-07-31-[0-9a-f]{10}", results["id"])
    assert results["details"]["publisher"] == "GlobeNewswire"
    hostile = press[1]
    assert hostile["url"] is None  # javascript: is no link
    assert "'=HYPERLINK" in to_csv_text(__import__("pandas").DataFrame([{"title": hostile["title"]}]))
    flat = next(r for r in news if r["details"]["yahoo_id"] == "old-1")
    assert flat["published"] == "2025-07-29T09:30:00+00:00" and flat["session"] == date(2025, 7, 29)


def test_news_that_is_not_json_is_an_error_not_a_crash():
    with yahoo_replay() as replay:
        replay.serve_page("pressRelease", "RIOT", "<html>oops</html>")
        replay.serve_page("latestNews", "RIOT", "<html>oops</html>")
        fetched = NewsSource(session()).fetch(["RIOT"], None)
    assert fetched.records == [] and fetched.errors["RIOT"]


@pytest.fixture
def edgar():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add(responses.GET, TICKERS_URL, body=handbuilt("sec-company-tickers.json"))
        for name, cik in (("MARA", 1507605), ("INDP", 1932843), ("VMAR", 1813783)):
            mock.add(responses.GET, SUBMISSIONS_URL.format(name=f"CIK{cik:010d}.json"),
                     body=handbuilt(f"sec-submissions-{name}.json"))
        for path in HANDBUILT.glob("sec-header-*.html"):
            accession = path.stem.removeprefix("sec-header-")
            cik = {"0001507605": 1507605, "0001829126": 1932843, "0001104659": 1813783}[accession[:10]]
            mock.add(responses.GET, HEADER_URL.format(cik=cik, folder=accession.replace("-", ""),
                                                      accession=accession), body=path.read_text())
        mock.add(responses.GET, re.compile(r"https://www\.sec\.gov/Archives/.*"), status=404, body="Not Found")
        yield mock


def sec_source(**kwargs) -> SecSource:
    source = SecSource(AGENT, {}, limiter=RateLimiter(1000), **kwargs)
    source.ciks = {t: c for t, (c, _n) in source.company_tickers().items()}
    return source


def test_edgar_acceptance_times_come_from_the_header_in_new_york_time(edgar):
    """The submissions JSON writes a 'Z' whether its clock is UTC or New York: the header decides."""
    fetched = sec_source().fetch(["INDP", "VMAR"], date(2025, 12, 1))
    by_ticker = {r["tickers"][0]: r for r in fetched.records}
    indp, vmar = by_ticker["INDP"], by_ticker["VMAR"]
    assert indp["details"]["acceptance_json"] == "2025-12-23T19:06:26.000Z"  # New York clock with a 'Z'
    assert indp["published"] == "2025-12-23T19:06:26-05:00" and indp["session"] == date(2025, 12, 24)
    naive = datetime.fromisoformat("2025-12-23T19:06:26+00:00").astimezone(NY)
    assert naive.hour == 14  # read as UTC it would fall inside the 2025-12-23 session: wrong
    assert vmar["details"]["acceptance_json"] == "2025-12-19T22:14:45.000Z"  # real UTC
    assert vmar["published"] == "2025-12-19T17:14:45-05:00" and vmar["session"] == date(2025, 12, 22)
    assert vmar["title"] == "VMAR 6-K: report of a foreign issuer" and vmar["category"] == "filing"
    assert {r["details"]["acceptance_source"] for r in fetched.records} == {"sgml-header"}


def test_edgar_filings_of_a_company(edgar):
    fetched = sec_source().fetch(["MARA"], date(2025, 1, 1))
    ids = [r["id"] for r in fetched.records]
    assert ids == ["mara-10q-0001507605-25-000123", "mara-8k-0001507605-25-000122", "mara-8k-0001507605-25-000099"]
    results = fetched.records[1]
    assert results["title"] == ("MARA 8-K: results of operations (2.02), financial statements and exhibits (9.01)")
    assert results["published"] == "2025-07-29T16:10:03-04:00" and results["session"] == date(2025, 7, 30)
    assert results["url"] == "https://www.sec.gov/Archives/edgar/data/1507605/000150760525000122/mara-8k-20250729.htm"
    quarterly = fetched.records[0]
    assert quarterly["title"] == "MARA 10-Q: quarterly report for 2025-06-30"
    header_less = fetched.records[2]  # no header served: the filing date alone, read again next time
    assert header_less["published"] == "2025-05-08" and header_less["details"]["acceptance_source"] == "filing-date"
    again = sec_source(verified={"mara-10q-0001507605-25-000123", "mara-8k-0001507605-25-000122"})
    assert [r["id"] for r in again.fetch(["MARA"], date(2025, 1, 1)).records] == ["mara-8k-0001507605-25-000099"]


def test_edgar_without_a_contact_is_skipped_in_one_line():
    fetched = SecSource(None, {"MARA": 1507605}).fetch(["MARA"], None)
    assert fetched.records == [] and fetched.skipped.startswith("skipped: set MINERDASH_SEC_USER_AGENT")


def test_edgar_refusals_unknown_ciks_and_garbage_are_named(edgar):
    source = sec_source()
    fetched = source.fetch(["NOPE"], None)
    assert fetched.errors["NOPE"] == "no SEC CIK for NOPE in EDGAR's company tickers file"
    edgar.replace(responses.GET, SUBMISSIONS_URL.format(name="CIK0001507605.json"), status=403, body="Forbidden")
    assert "the SEC refused the request (HTTP 403)" in source.fetch(["MARA"], None).errors["MARA"]
    edgar.replace(responses.GET, SUBMISSIONS_URL.format(name="CIK0001507605.json"), body="{not json")
    assert "not JSON" in source.fetch(["MARA"], None).errors["MARA"]
    edgar.replace(responses.GET, SUBMISSIONS_URL.format(name="CIK0001507605.json"),
                  body=json.dumps({"filings": {"recent": {"accessionNumber": ["a", "b"], "form": ["8-K"]}}}))
    assert "differ in length" in source.fetch(["MARA"], None).errors["MARA"]


def test_requests_are_spaced_to_respect_the_sec_rate():
    now, sleeps = [0.0], []

    def sleep(seconds):
        sleeps.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(8, clock=lambda: now[0], sleep=sleep)
    for _ in range(5):
        limiter.wait()
    assert sleeps == pytest.approx([0.125] * 4)


def test_refresh_stores_events_records_sources_and_adds_nothing_twice(store, tmp_path):
    settings = Settings(database_url=store.url, data_dir=tmp_path, sec_user_agent=None)
    with yahoo_replay() as replay:
        replay.serve_page("earnings", "RIOT", handbuilt("yahoo-earnings-RIOT.html"))
        replay.serve_page("pressRelease", "RIOT", handbuilt("yahoo-news-RIOT-press.json"))
        replay.serve_page("latestNews", "RIOT", handbuilt("yahoo-news-RIOT-news.json"))
        sources = [EarningsSource(session()), SecSource(None, {}), NewsSource(session())]
        first = refresh_events(store, settings, ["RIOT"], sources=sources)
        second = refresh_events(store, settings, ["RIOT"], sources=sources)
    assert [(s.name, s.added) for s in first.sources] == [("earnings", 4), ("sec", 0), ("news", 4)]
    assert [s.added + s.changed for s in second.sources] == [0, 0, 0] and not second.failed
    assert first.notes() == ["sec: skipped: set MINERDASH_SEC_USER_AGENT to your name and e-mail, e.g. "
                             "'Jane Analyst jane@example.com' (the SEC asks every client to name a contact)"]
    state = store.event_source_status()
    assert set(zip(state["origin"], state["ticker"], strict=True)) == {("earnings", "RIOT"), ("press", "RIOT"),
                                                                       ("news", "RIOT")}
    assert state["last_error"].isna().all()


def test_offline_each_source_says_so_once_and_keeps_what_is_stored(store, tmp_path):
    settings = Settings(database_url=store.url, data_dir=tmp_path)
    store.write_events([{"origin": "earnings", "id": "riot-earnings-2025-07-31", "tickers": ("RIOT",),
                         "published": "2025-07-31", "session": date(2025, 7, 31), "title": "RIOT earnings",
                         "url": None, "category": "earnings", "details": {}}])
    failure = requests.exceptions.ConnectionError(
        "HTTPSConnectionPool(host='finance.yahoo.com', port=443): Max retries exceeded (Caused by "
        "NameResolutionError(\"Failed to resolve 'finance.yahoo.com'\"))")
    with yahoo_unreachable(failure):
        sources = [EarningsSource(session()), SecSource(AGENT, {"RIOT": 1167419}, limiter=RateLimiter(1000)),
                   NewsSource(session())]
        outcome = refresh_events(store, settings, ["RIOT"], sources=sources)
    assert outcome.failed
    failures = outcome.failures()
    assert len(failures) == 3 and all("cannot reach" in line for line in failures)
    assert not any("delisted" in line or "wrong" in line for line in failures)
    assert [r["id"] for r in store.read_events()] == ["riot-earnings-2025-07-31"]
    assert store.event_source_status().set_index("origin").loc["earnings", "last_error"].startswith("cannot reach")


def test_a_refresh_that_cannot_read_the_hour_keeps_the_stored_one(store, edgar):
    """The header answered the first time and not the second: the acceptance time (which puts the
    filing after the close, so into the next session) must survive."""
    first = sec_source().fetch(["MARA"], date(2025, 1, 1)).records
    assert store.write_events(first) == (3, 0)
    edgar.reset()  # the same filings; every header request now fails
    edgar.add(responses.GET, TICKERS_URL, body=handbuilt("sec-company-tickers.json"))
    edgar.add(responses.GET, SUBMISSIONS_URL.format(name="CIK0001507605.json"), body=handbuilt("sec-submissions-MARA.json"))
    edgar.add(responses.GET, re.compile(r"https://www\.sec\.gov/Archives/.*"), status=503, body="busy")
    again = sec_source().fetch(["MARA"], date(2025, 1, 1)).records
    results = next(r for r in again if r["id"] == "mara-8k-0001507605-25-000122")
    assert results["published"] == "2025-07-29" and results["details"]["acceptance_source"] == "filing-date"
    assert store.write_events(again) == (0, 0)
    kept = next(r for r in store.read_events(["sec"]) if r["id"] == "mara-8k-0001507605-25-000122")
    assert kept["published"] == "2025-07-29T16:10:03-04:00" and kept["session"] == date(2025, 7, 30)
