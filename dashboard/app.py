"""The Dash application factory: ``create_app(settings)`` builds the app over one store."""

import threading

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html

from dashboard import callbacks
from dashboard.bundles import bundle_script, install_bundles, lighter_scripts
from dashboard.cached_reads import CachedReads
from dashboard.components import THEME_STORE, navbar
from dashboard.config import Settings
from dashboard.first_view import THEME_COOKIE, page_container, visitor_theme
from dashboard.health import health
from dashboard.http import install_http

# dcc loads these chunks only once a page's layout arrives, and the renderer asks for the layout
# (which holds the visited page: first_view) and the callbacks only once every script has run:
# hinting them lets the browser fetch them with the scripts instead of after them.
PRELOADED_CHUNKS = ("async-graph.js", "async-dropdown.js", "async-datepicker.js")
PRELOADED_ANSWERS = ("_dash-layout", "_dash-dependencies")


def index_page() -> str:
    hints = "".join(f'<link rel="preload" as="script" href="/_dash-component-suites/dash/dcc/{chunk}">'
                    for chunk in PRELOADED_CHUNKS)
    hints += "".join(f'<link rel="preload" as="fetch" crossorigin="anonymous" href="/{name}">'
                     for name in PRELOADED_ANSWERS)
    return _INDEX.replace("{%preloads%}", hints)


_INDEX = """<!DOCTYPE html>
<html lang="en">
    <head>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        {%css%}
        {%preloads%}
    </head>
    <body>
        {%app_entry%}
        <footer>
            {%config%}
            {%scripts%}
            {%renderer%}
        </footer>
    </body>
</html>"""


class MinerDash(dash.Dash):
    """Dash with a lighter index page (see ``bundles.lighter_scripts``) whose first-request setup
    is finished before any request is answered.

    Dash's once-only hooks (registering the bundles it may serve, the routing callbacks) raise their
    done flag before they do the work (plotly/dash#3971). Under gunicorn's threads, the other
    requests of a worker's first page load skipped the unfinished setup: bundles were 404s, and the
    page stayed on "Loading...". Here the first request runs them all under a lock, and the others
    wait for it; afterwards each is one flag read, as before.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        hooks = self.server.before_request_funcs[None]
        once_only, lock, done = list(hooks), threading.Lock(), threading.Event()

        def set_up_once():
            if not done.is_set():
                with lock:
                    if not done.is_set():
                        for hook in once_only:
                            hook()
                        done.set()

        hooks.insert(0, set_up_once)

    def interpolate_index(self, **kwargs):
        kwargs["scripts"] = lighter_scripts(kwargs.get("scripts", ""))
        return super().interpolate_index(**kwargs)


def create_app(settings: Settings | None = None, reads: CachedReads | None = None) -> dash.Dash:
    """A Dash app whose callbacks read ``settings``' store (read-only) through a shared cache."""
    settings = settings or Settings.from_env()
    reads = reads or CachedReads(settings)
    app = MinerDash(
        "dashboard",  # the package: pages import as dashboard.pages.*, assets from dashboard/assets
        use_pages=True,
        pages_folder="pages",
        title="minerdash",
        suppress_callback_exceptions=True,
        serve_locally=True,
        update_title=None,
        external_scripts=[url for url in [bundle_script()] if url],
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
        # Pages draw their first view in the layout itself, in the theme the visitor chose.
        routing_callback_inputs={"theme": State(THEME_STORE, "data")},
    )
    app.server.extensions["minerdash"] = reads
    app.index_string = index_page()
    app.layout = lambda: html.Div([
        dcc.Store(id=THEME_STORE, data=visitor_theme()),
        dcc.Location(id="app-location"),
        navbar(),
        dbc.Container(page_container(app), fluid=True, className="pb-5"),
    ])
    app.clientside_callback(
        """(dark, current) => {
            const theme = dark ? 'dark' : 'light';
            document.documentElement.setAttribute('data-bs-theme', theme);
            document.cookie = 'THEME_COOKIE=' + theme + '; path=/; max-age=31536000; SameSite=Lax';
            return theme === current ? window.dash_clientside.no_update : theme;
        }""".replace("THEME_COOKIE", THEME_COOKIE),
        Output(THEME_STORE, "data"),
        Input("theme-switch", "value"),
        State(THEME_STORE, "data"),
    )
    app.clientside_callback(
        """(n, open) => !open""",
        Output("navbar-collapse", "is_open"),
        Input("navbar-toggler", "n_clicks"),
        State("navbar-collapse", "is_open"),
        prevent_initial_call=True,
    )
    app.clientside_callback(  # the navbar's Ticker link opens the last ticker viewed
        """(path) => {
            const key = 'minerdash-last-ticker';
            const match = /^\\/ticker\\/([^\\/?#]+)/.exec(path || '');
            if (match) { window.localStorage.setItem(key, decodeURIComponent(match[1])); }
            const last = window.localStorage.getItem(key);
            return '/ticker/' + encodeURIComponent(last || 'MARA');
        }""",
        Output("nav-ticker", "href"),
        Input("app-location", "pathname"),
    )
    callbacks.register(app)
    install_bundles(app)
    install_http(app, reads, health)
    return app
