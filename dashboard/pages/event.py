"""One event: how each miner and the equal-weight portfolio moved beyond what bitcoin explains,
which other news shares the window, and the prices around it."""

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate

from dashboard.cached_reads import current_reads
from dashboard.callbacks import callback, clear_search_on_select, link_query, open_event_on_click
from dashboard.components import (
    THEME_STORE,
    csv_button,
    error_notice,
    figure_message,
    graph,
    link_problems,
    model_controls,
    notices,
    page_layout,
    window_controls,
)
from dashboard.errors import MinerdashError
from dashboard.exports import csv_download, filename, study_summary
from dashboard.figures.theme import theme_name
from dashboard.params import StudyParams
from dashboard.tables import Column, sort_state, sorting, table
from dashboard.viewmodels.event import AROUND, chosen_tickers, event_view, resolve

dash.register_page(__name__, path_template="/events/<event_id>", name="Event study",
                   title="minerdash · Event study")

SUMMARY_TABLE = [
    Column("ticker", "Ticker", "ticker"), Column("car", "CAR", "signed"), Column("t_stat", "t", "decimal"),
    Column("p_value", "p", "sci"), Column("significant", "5% level"),
    Column("days", "Days", "short", tip="Sessions of the event window the data covers"),
    Column("confounders", "Other news in the window", "events"), Column("beta", "Beta", "decimal"),
    Column("alpha", "Alpha (daily)", "signed"), Column("sigma", "σ (daily)", "percent"),
]
FACTOR_COLUMN = Column("beta_factor", "Beta (factor)", "decimal")


def summary_table(rows: list[dict], two_factor: bool, sort: dict | None = None):
    columns = SUMMARY_TABLE[:8] + [FACTOR_COLUMN] + SUMMARY_TABLE[8:] if two_factor else SUMMARY_TABLE
    return table("event-summary", columns, rows, sort)
# The study's controls, in the order the callbacks take them (StudyParams.parse's arguments).
CONTROLS = [("event-tickers", "value"), ("event-benchmark", "value"), ("event-model", "value"),
            ("event-factor", "value"), ("event-estimation", "value"), ("event-gap", "value"),
            ("event-pre", "value"), ("event-post", "value"), ("event-exclude", "value")]


@page_layout
def layout(event_id=None, theme=None, **query):
    """The page with its first study already drawn: no second round trip before the chart."""
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
    car, rows, summary, messages, prices, title, _disabled = _outputs(reads, event, params, theme_name(theme))
    return html.Div([
        dcc.Location(id="event-url", refresh=False),  # the view in the link, no page reload
        dcc.Store(id="event-id", data=event.id),
        dcc.Store(id="event-prices-click"),
        dcc.Store(id="event-rows", data=rows),
        sort_state("event-summary"),
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
            *model_controls("event", stored, params.benchmark, params.model,
                            params.factor or reads.settings.factor),
        ], className="g-2 mb-2 align-items-center"),
        window_controls("event", windows, "Leave tickers with other news in the window out of EW",
                        params.exclude_confounded),
        html.Div(messages, id="event-errors"),
        html.H5(title, id="event-car-title"),
        graph("event-car", figure=car),
        dbc.Row([
            dbc.Col(html.H5("Summary", className="mb-0"), width="auto"),
            dbc.Col([csv_button("event-download-summary", "Download summary CSV"),
                     csv_button("event-download-daily", "Download daily CSV")], width="auto"),
        ], className="align-items-center justify-content-between mt-3 g-1"),
        html.Div(summary, id="event-summary"),
        html.Small("CAR sums abnormal returns from day −pre to the last day; t = CAR / (σ·√days); "
                   "EW is the equal-weight portfolio of the tickers shown. Days shows how much of the "
                   "window the data covers.", className="text-body-secondary"),
        html.H5(f"Prices around the event (rebased, ±{AROUND} sessions)", className="mt-4"),
        graph("event-prices", figure=prices),
        dcc.Download(id="event-download"),
        dcc.Download(id="event-daily-download"),
    ])


def _params(tickers, benchmark, model, factor, estimation, gap, pre, post, exclude) -> StudyParams:
    params = StudyParams.parse(tickers or [], benchmark, model, factor, estimation, gap, pre, post,
                               "1" if exclude else None)
    return resolve(current_reads(), params)


def _outputs(reads, event, params: StudyParams, theme: str, sort: dict | None = None) -> tuple:
    """CAR figure, summary rows and table, notices, prices figure, title, factor disabled."""
    title = "Cumulative abnormal return (market model)"
    two_factor = params.model == "two-factor"
    if two_factor:
        title = f"Cumulative abnormal return (two-factor: {params.benchmark} and {params.factor})"
    if not chosen_tickers(reads, event, params):
        message = figure_message("Pick at least one ticker with stored prices.", theme)
        return message, [], None, None, message, title, not two_factor
    result = event_view(reads, event, params, theme)
    prices = result.get("prices") or figure_message("No prices around this event.", theme)
    if "error" in result:
        return (figure_message(result["error"], theme), [], None, error_notice(result["error"]), prices, title,
                not two_factor)
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
    summary = result["summary"]
    rows = summary.astype(object).where(summary.notna(), None).to_dict("records")
    return car, rows, summary_table(rows, two_factor, sort), html.Div(messages), prices, title, not two_factor


@callback(
    Output("event-car", "figure"),
    Output("event-rows", "data"),
    Output("event-summary", "children"),
    Output("event-errors", "children"),
    Output("event-prices", "figure"),
    Output("event-car-title", "children"),
    Output("event-factor", "disabled"),
    Input("event-id", "data"),
    *[Input(i, p) for i, p in CONTROLS],
    Input(THEME_STORE, "data"),
    State({"type": "sort-state", "table": "event-summary"}, "data"),
    prevent_initial_call=True,
)
def update_event(event_id, tickers, benchmark, model, factor, estimation, gap, pre, post, exclude, theme,
                 sort=None):
    reads = current_reads()
    theme = theme_name(theme)
    try:
        params = _params(tickers, benchmark, model, factor, estimation, gap, pre, post, exclude)
        return _outputs(reads, reads.event(event_id), params, theme, sort)
    except MinerdashError as exc:
        message = figure_message(str(exc), theme)
        return message, [], None, error_notice(str(exc)), message, dash.no_update, model != "two-factor"


@callback(
    Output("event-summary", "children", allow_duplicate=True),
    sorting("event-summary"),
    State("event-rows", "data"),
    State("event-model", "value"),
    prevent_initial_call=True,
)
def sort_summary(sort, rows, model):
    if not sort:
        raise PreventUpdate
    return summary_table(rows or [], model == "two-factor", sort)


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
    return link_query(lambda: StudyParams.parse(tickers or [], benchmark, model, factor, estimation, gap, pre,
                                                post, "1" if exclude else None).query(), current)


open_event_on_click("event-prices")
clear_search_on_select("event-tickers")
