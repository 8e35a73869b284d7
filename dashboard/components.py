"""Pieces every page uses: navigation, freshness, notices, the CSV button. Text stays text."""

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.services import Freshness

THEME_STORE = "theme-store"
LOAD_HELP = [
    "Load prices with ",
    html.Code("minerdash fetch"),
    " (downloads MARA, RIOT, CLSK, HUT and BTC-USD from Yahoo Finance) or, offline, ",
    html.Code("minerdash import-csv path/to/*.csv"),
    " (Yahoo's export format), then reload this page.",
]


def navbar() -> dbc.Navbar:
    links = [
        dbc.NavItem(dbc.NavLink(page["name"], href=page["relative_path"], active="exact"))
        for page in sorted(dash.page_registry.values(), key=lambda p: p.get("order") or 0)
        if page.get("nav")
    ]
    toggle = html.Div(
        [html.Span("☀", className="me-1"),
         dbc.Switch(id="theme-switch", value=False, persistence=True, persistence_type="local",
                    className="d-inline-block mb-0"),
         html.Span("☾")],
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
    """'Prices as of …, fetched …', a visible warning when the last refresh failed, and one when
    the user's event files could not be read."""
    parts = []
    if events_problem:
        parts.append(dbc.Alert(f"Your event files were left out: {events_problem}", color="danger",
                               className="py-2 my-2", id="events-warning"))
    if fresh.as_of is not None:
        fetched = fresh.fetched_at.strftime("%Y-%m-%d %H:%M UTC") if fresh.fetched_at is not None else "unknown"
        parts.append(html.Small(f"Prices as of {fresh.as_of:%Y-%m-%d}, fetched {fetched}.",
                                className="text-body-secondary", id="freshness-text"))
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


def error_notice(message: str, **kwargs) -> dbc.Alert:
    return dbc.Alert(message, color="danger", **kwargs)


def csv_button(button_id: str, label: str = "Download CSV") -> dbc.Button:
    return dbc.Button(label, id=button_id, color="secondary", outline=True, size="sm", className="ms-2")


def graph(graph_id: str, **kwargs) -> dcc.Loading:
    return dcc.Loading(dcc.Graph(id=graph_id, config={"displaylogo": False}, **kwargs), type="default")


def figure_message(message: str, theme: str = "light") -> dict:
    """An empty figure that says why it is empty, instead of a blank chart."""
    color = "#f8f9fa" if theme == "dark" else "#212529"
    return {
        "data": [],
        "layout": {
            "xaxis": {"visible": False}, "yaxis": {"visible": False}, "height": 300,
            "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)",
            "annotations": [{"text": message, "showarrow": False, "font": {"size": 15, "color": color},
                             "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5}],
        },
    }
