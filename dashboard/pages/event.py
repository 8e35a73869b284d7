"""One event: how each miner and the equal-weight portfolio moved beyond what bitcoin explains,
which other news shares the window, and the prices around it."""

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate

from dashboard.cached_reads import current_reads
from dashboard.callbacks import callback, open_event_on_click
from dashboard.components import (
    THEME_STORE,
    csv_button,
    error_notice,
    figure_message,
    graph,
    link_problems,
    notices,
    page_layout,
)
from dashboard.errors import MinerdashError
from dashboard.exports import csv_download, filename, study_summary
from dashboard.figures.theme import theme_name
from dashboard.pages._grid import (
    DECIMAL,
    GRID_OPTIONS,
    PERCENT,
    PERCENT_PLAIN,
    SCIENTIFIC,
    column,
    records,
)
from dashboard.params import StudyParams
from dashboard.viewmodels.event import AROUND, chosen_tickers, event_view, resolve

dash.register_page(__name__, path_template="/events/<event_id>", name="Event study",
                   title="minerdash · Event study")

SUMMARY_GRID = [
    column("ticker", "Ticker", pinned="left", width=90, cellRenderer="TickerLink"),
    column("car", "CAR", PERCENT),
    column("t_stat", "t", DECIMAL),
    column("p_value", "p", SCIENTIFIC),
    column("significant", "5% level", width=100),
    column("days", "Days", width=95),
    column("confounders", "Other news in the window", flex=2, minWidth=200, wrapText=True, autoHeight=True),
    column("beta", "Beta", DECIMAL),
    column("beta_factor", "Beta (factor)", DECIMAL, hide=True),
    column("alpha", "Alpha (daily)", PERCENT),
    column("sigma", "σ (daily)", PERCENT_PLAIN),
]
# The study's controls, in the order the callbacks take them (StudyParams.parse's arguments).
CONTROLS = [("event-tickers", "value"), ("event-benchmark", "value"), ("event-model", "value"),
            ("event-factor", "value"), ("event-estimation", "value"), ("event-gap", "value"),
            ("event-pre", "value"), ("event-post", "value"), ("event-exclude", "value")]


def _number(component_id, label, value, low, high):
    return dbc.Col(dbc.InputGroup([dbc.InputGroupText(label),
                                   dbc.Input(id=component_id, type="number", min=low, max=high, step=1,
                                             value=value, debounce=True)], size="sm"), xs=6, md="auto")


@page_layout
def layout(event_id=None, **query):
    reads = current_reads()
    try:
        event = reads.event(str(event_id or ""))
    except MinerdashError as exc:
        return html.Div([html.H2("Event study"), error_notice(str(exc), id="event-unknown"),
                         dcc.Link("All events", href="/events")])
    stored = reads.stored_tickers()
    params, problems = StudyParams.from_link(**query)
    unstored = [t for t in params.tickers if t not in stored]
    for role, symbol in (("benchmark", params.benchmark), ("factor", params.factor)):
        if symbol and symbol not in stored:
            problems.append(f"{role} {symbol} is not stored")
    if unstored:
        problems.append(f"not stored: {', '.join(unstored)}")
    params = resolve(reads, StudyParams(
        tickers=tuple(t for t in params.tickers if t in stored),
        benchmark=params.benchmark if params.benchmark in stored else None, model=params.model,
        factor=params.factor if params.factor in stored else None, windows=params.windows,
        exclude_confounded=params.exclude_confounded))
    windows = params.windows
    return html.Div([
        dcc.Location(id="event-url", refresh="callback-nav"),
        dcc.Store(id="event-id", data=event.id),
        dcc.Store(id="event-prices-click"),
        link_problems(problems, "event-url-error"),
        html.H2(event.title, id="event-title", className="text-break"),
        html.P([html.Span(f"Published {event.published_ny} · first session {event.session} · "
                          f"{event.category} · {event.origin}"), html.Span(" · "),
                html.A("source", href=event.source, target="_blank", rel="noopener noreferrer")
                if event.source else html.Span("no source")], className="text-body-secondary mb-1"),
        html.P(event.summary or "", className="mb-3 text-break"),
        dbc.Row([
            dbc.Col(dcc.Dropdown(id="event-tickers", options=stored,
                                 value=chosen_tickers(reads, event, params), multi=True,
                                 placeholder="Tickers…", closeOnSelect=False), xs=12, md=5),
            dbc.Col(dcc.Dropdown(id="event-benchmark", options=stored, value=params.benchmark,
                                 clearable=False), xs=6, md=2),
            dbc.Col(dcc.Dropdown(id="event-model", options=[{"label": "Market model", "value": "market"},
                                                            {"label": "Two-factor", "value": "two-factor"}],
                                 value=params.model, clearable=False), xs=6, md=2),
            dbc.Col(dcc.Dropdown(id="event-factor", options=stored,
                                 value=params.factor or reads.settings.factor, clearable=False,
                                 disabled=params.model == "market"), xs=6, md=2),
        ], className="g-2 mb-2 align-items-center"),
        dbc.Row([
            _number("event-estimation", "Estimation (sessions)", windows.estimation, 30, 500),
            _number("event-gap", "Gap (sessions)", windows.gap, 0, 250),
            _number("event-pre", "Pre (sessions)", windows.pre, 0, 30),
            _number("event-post", "Post (sessions)", windows.post, 0, 30),
            dbc.Col(dbc.Checklist(id="event-exclude", options=[
                {"label": "Leave tickers with other news in the window out of EW", "value": "yes"}],
                value=["yes"] if params.exclude_confounded else [], switch=True), xs=12, md="auto"),
        ], className="g-2 mb-2 align-items-center"),
        html.Div(id="event-errors"),
        html.H5(id="event-car-title"),
        graph("event-car"),
        dbc.Row([
            dbc.Col(html.H5("Summary", className="mb-0"), width="auto"),
            dbc.Col([csv_button("event-download-summary", "Download summary CSV"),
                     csv_button("event-download-daily", "Download daily CSV")], width="auto"),
        ], className="align-items-center justify-content-between mt-3 g-1"),
        dag.AgGrid(id="event-summary", columnDefs=SUMMARY_GRID, rowData=[], className="ag-theme-alpine",
                   dashGridOptions=GRID_OPTIONS, defaultColDef={"flex": 1, "minWidth": 85},
                   style={"height": None}),
        html.Small("CAR sums abnormal returns from day −pre to the last day; t = CAR / (σ·√days); "
                   "EW is the equal-weight portfolio of the tickers shown. Days shows how much of the "
                   "window the data covers.", className="text-body-secondary"),
        html.H5(f"Prices around the event (rebased, ±{AROUND} sessions)", className="mt-4"),
        graph("event-prices"),
        dcc.Download(id="event-download"),
        dcc.Download(id="event-daily-download"),
    ])


def _params(tickers, benchmark, model, factor, estimation, gap, pre, post, exclude) -> StudyParams:
    params = StudyParams.parse(tickers or [], benchmark, model, factor, estimation, gap, pre, post,
                               "1" if exclude else None)
    return resolve(current_reads(), params)


@callback(
    Output("event-car", "figure"),
    Output("event-summary", "rowData"),
    Output("event-summary", "columnDefs"),
    Output("event-errors", "children"),
    Output("event-prices", "figure"),
    Output("event-car-title", "children"),
    Output("event-factor", "disabled"),
    Input("event-id", "data"),
    *[Input(i, p) for i, p in CONTROLS],
    Input(THEME_STORE, "data"),
)
def update_event(event_id, tickers, benchmark, model, factor, estimation, gap, pre, post, exclude, theme):
    reads = current_reads()
    theme = theme_name(theme)
    title = "Cumulative abnormal return (market model)"
    columns = SUMMARY_GRID
    try:
        params = _params(tickers, benchmark, model, factor, estimation, gap, pre, post, exclude)
        event = reads.event(event_id)
        if not params.tickers and not chosen_tickers(reads, event, params):
            message = figure_message("Pick at least one ticker with stored prices.", theme)
            return message, [], columns, None, message, title, model != "two-factor"
        result = event_view(reads, event, params, theme)
    except MinerdashError as exc:
        message = figure_message(str(exc), theme)
        return message, [], columns, error_notice(str(exc)), message, title, model != "two-factor"
    if params.model == "two-factor":
        title = f"Cumulative abnormal return (two-factor: {params.benchmark} and {params.factor})"
        columns = [{**c, "hide": False} if c["field"] == "beta_factor" else c for c in SUMMARY_GRID]
    prices = result.get("prices") or figure_message("No prices around this event.", theme)
    if "error" in result:
        return (figure_message(result["error"], theme), [], columns, error_notice(result["error"]), prices,
                title, params.model != "two-factor")
    messages = [notices(result["warnings"], color="danger", id="event-confounders")
                if result["warnings"] else None, notices(result["notices"], color="info")]
    if result["errors"]:
        messages.append(dbc.Alert([html.Strong("Left out: "), html.Ul([html.Li(e) for e in result["errors"]],
                                                                       className="mb-0")],
                                  color="warning", className="py-2", id="event-left-out"))
    if result["suggestion"]:
        messages.append(dbc.Alert(f"Try the benchmark {result['suggestion']}: its stored history covers the "
                                  "estimation window.", color="info", className="py-2", id="event-suggestion"))
    car = result["car"] or figure_message("No ticker could be studied; see the messages above.", theme)
    return (car, records(result["summary"]), columns, html.Div(messages), prices, title,
            params.model != "two-factor")


def _study(event_id, controls, theme):
    reads = current_reads()
    try:
        params = _params(*controls)
        event = reads.event(event_id)
        result = event_view(reads, event, params, theme_name(theme))
    except MinerdashError:
        raise PreventUpdate from None
    if "error" in result:
        raise PreventUpdate
    return event, params, result


@callback(
    Output("event-download", "data"),
    Input("event-download-summary", "n_clicks"),
    State("event-id", "data"),
    *[State(i, p) for i, p in CONTROLS],
    State(THEME_STORE, "data"),
    prevent_initial_call=True,
)
def download_summary(_clicks, event_id, *controls_and_theme):
    """The CLI's summary columns, then the day-0 session and the windows the study used."""
    event, params, result = _study(event_id, controls_and_theme[:-1], controls_and_theme[-1])
    frame = study_summary(result["summary"], event.session, params.windows, with_params=True)
    return csv_download(frame, filename("event-study", event.id, "summary"))


@callback(
    Output("event-daily-download", "data"),
    Input("event-download-daily", "n_clicks"),
    State("event-id", "data"),
    *[State(i, p) for i, p in CONTROLS],
    State(THEME_STORE, "data"),
    prevent_initial_call=True,
)
def download_daily(_clicks, event_id, *controls_and_theme):
    event, _params_used, result = _study(event_id, controls_and_theme[:-1], controls_and_theme[-1])
    return csv_download(result["daily"], filename("event-study", event.id, "daily"))


@callback(
    Output("event-url", "search"),
    *[Input(i, p) for i, p in CONTROLS],
    State("event-url", "search"),
    prevent_initial_call=True,
)
def sync_event_url(tickers, benchmark, model, factor, estimation, gap, pre, post, exclude, current):
    try:
        params = StudyParams.parse(tickers or [], benchmark, model, factor, estimation, gap, pre, post,
                                   "1" if exclude else None)
    except MinerdashError:
        raise PreventUpdate from None
    query = params.query()
    if query == (current or ""):
        raise PreventUpdate
    return query


open_event_on_click("event-prices")
