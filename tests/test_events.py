"""Event files, validation, the curated catalogue, and alignment to the first reacting session."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from click.testing import CliRunner

from dashboard.cli import cli
from dashboard.errors import InputError
from dashboard.events.align import event_session
from dashboard.events.collect import events_from_actions
from dashboard.events.files import KNOWN_TICKERS, load_events, parse_file, parse_published

NY = ZoneInfo("America/New_York")
UTC = ZoneInfo("UTC")


@pytest.mark.parametrize(
    "published,session",
    [
        (datetime(2025, 7, 28, 21, 53, tzinfo=NY), "2025-07-29"),  # after the close
        (datetime(2025, 7, 29, 6, 0, tzinfo=NY), "2025-07-29"),  # pre-market
        (datetime(2025, 7, 29, 9, 30, tzinfo=NY), "2025-07-29"),  # exactly at the open
        (datetime(2025, 7, 29, 15, 59, 59, tzinfo=NY), "2025-07-29"),  # a second before the close
        (datetime(2025, 7, 29, 16, 0, tzinfo=NY), "2025-07-30"),  # exactly at the close
        (datetime(2025, 7, 29, 3, 30, tzinfo=UTC), "2025-07-29"),  # UTC next day = NY 23:30 on 07-28
        (datetime(2025, 7, 29, 19, 59, tzinfo=UTC), "2025-07-29"),  # 15:59 in New York (EDT)
        (datetime(2025, 1, 15, 21, 0, tzinfo=UTC), "2025-01-16"),  # 16:00 EST in winter
        (datetime(2024, 4, 20, 0, 9, tzinfo=UTC), "2024-04-22"),  # Friday evening in NY → Monday
        (datetime(2025, 7, 26, 12, 0, tzinfo=NY), "2025-07-28"),  # Saturday
        (datetime(2025, 7, 4, 10, 0, tzinfo=NY), "2025-07-07"),  # Independence Day (Friday)
        (datetime(2024, 12, 24, 12, 59, tzinfo=NY), "2024-12-24"),  # before a 13:00 early close
        (datetime(2024, 12, 24, 13, 0, tzinfo=NY), "2024-12-26"),  # at the early close; 25th is a holiday
        (datetime(2025, 11, 28, 14, 0, tzinfo=NY), "2025-12-01"),  # after Black Friday's early close
        (datetime(2025, 7, 28, 21, 53), "2025-07-29"),  # no offset means New York time
        (date(2025, 7, 29), "2025-07-29"),  # a date that is a session
        (date(2025, 7, 27), "2025-07-28"),  # Sunday
        (date(2025, 1, 9), "2025-01-10"),  # national day of mourning for President Carter (closed)
        (date(2025, 12, 25), "2025-12-26"),  # Christmas
    ],
)
def test_event_session(published, session):
    assert event_session(published).isoformat() == session


CURATED_SESSIONS = {
    "bitmain-us-factory": "2025-07-29",
    "sophgo-entity-list": "2025-01-15",
    "btc-halving-2024": "2024-04-22",
    "spot-btc-etf-approval": "2024-01-11",
    "hut8-usbtc-merger": "2023-11-30",
    "abtc-nasdaq-debut": "2025-09-03",
    "china-mining-crackdown": "2021-05-21",
    "china-crypto-ban": "2021-09-24",
    "us-election-2024": "2024-11-06",
    "strategic-bitcoin-reserve": "2025-03-07",
    "liberation-day-tariffs": "2025-04-03",
}


def test_curated_catalogue_loads_and_aligns():
    events = {e.id: e for e in load_events(known=KNOWN_TICKERS)}
    assert {k: v.session.isoformat() for k, v in events.items()} == CURATED_SESSIONS
    bitmain = events["bitmain-us-factory"]
    assert bitmain.tickers == ("MARA", "RIOT", "CLSK", "HUT")
    assert bitmain.published == datetime(2025, 7, 28, 21, 53, tzinfo=bitmain.published.tzinfo)
    assert bitmain.published.utcoffset().total_seconds() == -4 * 3600
    assert bitmain.source.startswith("https://www.bloomberg.com/news/articles/2025-07-29/")
    assert events["abtc-nasdaq-debut"].tickers == ("HUT", "ABTC")
    for event in events.values():
        assert event.title and event.summary and event.source.startswith("https://")


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_check_lists_every_problem_with_its_entry(tmp_path):
    path = write(tmp_path, "mine.yaml", """
- id: good-one
  title: Fine
  published: 2025-07-29
  category: company
- id: Bad_Id
  title: Bad id
  published: 2025-07-29
  category: company
- id: no-title
  published: 2025-07-29
  category: company
- id: bad-date
  title: Impossible date
  published: 2025-02-30
  category: company
- id: too-old
  title: Before 1990
  published: 1989-12-31
  category: company
- id: too-new
  title: Far ahead
  published: 2099-01-01
  category: company
- id: bad-category
  title: Category
  published: 2025-07-29
  category: gossip
- id: bad-source
  title: Source
  published: 2025-07-29
  category: company
  source: javascript:alert(1)
- id: bad-ticker
  title: Ticker
  published: 2025-07-29
  category: company
  tickers: [NOTREAL]
- id: good-one
  title: Again
  published: 2025-07-29
  category: company
- title: no id at all
  published: 2025-07-29
  category: company
""")
    parsed = parse_file(path, known=KNOWN_TICKERS)
    text = "\n".join(str(p) for p in parsed.problems)
    for expected in [
        "line 6 (id Bad_Id): id 'Bad_Id' must be lower-case",
        "(id no-title): missing title",
        "(id bad-date): published '2025-02-30' is not a valid ISO 8601",
        "(id too-old): published 1989-12-31 is before 1990",
        "(id too-new): published 2099-01-01 is more than a year ahead",
        "(id bad-category): unknown category 'gossip': use one of company, industry, policy, macro, "
        "bitcoin, market, earnings, filing, press, news",
        "(id bad-source): source 'javascript:alert(1)' is not an http(s) URL",
        "(id bad-ticker): unknown ticker NOTREAL",
        "(id good-one): duplicate id good-one (first at line 2)",
        "line 43: missing id",
    ]:
        assert expected in text
    assert len(parsed.events) == 1
    result = CliRunner().invoke(cli, ["--db", f"sqlite:///{tmp_path / 'db.sqlite'}", "events",
                                      "check", str(path)])
    assert result.exit_code == 1
    assert "10 problem(s)" in result.stderr


def test_malformed_yaml_names_the_line(tmp_path):
    path = write(tmp_path, "broken.yaml", "- id: a\n  title: [unclosed\n")
    with pytest.raises(InputError, match=r"broken.yaml: line \d+: malformed YAML"):
        parse_file(path)


def test_user_csv_events_join_and_duplicates_name_both_files(tmp_path):
    mine = write(tmp_path, "mine.csv",
                 "id,title,published,tickers,category,source,summary\n"
                 "mara-earnings,MARA Q2 results,2025-07-29T16:05:00-04:00,MARA;RIOT,company,https://ir.mara.com,\n")
    events = {e.id: e for e in load_events([mine], known=KNOWN_TICKERS)}
    assert events["mara-earnings"].session == date(2025, 7, 30)
    assert events["mara-earnings"].tickers == ("MARA", "RIOT")
    clash = write(tmp_path, "clash.yaml",
                  "- id: bitmain-us-factory\n  title: Again\n  published: 2025-07-29\n  category: industry\n")
    with pytest.raises(InputError) as info:
        load_events([clash], known=KNOWN_TICKERS)
    assert "events.yaml" in str(info.value) and "clash.yaml" in str(info.value)


def test_events_list_contract_and_csv_injection(tmp_path, monkeypatch):
    evil = write(tmp_path, "evil.yaml",
                 '- id: evil\n  title: "=HYPERLINK(\\"http://x\\",\\"click\\")"\n'
                 "  published: 2025-07-30T10:00:00\n  category: market\n  tickers: [MARA]\n"
                 '- id: tabbed\n  title: "\\tcmd"\n  published: 2025-07-31\n  category: market\n'
                 '- id: at-sign\n  title: "@SUM(A1)"\n  published: 2025-08-01\n  category: market\n')
    monkeypatch.setenv("MINERDASH_EVENTS", str(evil))
    result = CliRunner().invoke(cli, ["--db", f"sqlite:///{tmp_path / 'db.sqlite'}", "events",
                                      "list", "--ticker", "MARA"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "id,published,session,title,category,tickers,source"
    frame = pd.read_csv(pd.io.common.StringIO(result.stdout), keep_default_na=False)
    assert frame["session"].tolist() == sorted(frame["session"].tolist())
    row = frame.set_index("id").loc["evil"]
    assert row["title"].startswith("'=HYPERLINK")
    assert row["published"] == "2025-07-30T10:00:00-04:00" and row["session"] == "2025-07-30"
    by_id = frame.set_index("id")
    assert by_id.loc["tabbed", "title"] == "cmd"  # surrounding white space (the tab) is trimmed
    assert by_id.loc["at-sign", "title"] == "'@SUM(A1)"  # no tickers: applies to MARA too
    assert "abtc-nasdaq-debut" not in frame["id"].tolist()  # HUT and ABTC only
    assert "china-crypto-ban" in frame["id"].tolist()  # no tickers: applies to all


def test_splits_and_dividends_become_generated_company_events():
    actions = pd.DataFrame({"ticker": ["NVDA", "MSFT"], "date": pd.to_datetime(["2021-07-20", "2021-08-18"]),
                            "kind": ["split", "dividend"], "value": [4.0, 0.56]})
    events = events_from_actions(actions)
    assert [e.id for e in events] == ["split-nvda-2021-07-20", "dividend-msft-2021-08-18"]
    assert events[0].title == "NVDA 4-for-1 stock split" and events[0].origin == "actions"
    assert events[1].category == "company" and events[1].tickers == ("MSFT",)


def test_published_without_offset_is_new_york_time():
    parsed = parse_published("2025-01-15T09:00:00")
    assert parsed.utcoffset().total_seconds() == -5 * 3600
