"""Overview: miners rebased against bitcoin, news on the chart, and a statistics table."""

from datetime import date

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
from dash import ALL, Input, Output, State, callback, ctx, dcc, html
from dash.exceptions import PreventUpdate

from dashboard.analytics.event_study import Windows
from dashboard.analytics.performance import to_rebased
from dashboard.analytics.summary import calc_summary_table
from dashboard.components import (
    THEME_STORE,
    csv_button,
    empty_store_notice,
    error_notice,
    figure_message,
    freshness_line,
    graph,
)
from dashboard.errors import MinerdashError
from dashboard.events.catalogue import CATEGORIES
from dashboard.exports import prices_download
from dashboard.figures import event_marker, overview_figure
from dashboard.pages._grid import (
    DECIMAL,
    GRID_OPTIONS,
    NUMBER,
    PERCENT,
    PERCENT_PLAIN,
    column,
    records,
)
from dashboard.reactions import study_event
from dashboard.services import services
from dashboard.view_params import RANGES, View, range_start

dash.register_page(__name__, path="/", name="Overview", title="minerdash · Overview", order=0, nav=True)

COLUMNS = [
    column("ticker", "Ticker", pinned="left", width=110),
    column("as_of", "As of", width=120),
    column("last_close", "Last close", NUMBER),
    column("return_1d", "1D", PERCENT),
    column("return_1w", "1W", PERCENT),
    column("return_1m", "1M", PERCENT),
    column("return_ytd", "YTD", PERCENT),
    column("return_1y", "1Y", PERCENT),
    column("volatility_30d", "Vol 30D (ann.)", PERCENT_PLAIN),
    column("max_drawdown", "Max DD (range)", PERCENT_PLAIN),
    column("beta_90d", "Beta 90D", DECIMAL),
    column("correlation_90d", "Corr 90D", DECIMAL),
]


def _defaults(svc, view: View) -> View:
    """Fill what the URL left out: the universe, the last year up to the last stored date."""
    stored = svc.stored_tickers()
    tickers = view.tickers or tuple(t for t in svc.settings.tickers if t in stored)
    end = view.end
    if end is None or view.start is None:
        last = svc.freshness(tickers or None).as_of
        end = end or (last.date() if last is not None else date.today())
    start = view.start or range_start("1Y", end)
    return View(tickers, start, end, view.categories)


def layout(tickers=None, start=None, end=None, categories=None, **_other):
    svc = services()
    stored = svc.stored_tickers()
    if not stored:
        return html.Div([html.H2("Overview"), empty_store_notice()])
    problem = None
    try:
        view = View.parse(tickers, start, end, categories)
    except MinerdashError as exc:
        problem = error_notice(f"Ignored part of the link: {exc}", id="overview-url-error")
        view = View.parse()
    view = _defaults(svc, view)
    return html.Div([
        dcc.Location(id="overview-url", refresh="callback-nav"),
        html.Div(id="overview-freshness"),
        problem,
        dbc.Row([
            dbc.Col(dcc.Dropdown(id="overview-tickers", options=stored, value=list(view.tickers),
                                 multi=True, placeholder="Tickers…", searchable=True), lg=5, md=12),
            dbc.Col(dcc.DatePickerRange(id="overview-dates", start_date=view.start, end_date=view.end,
                                        display_format="YYYY-MM-DD", minimum_nights=0), lg="auto", md=12),
            dbc.Col(dbc.ButtonGroup([
                dbc.Button(label, id={"type": "overview-range", "range": label}, color="secondary",
                           outline=True, size="sm") for label in RANGES
            ]), lg="auto", md=12, className="d-flex align-items-center"),
        ], className="g-2 mb-2 align-items-center"),
        dbc.Row([
            dbc.Col(dbc.Checklist(id="overview-categories", options=[c for c in CATEGORIES],
                                  value=list(view.categories), inline=True, switch=False),
                    className="d-flex align-items-center"),
            dbc.Col(csv_button("overview-download-button", "Download CSV (prices)"), width="auto"),
        ], className="mb-2"),
        html.Div(id="overview-message"),
        graph("overview-graph"),
        html.H5("Statistics", className="mt-3"),
        html.Small(id="overview-table-note", className="text-body-secondary"),
        dag.AgGrid(id="overview-table", columnDefs=COLUMNS, rowData=[], className="ag-theme-alpine mt-1",
                   dashGridOptions=GRID_OPTIONS, defaultColDef={"minWidth": 90, "flex": 1},
                   style={"height": None}),
        dcc.Download(id="overview-download"),
    ])


def _reactions(svc, event, tickers: tuple[str, ...]) -> list[str]:
    """'MARA CAR −5.2% (t −0.47)' for each selected miner the event study can compute."""
    members = [t for t in tickers if event.applies_to(t) and t != svc.settings.benchmark]
    if not members:
        return []

    def compute():
        try:
            result = study_event(svc.store, event, svc.settings.benchmark, Windows(),
                                 tickers=members, prices=svc.prices((*members, svc.settings.benchmark)))
        except MinerdashError as exc:
            return [f"CAR n/a: {exc}"]
        window = f"CAR(−{Windows().pre},+{Windows().post})"
        return [f"{r.ticker} {window} {r.car:+.1%} (t {r.t_stat:+.2f})" for r in result.summary.itertuples()]

    return svc.memo("reactions", (event.id, tuple(members)), compute)


def overview_view(svc, view: View, theme: str) -> dict:
    """Figure, table rows and notes of one view (cached: the whole result is one cache entry)."""

    def compute():
        benchmark = svc.settings.benchmark
        shown = tuple(dict.fromkeys([*view.tickers, benchmark]))
        stored = set(svc.stored_tickers())
        missing = [t for t in shown if t not in stored]
        present = tuple(t for t in shown if t in stored)
        prices = svc.prices(present)
        start, end = pd.Timestamp(view.start), pd.Timestamp(view.end)
        in_range = prices[(prices["date"] >= start) & (prices["date"] <= end)]
        wide = in_range.pivot(index="date", columns="ticker", values="adj_close")
        rebased = pd.DataFrame({t: to_rebased(wide[t]) for t in present if t in wide.columns})
        events = [
            e for e in svc.events()
            if start <= pd.Timestamp(e.session) <= end and e.category in view.categories
            and (not e.tickers or any(e.applies_to(t) for t in view.tickers))
        ]
        markers = [event_marker(e, _reactions(svc, e, view.tickers)) for e in events]
        figure = overview_figure(rebased, benchmark, markers, theme).to_plotly_json() \
            if not rebased.empty else figure_message("No prices in this range.", theme)
        table = calc_summary_table(prices, benchmark, start, end, order=list(present))
        notes = [f"Not stored: {', '.join(missing)}."] if missing else []
        return {"figure": figure, "rows": records(table), "notes": notes}

    return svc.memo("overview", (view, theme), compute)


@callback(
    Output("overview-graph", "figure"),
    Output("overview-table", "rowData"),
    Output("overview-message", "children"),
    Output("overview-table-note", "children"),
    Output("overview-freshness", "children"),
    Input("overview-tickers", "value"),
    Input("overview-dates", "start_date"),
    Input("overview-dates", "end_date"),
    Input("overview-categories", "value"),
    Input(THEME_STORE, "data"),
)
def update_overview(tickers, start, end, categories, theme):
    svc = services()
    theme = theme if theme in ("light", "dark") else "light"
    try:
        view = _defaults(svc, View.parse(tickers or [], start, end, categories or []))
    except MinerdashError as exc:
        return figure_message(str(exc), theme), [], error_notice(str(exc)), "", dash.no_update
    if not view.tickers:
        return (figure_message("Pick at least one ticker.", theme), [], None, "",
                freshness_line(svc.freshness(), svc.events_problem()))
    result = overview_view(svc, view, theme)
    note = (f"As of {view.end}; returns from adjusted closes; max drawdown within "
            f"{view.start} – {view.end}; beta and correlation to {svc.settings.benchmark} over 90 sessions.")
    message = dbc.Alert(" ".join(result["notes"]), color="warning") if result["notes"] else None
    return (result["figure"], result["rows"], message, note,
            freshness_line(svc.freshness((*view.tickers, svc.settings.benchmark)), svc.events_problem()))


@callback(
    Output("overview-url", "search"),
    Input("overview-tickers", "value"),
    Input("overview-dates", "start_date"),
    Input("overview-dates", "end_date"),
    Input("overview-categories", "value"),
    State("overview-url", "search"),
    prevent_initial_call=True,
)
def sync_url(tickers, start, end, categories, current):
    try:
        query = View.parse(tickers or [], start, end, categories or []).query()
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
def apply_range(_clicks, tickers):
    if not ctx.triggered_id or not any(_clicks):
        raise PreventUpdate
    svc = services()
    try:
        symbols = View.parse(tickers or []).tickers
    except MinerdashError:
        raise PreventUpdate from None
    status = svc.status()
    status = status[status["ticker"].isin(symbols or svc.stored_tickers()) & (status["rows"] > 0)]
    if status.empty:
        raise PreventUpdate
    last, first = max(status["last_date"]), min(status["first_date"])
    return range_start(ctx.triggered_id["range"], last, first), last


@callback(
    Output("overview-download", "data"),
    Input("overview-download-button", "n_clicks"),
    State("overview-tickers", "value"),
    State("overview-dates", "start_date"),
    State("overview-dates", "end_date"),
    prevent_initial_call=True,
)
def download_prices(_clicks, tickers, start, end):
    svc = services()
    try:
        view = _defaults(svc, View.parse(tickers or [], start, end))
    except MinerdashError:
        raise PreventUpdate from None
    shown = [t for t in dict.fromkeys([*view.tickers, svc.settings.benchmark]) if t in svc.stored_tickers()]
    return prices_download(svc.prices(tuple(shown)), shown, view.start, view.end)
