"""Page callbacks, registered on every app the factory builds.

Dash's own ``dash.callback`` hands each callback to the first app that serves a request and to no
other. Pages use ``callback`` from here instead: it records the callback (and returns the function
unchanged, so tests call it directly), and ``register`` adds every recorded one to an app through
the public ``app.callback``.
"""

import json
from collections.abc import Callable

from dash import Input, Output
from dash.exceptions import PreventUpdate
from plotly.io.json import to_json_plotly

from dashboard.errors import MinerdashError

_RECORDED: list[tuple[tuple, dict, object]] = []  # (args, kwargs, function; None = clientside)


def callback(*args, **kwargs):
    def record(function):
        _RECORDED.append((args, kwargs, function))
        return function

    return record


def register(app) -> None:
    for args, kwargs, function in _RECORDED:
        if function is None:
            app.clientside_callback(*args, **kwargs)
        else:
            app.callback(*args, **kwargs)(function)


def link_query(build: Callable[[], str], current: str | None) -> str:
    """The query a page's link should carry for its controls (``build``), for a callback that keeps
    the URL in step: no update while the controls are invalid or when the link already says it."""
    try:
        query = build()
    except MinerdashError:
        raise PreventUpdate from None
    if query == (current or ""):
        raise PreventUpdate
    return query


def clientside_callback(*args, **kwargs) -> None:
    _RECORDED.append((args, kwargs, None))


def open_event_on_click(graph_id: str) -> None:
    """Clicking an event marker of ``graph_id`` opens its event page (markers carry the id).

    With unified hover a click reports every trace at that x, price lines first: the marker is
    whichever point carries an event id."""
    clientside_callback(
        """(click) => {
            const points = (click && click.points) || [];
            const id = points.map(p => p.customdata)
                .find(c => typeof c === 'string' && /^[a-z0-9]+(-[a-z0-9]+)*$/.test(c));
            if (id) {
                window.location.assign('/events/' + id);
            }
            return window.dash_clientside.no_update;
        }""",
        Output(f"{graph_id}-click", "data"),
        Input(graph_id, "clickData"),
        prevent_initial_call=True,
    )


def clear_search_on_select(dropdown_id: str) -> None:
    """After a pick, empty a multi-select dropdown's search box, so the next symbol typed starts afresh."""
    clientside_callback(
        """(value) => ''""",
        Output(dropdown_id, "search_value"),
        Input(dropdown_id, "value"),
        prevent_initial_call=True,
    )


def wire_form(outputs):
    """Callback outputs as Dash sends them: plain JSON values (components as their type, namespace
    and props). Cached in this form, a repeated answer is serialised by the C encoder in one pass
    instead of component by component."""
    return json.loads(to_json_plotly(outputs))
