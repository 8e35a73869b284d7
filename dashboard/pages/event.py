"""One event: how each miner and the equal-weight portfolio moved beyond what bitcoin explains."""

from urllib.parse import urlencode

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, ctx, dcc, html
from dash.exceptions import PreventUpdate

from dashboard.analytics.event_study import Windows
from dashboard.analytics.performance import to_rebased
from dashboard.components import THEME_STORE, csv_button, error_notice, figure_message, graph
from dashboard.csv_export import to_csv_text
from dashboard.errors import MinerdashError
from dashboard.figures import car_figure, event_marker, overview_figure
from dashboard.pages._grid import (
    DECIMAL,
    GRID_OPTIONS,
    PERCENT,
    PERCENT_PLAIN,
    SCIENTIFIC,
    column,
    records,
)
from dashboard.reactions import event_tickers, study_event
from dashboard.services import services
from dashboard.symbols import normalize_symbol, parse_symbols

dash.register_page(__name__, path_template="/events/<event_id>", name="Event study",
                   title="minerdash · Event study")

SUMMARY_COLUMNS = [
    column("ticker", "Ticker", pinned="left", width=100),
    column("car", "CAR", PERCENT),
    column("t_stat", "t", DECIMAL),
    column("p_value", "p", SCIENTIFIC),
    column("significant", "5% level", width=110),
    column("beta", "Beta", DECIMAL),
    column("alpha", "Alpha (daily)", PERCENT),
    column("sigma", "σ (daily)", PERCENT_PLAIN),
    column("n_days", "Days", width=90),
]
AROUND = 30  # sessions of price chart before and after the event
# The study's controls, in the order the callbacks take them.
CONTROLS = [("event-tickers", "value"), ("event-benchmark", "value"), ("event-estimation", "value"),
            ("event-gap", "value"), ("event-pre", "value"), ("event-post", "value")]


def _int(value, default):
    try:
        return int(value) if value not in (None, "") else default
    except (TypeError, ValueError):
        return default


def _number(component_id, label, value, low, high):
    return dbc.Col(dbc.InputGroup([dbc.InputGroupText(label),
                                   dbc.Input(id=component_id, type="number", min=low, max=high, step=1,
                                             value=value, debounce=True)], size="sm"), xs=6, md="auto")


def layout(event_id=None, tickers=None, benchmark=None, estimation=None, gap=None, pre=None, post=None,
           **_other):
    svc = services()
    try:
        event = svc.event(str(event_id or ""))
    except MinerdashError as exc:
        return html.Div([html.H2("Event study"), error_notice(str(exc), id="event-unknown"),
                         dcc.Link("All events", href="/events")])
    stored = svc.stored_tickers()
    try:
        chosen = parse_symbols(tickers) or event_tickers(event, svc.settings.tickers, stored)
        bench = normalize_symbol(benchmark or svc.settings.benchmark)
    except MinerdashError:
        chosen, bench = event_tickers(event, svc.settings.tickers, stored), svc.settings.benchmark
    defaults = Windows()
    return html.Div([
        dcc.Location(id="event-url", refresh="callback-nav"),
        dcc.Store(id="event-id", data=event.id),
        html.H2(event.title, id="event-title"),
        html.P([html.Span(f"Published {event.published_ny} · first session {event.session} · {event.category}"),
                html.Span(" · "),
                html.A("source", href=event.source, target="_blank", rel="noopener noreferrer")
                if event.source else html.Span("no source")], className="text-body-secondary mb-1"),
        html.P(event.summary or "", className="mb-3"),
        dbc.Row([
            dbc.Col(dcc.Dropdown(id="event-tickers", options=stored, value=[t for t in chosen if t in stored],
                                 multi=True, placeholder="Tickers…"), md=5),
            dbc.Col(dcc.Dropdown(id="event-benchmark", options=stored, value=bench, clearable=False),
                    md=2),
            _number("event-estimation", "Estimation", _int(estimation, defaults.estimation), 30, 500),
            _number("event-gap", "Gap", _int(gap, defaults.gap), 0, 250),
            _number("event-pre", "Pre", _int(pre, defaults.pre), 0, 30),
            _number("event-post", "Post", _int(post, defaults.post), 0, 30),
        ], className="g-2 mb-2 align-items-center"),
        html.Div(id="event-errors"),
        html.H5("Cumulative abnormal return (market model)"),
        graph("event-car"),
        dbc.Row([
            dbc.Col(html.H5("Summary"), width="auto"),
            dbc.Col([csv_button("event-download-summary", "Download summary CSV"),
                     csv_button("event-download-daily", "Download daily CSV")], width="auto"),
        ], className="align-items-center justify-content-between mt-3"),
        dag.AgGrid(id="event-summary", columnDefs=SUMMARY_COLUMNS, rowData=[], className="ag-theme-alpine",
                   dashGridOptions=GRID_OPTIONS, defaultColDef={"flex": 1, "minWidth": 90},
                   style={"height": None}),
        html.Small("CAR sums abnormal returns from day −pre to the last day; t = CAR / (σ·√days); "
                   "EW is the equal-weight portfolio of the tickers shown.", className="text-body-secondary"),
        html.H5(f"Prices around the event (rebased, ±{AROUND} sessions)", className="mt-4"),
        graph("event-prices"),
        dcc.Download(id="event-download"),
    ])


def _inputs(event_id, tickers, benchmark, estimation, gap, pre, post):
    windows = Windows(_int(estimation, 120), _int(gap, 10), _int(pre, 1), _int(post, 5)).validate()
    return event_id, tuple(parse_symbols(tickers or [])), normalize_symbol(benchmark or "BTC-USD"), windows


def run_study(svc, event_id, tickers, benchmark, windows):
    event = svc.event(event_id)

    def compute():
        prices = svc.prices(tuple(dict.fromkeys([*tickers, benchmark])))
        return study_event(svc.store, event, benchmark, windows, tickers=list(tickers) or None,
                           universe=svc.settings.tickers, prices=prices)

    return event, svc.memo("study", (event_id, tickers, benchmark, windows), compute)


@callback(
    Output("event-car", "figure"),
    Output("event-summary", "rowData"),
    Output("event-errors", "children"),
    Output("event-prices", "figure"),
    Input("event-id", "data"),
    *[Input(i, p) for i, p in CONTROLS],
    Input(THEME_STORE, "data"),
)
def update_event(event_id, tickers, benchmark, estimation, gap, pre, post, theme):
    svc = services()
    theme = theme if theme in ("light", "dark") else "light"
    try:
        args = _inputs(event_id, tickers, benchmark, estimation, gap, pre, post)
        if not args[1]:
            message = "Pick at least one ticker with stored prices."
            return figure_message(message, theme), [], None, figure_message(message, theme)
        event, result = run_study(svc, *args)
    except MinerdashError as exc:
        message = figure_message(str(exc), theme)
        return message, [], error_notice(str(exc)), message
    errors = [html.Li(reason) for reason in result.errors.values()]
    notice = dbc.Alert([html.Strong("Left out: "), html.Ul(errors, className="mb-0")], color="warning") \
        if errors else None
    if result.summary.empty:
        empty = figure_message("No ticker could be studied; see the messages above.", theme)
        return empty, [], notice, empty
    summary = result.summary.copy()
    summary["significant"] = ["yes ★" if p < 0.05 else "no" for p in summary["p_value"]]
    prices_figure = _prices_around(svc, event, args[1], args[2], theme)
    return car_figure(result.daily, theme), records(summary), notice, prices_figure


def _prices_around(svc, event, tickers, benchmark, theme):
    prices = svc.prices(tuple(dict.fromkeys([*tickers, benchmark])))
    session = pd.Timestamp(event.session)
    equity_dates = sorted(prices.loc[prices["ticker"].isin(tickers), "date"].unique())
    if not equity_dates:
        return figure_message("No prices around this event.", theme)
    position = pd.Index(equity_dates).searchsorted(session)
    lo = equity_dates[max(position - AROUND, 0)]
    hi = equity_dates[min(position + AROUND, len(equity_dates) - 1)]
    window = prices[(prices["date"] >= lo) & (prices["date"] <= hi)]
    wide = window.pivot(index="date", columns="ticker", values="adj_close")
    rebased = pd.DataFrame({t: to_rebased(wide[t]) for t in [*tickers, benchmark] if t in wide})
    return overview_figure(rebased, benchmark, [event_marker(event)], theme)


@callback(
    Output("event-download", "data"),
    Input("event-download-summary", "n_clicks"),
    Input("event-download-daily", "n_clicks"),
    State("event-id", "data"),
    *[State(i, p) for i, p in CONTROLS],
    prevent_initial_call=True,
)
def download_study(_summary, _daily, event_id, tickers, benchmark, estimation, gap, pre, post):
    svc = services()
    try:
        args = _inputs(event_id, tickers, benchmark, estimation, gap, pre, post)
        _event, result = run_study(svc, *args)
    except MinerdashError:
        raise PreventUpdate from None
    kind = "summary" if ctx.triggered_id == "event-download-summary" else "daily"
    frame = result.summary if kind == "summary" else result.daily
    return {"content": to_csv_text(frame), "type": "text/csv",
            "filename": f"minerdash-event-study-{event_id}-{kind}.csv"}


@callback(
    Output("event-url", "search"),
    *[Input(i, p) for i, p in CONTROLS],
    State("event-url", "search"),
    prevent_initial_call=True,
)
def sync_event_url(tickers, benchmark, estimation, gap, pre, post, current):
    try:
        _id, symbols, bench, windows = _inputs("", tickers, benchmark, estimation, gap, pre, post)
    except MinerdashError:
        raise PreventUpdate from None
    query = "?" + urlencode({"tickers": ",".join(symbols), "benchmark": bench,
                             "estimation": windows.estimation, "gap": windows.gap,
                             "pre": windows.pre, "post": windows.post}, safe=",")
    if query == (current or ""):
        raise PreventUpdate
    return query
