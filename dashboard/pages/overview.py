"""Overview: miners rebased against bitcoin, news on the chart, and a statistics table."""

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, ctx, dcc, html
from dash.exceptions import PreventUpdate

from dashboard.analytics.statistics import BETA_SESSIONS
from dashboard.cached_reads import current_reads
from dashboard.callbacks import callback, open_event_on_click
from dashboard.components import (
    THEME_STORE,
    csv_button,
    empty_store_notice,
    error_notice,
    figure_message,
    freshness_line,
    graph,
    link_problems,
    notices,
    page_layout,
)
from dashboard.errors import MinerdashError
from dashboard.events.model import CATEGORIES, ORIGINS
from dashboard.exports import csv_download, filename, prices_download
from dashboard.figures.theme import theme_name
from dashboard.pages._grid import (
    DECIMAL,
    GRID_OPTIONS,
    NUMBER,
    PERCENT,
    PERCENT_PLAIN,
    column,
    records,
)
from dashboard.params import RANGES, SCALES, View, range_start
from dashboard.viewmodels.freshness import freshness
from dashboard.viewmodels.overview import overview, with_defaults

dash.register_page(__name__, path="/", name="Overview", title="minerdash · Overview", order=0, nav=True)

STATS_GRID = [
    column("ticker", "Ticker", pinned="left", width=95, cellRenderer="TickerLink"),
    column("as_of", "As of", width=112, cellClassRules={"stale-cell": "params.data.stale"}),
    column("last_close", "Last close (USD)", NUMBER),
    column("ret_1d", "1D", PERCENT),
    column("ret_1w", "1W (7 days)", PERCENT),
    column("ret_1m", "1M", PERCENT),
    column("ret_ytd", "YTD", PERCENT),
    column("ret_1y", "1Y", PERCENT),
    column("vol_30d", "Vol 30D, annualised", PERCENT_PLAIN),
    column("max_drawdown", "Max drawdown (range)", PERCENT_PLAIN),
    column("beta_90d", f"Beta {BETA_SESSIONS} sessions", DECIMAL),
    column("corr_90d", f"Corr {BETA_SESSIONS} sessions", DECIMAL),
]
CONTROLS = [Input("overview-tickers", "value"), Input("overview-dates", "start_date"),
            Input("overview-dates", "end_date"), Input("overview-categories", "value"),
            Input("overview-origins", "value"), Input("overview-scale", "value")]


@page_layout
def layout(**query):
    reads = current_reads()
    stored = reads.stored_tickers()
    if not stored:
        return html.Div([html.H2("Overview"), empty_store_notice()])
    view, problems = View.from_link(**query)
    view = with_defaults(reads, view)
    return html.Div([
        dcc.Location(id="overview-url", refresh="callback-nav"),
        dcc.Store(id="overview-graph-click"),
        html.Div(id="overview-freshness"),
        link_problems(problems, "overview-url-error"),
        dbc.Row([
            dbc.Col(dcc.Dropdown(id="overview-tickers", options=stored, value=list(view.tickers), multi=True,
                                 placeholder="Tickers…", searchable=True, closeOnSelect=False), lg=5, xs=12),
            dbc.Col(dcc.DatePickerRange(id="overview-dates", start_date=view.start, end_date=view.end,
                                        display_format="YYYY-MM-DD", minimum_nights=0), lg="auto", xs=12),
            dbc.Col(dbc.ButtonGroup([
                dbc.Button(label, id={"type": "overview-range", "range": label}, color="secondary",
                           outline=True, size="sm") for label in RANGES
            ], className="flex-wrap"), lg="auto", xs=12, className="d-flex align-items-center"),
            dbc.Col(dbc.RadioItems(id="overview-scale", options=[{"label": s.capitalize(), "value": s}
                                                                 for s in SCALES],
                                   value=view.scale, inline=True, className="mb-0"),
                    lg="auto", xs=12, className="d-flex align-items-center"),
        ], className="g-2 mb-2 align-items-center"),
        dbc.Row([
            dbc.Col([html.Small("News: ", className="text-body-secondary me-1"),
                     dbc.Checklist(id="overview-categories", options=list(CATEGORIES),
                                   value=list(view.categories), inline=True, className="d-inline")],
                    xs=12, xl=7),
            dbc.Col([html.Small("From: ", className="text-body-secondary me-1"),
                     dbc.Checklist(id="overview-origins", options=list(ORIGINS), value=list(view.origins),
                                   inline=True, className="d-inline")], xs=12, xl=5),
        ], className="mb-1"),
        html.Div(id="overview-message"),
        graph("overview-graph"),
        dbc.Row([
            dbc.Col(html.H5("Statistics", className="mb-0"), width="auto"),
            dbc.Col([csv_button("overview-download-button", "Download CSV (prices)"),
                     csv_button("overview-stats-button", "Download CSV (statistics)")], width="auto"),
        ], className="mt-3 align-items-center justify-content-between g-1"),
        html.Small(id="overview-table-note", className="text-body-secondary"),
        dag.AgGrid(id="overview-table", columnDefs=STATS_GRID, rowData=[], className="ag-theme-alpine mt-1",
                   dashGridOptions=GRID_OPTIONS, defaultColDef={"minWidth": 88, "flex": 1},
                   style={"height": None}),
        dcc.Download(id="overview-download"),
        dcc.Download(id="overview-stats-download"),
    ])


def _view(reads, tickers, start, end, categories, origins, scale) -> View:
    return with_defaults(reads, View.parse(tickers or [], start, end, categories or [], origins or [], scale))


@callback(
    Output("overview-graph", "figure"),
    Output("overview-table", "rowData"),
    Output("overview-message", "children"),
    Output("overview-table-note", "children"),
    Output("overview-freshness", "children"),
    *CONTROLS,
    Input(THEME_STORE, "data"),
)
def update_overview(tickers, start, end, categories, origins, scale, theme):
    reads = current_reads()
    theme = theme_name(theme)
    try:
        view = _view(reads, tickers, start, end, categories, origins, scale)
        if not view.tickers:
            return (figure_message("Pick at least one ticker.", theme), [], None, "",
                    freshness_line(freshness(reads), reads.events_problem()))
        result = overview(reads, view, theme)
        fresh = freshness_line(freshness(reads, (*view.tickers, reads.settings.benchmark)), reads.events_problem())
    except MinerdashError as exc:
        return figure_message(str(exc), theme), [], error_notice(str(exc)), "", dash.no_update
    note = (f"As of {view.end} (a row in amber ends earlier); returns from adjusted closes over calendar "
            f"windows; max drawdown within {view.start} – {view.end}; beta and correlation to "
            f"{reads.settings.benchmark} over the last {BETA_SESSIONS} sessions, left out for "
            f"{reads.settings.benchmark} itself.")
    return result["figure"], records(result["table"]), notices(result["notices"]), note, fresh


@callback(
    Output("overview-url", "search"),
    *CONTROLS,
    State("overview-url", "search"),
    prevent_initial_call=True,
)
def sync_url(tickers, start, end, categories, origins, scale, current):
    try:
        query = View.parse(tickers or [], start, end, categories or [], origins or [], scale).query()
    except MinerdashError:
        raise PreventUpdate from None
    if query == (current or ""):
        raise PreventUpdate
    return query


@callback(
    Output("overview-dates", "start_date"),
    Output("overview-dates", "end_date"),
    Input({"type": "overview-range", "range": ALL}, "n_clicks"),
    State("overview-tickers", "value"),
    prevent_initial_call=True,
)
def apply_range(clicks, tickers):
    if not ctx.triggered_id or not any(clicks or []):
        raise PreventUpdate
    reads = current_reads()
    try:
        symbols = View.parse(tickers or []).tickers
        label = ctx.triggered_id["range"]
        fresh = freshness(reads, symbols or None)
        status = reads.status()
        first = min(status.loc[status["ticker"].isin(symbols or status["ticker"]) & (status["rows"] > 0),
                               "first_date"], default=None)
        if fresh.latest is None:
            raise PreventUpdate
        return range_start(label, fresh.latest, first), fresh.latest
    except MinerdashError:
        raise PreventUpdate from None


def _shown(reads, tickers, start, end) -> tuple[View, list[str]]:
    try:
        view = _view(reads, tickers, start, end, None, None, None)
    except MinerdashError:
        raise PreventUpdate from None
    stored = set(reads.stored_tickers())
    return view, [t for t in dict.fromkeys([*view.tickers, reads.settings.benchmark]) if t in stored]


@callback(
    Output("overview-download", "data"),
    Input("overview-download-button", "n_clicks"),
    State("overview-tickers", "value"),
    State("overview-dates", "start_date"),
    State("overview-dates", "end_date"),
    prevent_initial_call=True,
)
def download_prices(_clicks, tickers, start, end):
    reads = current_reads()
    view, shown = _shown(reads, tickers, start, end)
    return prices_download(reads.prices(tuple(shown)), shown, view.start, view.end)


@callback(
    Output("overview-stats-download", "data"),
    Input("overview-stats-button", "n_clicks"),
    State("overview-tickers", "value"),
    State("overview-dates", "start_date"),
    State("overview-dates", "end_date"),
    State(THEME_STORE, "data"),
    prevent_initial_call=True,
)
def download_stats(_clicks, tickers, start, end, theme):
    reads = current_reads()
    view, shown = _shown(reads, tickers, start, end)
    table = overview(reads, view, theme_name(theme))["table"]
    return csv_download(table.drop(columns=["stale"]), filename("stats", shown, view.start, view.end))


open_event_on_click("overview-graph")
