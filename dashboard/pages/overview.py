"""Overview: miners rebased against bitcoin, news on the chart, and a statistics table."""

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, ctx, dcc, html
from dash.exceptions import PreventUpdate

from dashboard.analytics.statistics import BETA_SESSIONS
from dashboard.cached_reads import current_reads
from dashboard.callbacks import (
    callback,
    clear_search_on_select,
    link_query,
    open_event_on_click,
    wire_form,
)
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
from dashboard.params import RANGES, SCALES, View
from dashboard.tables import Column, sort_state, sorting, table
from dashboard.viewmodels.freshness import freshness, range_dates
from dashboard.viewmodels.overview import overview, with_defaults

dash.register_page(__name__, path="/", name="Overview", title="minerdash · Overview", order=0, nav=True)

STATS_TABLE = [
    Column("ticker", "Ticker", "ticker"),
    Column("as_of", "As of", "date"),
    Column("last_close", "Last close (USD)", "number"),
    Column("ret_1d", "1D", "signed", "Last close against the one before"),
    Column("ret_1w", "1W (7 days)", "signed", "Against the last close on or before 7 days earlier"),
    Column("ret_1m", "1M", "signed", "Against the last close on or before a month earlier"),
    Column("ret_ytd", "YTD", "signed", "Against the last close of the previous year"),
    Column("ret_1y", "1Y", "signed", "Against the last close on or before a year earlier"),
    Column("vol_30d", "Vol 30D, annualised", "percent",
           "Returns of the last 30 days; ×√252 for stocks, ×√365 for 7-day assets"),
    Column("max_drawdown", "Max drawdown (range)", "percent"),
    Column("beta_90d", f"Beta ({BETA_SESSIONS} sessions)", "decimal"),
    Column("corr_90d", f"Corr ({BETA_SESSIONS} sessions)", "decimal"),
]
CONTROLS = [Input("overview-tickers", "value"), Input("overview-dates", "start_date"),
            Input("overview-dates", "end_date"), Input("overview-categories", "value"),
            Input("overview-origins", "value"), Input("overview-scale", "value")]


def event_key(key: list[dict]):
    """The numbered news under the chart, each linking to its study: readable without hovering."""
    if not key:
        return None
    return html.Ol([html.Li([html.Span(f"{k['session']} · {k['category']} · ", className="text-body-secondary"),
                             dcc.Link(k["title"], href=f"/events/{k['id']}")], value=k["n"])
                    for k in key], className="event-key small mb-2")


def stats_table(rows: list[dict], sort: dict | None = None):
    return table("overview-stats", STATS_TABLE, rows, sort,
                 row_class=lambda r: "table-warning" if r.get("stale") else None)


@page_layout
def layout(theme=None, **query):
    """The page with its first view already drawn: no second round trip before the chart."""
    reads = current_reads()
    stored = reads.stored_tickers()
    if not stored:
        return html.Div([html.H2("Overview"), empty_store_notice()])
    view, problems = View.from_link(**query)
    view = with_defaults(reads, view)
    figure, rows, key, message, note, fresh = _outputs(reads, view, theme_name(theme))
    return html.Div([
        dcc.Location(id="overview-url", refresh=False),  # the view in the link, no page reload
        dcc.Store(id="overview-graph-click"),
        dcc.Store(id="overview-rows", data=rows),
        sort_state("overview-stats"),
        html.Div(fresh, id="overview-freshness"),
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
        html.Div(message, id="overview-message"),
        graph("overview-graph", figure=figure),
        html.Div(key, id="overview-key"),
        dbc.Row([
            dbc.Col(html.H5("Statistics", className="mb-0"), width="auto"),
            dbc.Col([csv_button("overview-download-button", "Download CSV (prices)"),
                     csv_button("overview-stats-button", "Download CSV (statistics)")], width="auto"),
        ], className="mt-3 align-items-center justify-content-between g-1"),
        html.Small(note, id="overview-table-note", className="text-body-secondary"),
        html.Div(stats_table(rows), id="overview-table", className="mt-1"),
        dcc.Download(id="overview-download"),
        dcc.Download(id="overview-stats-download"),
    ])


def _view(reads, tickers, start, end, categories, origins, scale) -> View:
    return with_defaults(reads, View.parse(tickers or [], start, end, categories or [], origins or [], scale))


def _outputs(reads, view: View, theme: str) -> tuple:
    """Figure, statistics rows, the news key, notices, the table's note and the freshness line."""
    if not view.tickers:
        return (figure_message("Pick at least one ticker.", theme), [], None, None, "",
                freshness_line(freshness(reads), reads.events_problem()))
    result = overview(reads, view, theme)
    fresh = freshness_line(freshness(reads, (*view.tickers, reads.settings.benchmark)), reads.events_problem())
    note = (f"As of {view.end} (an amber row's data ends earlier); returns from adjusted closes over "
            f"calendar windows; max drawdown within {view.start} – {view.end}; beta and correlation to "
            f"{reads.settings.benchmark} over the last {BETA_SESSIONS} sessions, left out for "
            f"{reads.settings.benchmark} itself. Click a header to sort.")
    rows = result["table"].astype(object).where(result["table"].notna(), None).to_dict("records")
    return result["figure"], rows, event_key(result["key"]), notices(result["notices"]), note, fresh


@callback(
    Output("overview-graph", "figure"),
    Output("overview-rows", "data"),
    Output("overview-table", "children"),
    Output("overview-key", "children"),
    Output("overview-message", "children"),
    Output("overview-table-note", "children"),
    Output("overview-freshness", "children"),
    Output("overview-dates", "start_date"),
    Output("overview-dates", "end_date"),
    *CONTROLS,
    Input(THEME_STORE, "data"),
    Input({"type": "overview-range", "range": ALL}, "n_clicks"),
    State({"type": "sort-state", "table": "overview-stats"}, "data"),
    prevent_initial_call=True,
)
def update_overview(tickers, start, end, categories, origins, scale, theme, clicks=None, sort=None):
    """The chart, statistics and news key of the picked view. A range button sets the dates and
    draws them in the same answer (as on the ticker page: no round trip for the dates alone)."""
    reads = current_reads()
    theme = theme_name(theme)
    dates = (dash.no_update, dash.no_update)
    picked = any(clicks or []) and isinstance(ctx.triggered_id, dict) and _range_dates(
        reads, tickers, ctx.triggered_id["range"])
    if picked:
        dates = start, end = picked

    def compute() -> tuple:
        figure, rows, key, message, note, fresh = _outputs(
            reads, _view(reads, tickers, start, end, categories, origins, scale), theme)
        return figure, rows, stats_table(rows, sort), key, message, note, fresh

    try:  # the whole answer is kept: a repeated view costs one cache read
        return (*reads.memo("overview-outputs", (tickers, start, end, categories, origins, scale, theme, sort),
                            lambda: wire_form(compute())), *dates)
    except MinerdashError as exc:
        return (figure_message(str(exc), theme), [], None, None, error_notice(str(exc)), "", dash.no_update,
                *dates)


@callback(
    Output("overview-table", "children", allow_duplicate=True),
    sorting("overview-stats"),
    State("overview-rows", "data"),
    prevent_initial_call=True,
)
def sort_stats(sort, rows):
    if not sort:
        raise PreventUpdate
    return stats_table(rows or [], sort)


@callback(
    Output("overview-url", "search"),
    *CONTROLS,
    State("overview-url", "search"),
    prevent_initial_call=True,
)
def sync_url(tickers, start, end, categories, origins, scale, current):
    return link_query(lambda: View.parse(tickers or [], start, end, categories or [], origins or [], scale).query(),
                      current)


def _range_dates(reads, tickers, label: str) -> tuple[str, str] | None:
    """The dates of range button ``label`` over the picked tickers; None when the pick is invalid."""
    try:
        return range_dates(reads, View.parse(tickers or []).tickers, label)
    except MinerdashError:
        return None


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
    table_frame = overview(reads, view, theme_name(theme))["table"]
    return csv_download(table_frame.drop(columns=["stale"]), filename("stats", shown, view.start, view.end))


open_event_on_click("overview-graph")
clear_search_on_select("overview-tickers")
