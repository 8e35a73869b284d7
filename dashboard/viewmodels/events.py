"""The events table: every event of the catalogue, linked, with its EW (or single-ticker) CAR."""

import pandas as pd

from dashboard.analytics.event_study import Windows
from dashboard.events.model import events_frame
from dashboard.params import View
from dashboard.studies import QuickStudies, event_tickers


def _zoom_link(event, universe) -> str:
    start, end = event.session - pd.Timedelta(days=30), event.session + pd.Timedelta(days=30)
    return "/" + View.parse(list(event.tickers or universe)[:50], start, end).query()


def event_rows(reads) -> pd.DataFrame:
    """The catalogue as rows: links to each study and chart, and the CAR(−1,+5) of the event's
    tickers' equal-weight portfolio (of its one ticker when it names one)."""

    def compute() -> pd.DataFrame:
        events = reads.events()
        universe, stored = reads.settings.tickers, reads.stored_tickers()
        benchmark = reads.settings.benchmark
        members = {e.id: tuple(t for t in event_tickers(e, universe, stored) if t != benchmark) for e in events}
        wanted = sorted({t for m in members.values() for t in m} | {benchmark})
        quick = QuickStudies(reads.prices(tuple(t for t in wanted if t in stored)), benchmark, Windows())
        cars = {}
        for event in events:
            result = quick.attempt(event, members[event.id]) if members[event.id] else None
            cars[event.id] = result[1]["car"] if result else None
        frame = events_frame(events)
        frame["tickers"] = frame["tickers"].replace("", "all")
        frame["event_link"] = "/events/" + frame["id"]
        by_id = {e.id: e for e in events}
        frame["overview_link"] = [_zoom_link(by_id[i], universe) for i in frame["id"]]
        frame["car"] = [cars[i] for i in frame["id"]]
        return frame

    return reads.memo("event-rows", None, compute)
