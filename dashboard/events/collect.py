"""The events a store and its settings know: curated + users' files + generated from actions."""

import difflib

from dashboard.config import Settings
from dashboard.errors import InputError
from dashboard.events.catalogue import KNOWN_TICKERS, Event, events_from_actions, load_events
from dashboard.store import Store


def known_tickers(settings: Settings, store: Store | None) -> frozenset[str]:
    stored = store.stored_tickers() if store is not None else []
    return frozenset({*KNOWN_TICKERS, *settings.tickers, settings.benchmark, *stored})


def collect_events(settings: Settings, store: Store | None, extra_files=()) -> list[Event]:
    """Curated and user events (validated) plus company events from stored splits and dividends."""
    events = load_events(
        (*settings.event_files, *extra_files), known=known_tickers(settings, store)
    )
    if store is not None:
        taken = {e.id for e in events}
        events += [e for e in events_from_actions(store.read_actions()) if e.id not in taken]
    return sorted(events, key=lambda e: (e.session, e.id))


def find_event(events: list[Event], event_id: str) -> Event:
    """The event with ``event_id``, or an InputError suggesting the nearest ids."""
    for event in events:
        if event.id == event_id:
            return event
    near = difflib.get_close_matches(event_id, [e.id for e in events], n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(near)}?" if near else "; `minerdash events list` shows them"
    raise InputError(f"unknown event id {event_id!r}{hint}")
