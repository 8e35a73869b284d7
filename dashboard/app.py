"""The Dash application factory: ``create_app(settings)`` builds the app over one store."""

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html

from dashboard.components import THEME_STORE, navbar
from dashboard.config import Settings
from dashboard.services import Services
from dashboard.web import install_web_routes


def create_app(settings: Settings | None = None, services: Services | None = None) -> dash.Dash:
    """A Dash app whose callbacks read ``settings``' store through a shared cache."""
    settings = settings or Settings.from_env()
    services = services or Services(settings)
    services.store.ensure_schema()
    app = dash.Dash(
        "dashboard",  # the package: pages import as dashboard.pages.*, assets from dashboard/assets
        use_pages=True,
        pages_folder="pages",
        title="minerdash",
        suppress_callback_exceptions=True,
        serve_locally=True,
        update_title=None,
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
    )
    app.server.extensions["minerdash"] = services
    app.layout = lambda: html.Div([
        dcc.Store(id=THEME_STORE, data="light"),
        navbar(),
        dbc.Container(dash.page_container, fluid=True, className="pb-5"),
    ])
    app.clientside_callback(
        """(dark) => {
            const theme = dark ? 'dark' : 'light';
            document.documentElement.setAttribute('data-bs-theme', theme);
            return theme;
        }""",
        Output(THEME_STORE, "data"),
        Input("theme-switch", "value"),
    )
    app.clientside_callback(
        """(n, open) => !open""",
        Output("navbar-collapse", "is_open"),
        Input("navbar-toggler", "n_clicks"),
        State("navbar-collapse", "is_open"),
        prevent_initial_call=True,
    )
    install_web_routes(app, services)
    # Dash copies callbacks registered with @callback into the first app that serves a request;
    # doing it here makes every app built by this factory complete, in tests and under gunicorn.
    app._setup_server()
    return app
