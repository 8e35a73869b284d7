"""The page container with the visited page already in it: the first view arrives with the app's
layout instead of one callback round trip later.

Dash's pages start with an empty container; its ``dcc.Location`` then reports the address and the
routing callback answers with the page's layout. The renderer fetches the layout from the page it
is on, so the request's ``Referer`` names that page: the layout is rendered here, as the routing
callback would, and the Location is given the address it would report, so it reports nothing and
the callback does not run again (a later navigation runs it as before). Without a usable
``Referer`` the container stays empty and the routing callback fills it, as in plain Dash.

The visitor's theme travels in a cookie the theme switch sets, so a dark first view is drawn dark.
"""

import logging
from urllib.parse import urlsplit

import dash
from dash import dcc, html
from dash._pages import PAGE_REGISTRY, _parse_query_string, _path_to_page
from dash.dash import _ID_CONTENT, _ID_DUMMY, _ID_LOCATION, _ID_STORE
from flask import has_request_context, request

from dashboard.figures.theme import theme_name

log = logging.getLogger("minerdash.first_view")

THEME_COOKIE = "minerdash-theme"
LAYOUT_VARIES_ON = ("Referer", "Cookie")  # what the app's layout answer is rendered from
_MAX_ADDRESS = 2000


def visitor_theme() -> str:
    """The theme the visitor last chose (the switch's cookie), light when unknown."""
    return theme_name(request.cookies.get(THEME_COOKIE)) if has_request_context() else "light"


def visited(app) -> tuple[str, str] | None:
    """(pathname, search) of the page whose renderer asks for the layout, or None."""
    if not has_request_context() or request.path != app.config.requests_pathname_prefix + "_dash-layout":
        return None
    referer = request.headers.get("Referer", "")
    if not referer or len(referer) > _MAX_ADDRESS:
        return None
    address = urlsplit(referer)  # its host is not compared: a proxy may rewrite the request's Host
    if address.scheme not in ("http", "https"):
        return None
    return address.path or "/", f"?{address.query}" if address.query else ""


def page_container(app) -> html.Div:
    """Dash's page container, holding the visited page's layout when the request names it (else
    Dash's own, empty, for the routing callback to fill)."""
    found = visited(app)
    if found is None:
        return dash.page_container
    pathname, search = found
    try:
        layout, title = _page(app, pathname, search)
    except Exception:  # our bug: the routing callback meets it again and answers a logged 500
        log.exception("first view of %s failed; left to the routing callback", pathname)
        return dash.page_container
    return html.Div([dcc.Location(id=_ID_LOCATION, refresh="callback-nav", pathname=pathname, search=search,
                                  href=request.headers["Referer"], hash=""),
                     html.Div(layout, id=_ID_CONTENT, disable_n_clicks=True),
                     dcc.Store(id=_ID_STORE, data={"title": title}),
                     html.Div(id=_ID_DUMMY, disable_n_clicks=True)])


def _page(app, pathname: str, search: str):
    """(layout, title) of the page at ``pathname``, as Dash's routing callback renders it."""
    page, variables = _path_to_page(app.strip_relative_path(pathname))
    if not page:
        page = next((p for module, p in PAGE_REGISTRY.items() if module.split(".")[-1] == "not_found_404"), {})
        variables = None
    layout, title = page.get("layout", html.H1("404 - Page not found")), page.get("title", app.title)
    if callable(layout):
        layout = layout(**{**(variables or {}), **_parse_query_string(search),
                           "theme": visitor_theme()})
    if callable(title):
        title = title(**(variables or {}))
    return layout, title
