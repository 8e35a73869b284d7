"""Page callbacks, registered on every app the factory builds.

Dash's own ``dash.callback`` hands each callback to the first app that serves a request and to no
other. Pages use ``callback`` from here instead: it records the callback (and returns the function
unchanged, so tests call it directly), and ``register`` adds every recorded one to an app through
the public ``app.callback``.
"""

from dash import Input, Output

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


def clientside_callback(*args, **kwargs) -> None:
    _RECORDED.append((args, kwargs, None))


def open_event_on_click(graph_id: str) -> None:
    """Clicking an event marker of ``graph_id`` opens its event page (markers carry the id)."""
    clientside_callback(
        """(click) => {
            const point = click && click.points && click.points[0];
            const id = point && point.customdata;
            if (typeof id === 'string' && /^[a-z0-9]+(-[a-z0-9]+)*$/.test(id)) {
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
