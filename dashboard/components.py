"""Pieces every page uses: navigation, freshness, notices, the CSV button, graphs, the event-study
controls. Text stays text."""

import functools
import html as html_text
import textwrap

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.analytics.event_study import MODELS, Windows
from dashboard.errors import StoreUnavailable
from dashboard.figures.theme import THEMES, theme_name
from dashboard.viewmodels.freshness import Freshness

THEME_STORE = "theme-store"
LOAD_HELP = [
    "Load prices with ",
    html.Code("minerdash fetch"),
    " (downloads MARA, RIOT, CLSK, HUT and BTC-USD from Yahoo Finance), the bundled demo data with ",
    html.Code("minerdash load-snapshot"),
    " or, offline, your own files with ",
    html.Code("minerdash import-csv path/to/*.csv"),
    ", then reload this page.",
]
GRAPH_CONFIG = {"displaylogo": False, "responsive": True,
                "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"]}


def navbar() -> dbc.Navbar:
    links = [
        dbc.NavItem(dbc.NavLink(page["name"], href=page["relative_path"], active="partial"
                                if page["relative_path"] != "/" else "exact",
                                id=f"nav-{page['name'].lower().replace(' ', '-')}"))
        for page in sorted(dash.page_registry.values(), key=lambda p: p.get("order") or 0)
        if page.get("nav")
    ]
    toggle = html.Div(
        [html.Span("☀", className="me-1", **{"aria-hidden": "true"}),
         dbc.Switch(id="theme-switch", value=False, persistence=True, persistence_type="local",
                    className="d-inline-block mb-0", label="", input_class_name="theme-input"),
         html.Span("☾", **{"aria-hidden": "true"})],
        className="d-flex align-items-center text-light ms-lg-3",
        title="Light or dark mode",
    )
    return dbc.Navbar(
        dbc.Container([
            dbc.NavbarBrand("minerdash", href="/", className="fw-bold"),
            dbc.NavbarToggler(id="navbar-toggler"),
            dbc.Collapse(dbc.Nav([*links, toggle], className="ms-auto align-items-lg-center", navbar=True),
                         id="navbar-collapse", navbar=True),
        ], fluid=True),
        color="dark", dark=True, className="mb-3",
    )


def freshness_line(fresh: Freshness, events_problem: str | None = None) -> html.Div:
    """'Prices as of …' (each ticker's date where they differ, snapshot data said as such), and a
    visible warning when the last refresh failed or the user's event files could not be read."""
    parts = []
    if events_problem:
        parts.append(dbc.Alert(f"Your event files were left out: {events_problem}", color="danger",
                               className="py-2 my-2", id="events-warning"))
    if fresh.latest is not None:
        fetched = fresh.fetched_at.strftime("%Y-%m-%d %H:%M UTC") if fresh.fetched_at is not None else "unknown"
        behind = fresh.behind()
        others = (" (" + ", ".join(f"{t} {d:%Y-%m-%d}" for t, d in sorted(behind.items())) + ")") if behind else ""
        if fresh.snapshot:
            text = [f"Snapshot data as of {fresh.latest:%Y-%m-%d}{others}, run ",
                    html.Code("minerdash fetch"), " for live prices."]
        else:
            text = [f"Prices as of {fresh.latest:%Y-%m-%d}{others}, fetched {fetched}."]
        parts.append(html.Small(text, className="text-body-secondary", id="freshness-text"))
    if fresh.errors:
        failed = "; ".join(f"{t}: {reason}" for t, reason in sorted(fresh.errors.items()))
        parts.append(dbc.Alert(f"The last refresh failed for {failed}. Showing the last good data.",
                               color="warning", className="py-2 my-2", id="refresh-warning"))
    elif fresh.last_run_status == "failed":
        parts.append(dbc.Alert("The last refresh run failed. Showing the last good data.",
                               color="warning", className="py-2 my-2", id="refresh-warning"))
    return html.Div(parts, className="mb-2")


def empty_store_notice() -> dbc.Alert:
    return dbc.Alert([html.H5("No prices stored yet", className="alert-heading"), html.P(LOAD_HELP)],
                     color="info", id="empty-store")


def store_unavailable_notice(message: str) -> dbc.Alert:
    return dbc.Alert([html.H5("The store is unreachable", className="alert-heading"),
                      html.P(message), html.P("This page will work again once it is back: reload it.")],
                     color="danger", id="store-unavailable")


def error_notice(message: str, **kwargs) -> dbc.Alert:
    return dbc.Alert(message, color="danger", **kwargs)


def notices(messages: list[str], color: str = "warning", **kwargs) -> dbc.Alert | None:
    if not messages:
        return None
    body = messages[0] if len(messages) == 1 else html.Ul([html.Li(m) for m in messages], className="mb-0")
    return dbc.Alert(body, color=color, className="py-2", **kwargs)


def link_problems(problems: list[str], component_id: str) -> dbc.Alert | None:
    """'Ignored part of the link: …' for what a URL held that could not be used."""
    if not problems:
        return None
    return error_notice(f"Ignored part of the link: {'; '.join(problems)}", id=component_id, className="py-2")


def page_layout(layout):
    """A page layout that says so in words when the store is unreachable, instead of failing."""
    @functools.wraps(layout)
    def wrapped(*args, **kwargs):
        try:
            return layout(*args, **kwargs)
        except StoreUnavailable as exc:
            if "no tables yet" in str(exc):
                return html.Div([empty_store_notice()])
            return html.Div([store_unavailable_notice(str(exc))])

    return wrapped


def csv_button(button_id: str, label: str = "Download CSV") -> dbc.Button:
    return dbc.Button(label, id=button_id, color="secondary", outline=True, size="sm", className="ms-1 my-1")


# A chart being redrawn stays in view, and a spinner replaces it only when the answer takes longer
# than this: a range button answers in a fraction of it, and hiding then showing a chart of years of
# candles cost the browser 20–30 ms of style work each time, besides a flash of empty space.
SPINNER_DELAY_MS = 500


def graph(graph_id: str, **kwargs) -> dcc.Loading:
    return dcc.Loading(dcc.Graph(id=graph_id, config=GRAPH_CONFIG, **kwargs), type="default",
                       delay_show=SPINNER_DELAY_MS)


def figure_message(message: str, theme: str = "light") -> dict:
    """An empty figure that says why it is empty, instead of a blank chart."""
    return {
        "data": [],
        "layout": {
            "xaxis": {"visible": False}, "yaxis": {"visible": False}, "height": 300,
            "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)",
            "annotations": [{"text": "<br>".join(html_text.escape(line) for line in textwrap.wrap(message, 48)),
                             "showarrow": False,
                             "font": {"size": 15, "color": THEMES[theme_name(theme)]["text"]},
                             "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5}],
        },
    }


MODEL_LABELS = dict(zip(MODELS, ("Market model", "Two-factor"), strict=True))


def _window_input(name: str, value: int, prefix: str) -> dbc.Col:
    """One study window's number box, bounded as ``Windows`` bounds it."""
    low, high = Windows.LIMITS[name]
    return dbc.Col(dbc.InputGroup([dbc.InputGroupText(f"{name.capitalize()} (sessions)"),
                                   dbc.Input(id=f"{prefix}-{name}", type="number", min=low, max=high, step=1,
                                             value=value, debounce=True)], size="sm"), xs=12, sm=6, md="auto")


def window_controls(prefix: str, windows: Windows, exclude_label: str, excluded: bool) -> dbc.Row:
    """The study windows' number boxes and the switch that leaves confounded units out."""
    return dbc.Row([
        *[_window_input(name, getattr(windows, name), prefix) for name in Windows.LIMITS],
        dbc.Col(dbc.Checklist(id=f"{prefix}-exclude", options=[{"label": exclude_label, "value": "yes"}],
                              value=["yes"] if excluded else [], switch=True), xs=12, md="auto"),
    ], className="g-2 mb-2 align-items-center")


def model_controls(prefix: str, stored: list[str], benchmark: str, model: str, factor: str) -> list[dbc.Col]:
    """An event study's benchmark, model and factor pickers (the factor only counts for two-factor)."""
    return [
        dbc.Col(dcc.Dropdown(id=f"{prefix}-benchmark", options=stored, value=benchmark, clearable=False),
                xs=6, md=2),
        dbc.Col(dcc.Dropdown(id=f"{prefix}-model", value=model, clearable=False,
                             options=[{"label": label, "value": name} for name, label in MODEL_LABELS.items()]),
                xs=6, md=2),
        dbc.Col(dcc.Dropdown(id=f"{prefix}-factor", options=stored, value=factor, clearable=False,
                             disabled=model == "market"), xs=6, md=2),
    ]
