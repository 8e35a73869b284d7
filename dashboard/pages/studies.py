"""Across many events: the average abnormal reaction (CAAR) with its 95% band, the tests that hold
up when miners move together, and every unit behind the numbers."""

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate

from dashboard.analytics.caar import PATH_COLUMNS
from dashboard.cached_reads import current_reads
from dashboard.callbacks import callback, clear_search_on_select, link_query, wire_form
from dashboard.components import (
    THEME_STORE,
    csv_button,
    error_notice,
    figure_message,
    graph,
    link_problems,
    model_controls,
    page_layout,
    window_controls,
)
from dashboard.errors import MinerdashError
from dashboard.events.model import CATEGORIES, ORIGINS
from dashboard.exports import csv_download, filename
from dashboard.figures.theme import theme_name
from dashboard.params import CaarParams
from dashboard.studies import UNIT_COLUMNS
from dashboard.tables import Column, sort_state, sorting, table
from dashboard.viewmodels.studies import studies_view

dash.register_page(__name__, path="/studies", name="Studies", title="minerdash · Across events", order=3,
                   nav=True)

TESTS_TABLE = [Column("n", "Units"), Column("caar", "CAAR", "signed"), Column("t_cs", "t (cross-sectional)", "decimal"),
               Column("p_cs", "p", "sci"), Column("t_bmp", "t (standardized, BMP)", "decimal"),
               Column("p_bmp", "p", "sci"), Column("positive", "Positive"), Column("sign_p", "Sign test p", "sci"),
               Column("wilcoxon_p", "Wilcoxon p", "sci")]
UNITS_TABLE = [Column("event_id", "Event", "event"), Column("ticker", "Ticker"), Column("session", "Session", "date"),
               Column("counted", "Counted"), Column("car", "CAR", "signed"), Column("t_stat", "t", "decimal"),
               Column("reason", "Why left out")]
CONTROLS = [("studies-events", "data"), ("studies-categories", "value"), ("studies-origins", "value"),
            ("studies-ticker", "value"), ("studies-dates", "start_date"), ("studies-dates", "end_date"),
            ("studies-unit", "value"), ("studies-tickers", "value"), ("studies-benchmark", "value"),
            ("studies-model", "value"), ("studies-factor", "value"), ("studies-estimation", "value"),
            ("studies-gap", "value"), ("studies-pre", "value"), ("studies-post", "value"),
            ("studies-exclude", "value")]
UNIT_HELP = ("Pairs count each (event, ticker) once; events count each event's equal-weight portfolio once. "
             "Prefer events when one piece of news hits every miner at once: their abnormal returns that day "
             "move together, and counting pairs would overstate the evidence.")


def _params(events, categories, origins, ticker, since, until, unit, tickers, benchmark, model, factor,
            estimation, gap, pre, post, exclude) -> CaarParams:
    return CaarParams.parse(events or None, categories or None, origins or None, ticker or None, since, until, unit,
                            tickers=tickers or [], benchmark=benchmark, model=model, factor=factor,
                            estimation=estimation, gap=gap, pre=pre, post=post, exclude="1" if exclude else None)


def units_table(units, sort=None):
    shown = units.assign(ticker=units["ticker"].replace("", "–"),
                         counted=units["included"].map({True: "yes", False: "no"}))
    rows = shown.astype(object).where(shown.notna(), None).to_dict("records")
    return table("studies-units", UNITS_TABLE, rows, sort, limit=500)


@page_layout
def layout(theme=None, **query):
    reads = current_reads()
    stored = reads.stored_tickers()
    params, problems = CaarParams.from_link(**query)
    selection, study = params.selection, params.study
    resolved = study.resolved(reads.settings.benchmark, reads.settings.factor)
    outputs = _outputs(reads, params, theme_name(theme))
    windows = study.windows
    return html.Div([
        dcc.Location(id="studies-url", refresh=False),  # the view in the link, no page reload
        dcc.Store(id="studies-events", data=list(selection.ids)),
        sort_state("studies-units"),
        html.H2("Across events", className="mb-1"),
        html.P("The average abnormal return of many events, day by day, with the tests that hold up when the "
               "miners move together. Every number traces back to the units listed below.",
               className="text-body-secondary"),
        link_problems(problems, "studies-url-error"),
        html.Div([html.Span(f"Chosen events: {', '.join(selection.ids)} "),
                  dcc.Link("(choose by filters instead)", href="/studies")], className="mb-2 small")
        if selection.ids else None,
        dbc.Row([
            dbc.Col([html.Small("Categories: ", className="text-body-secondary me-1"),
                     dbc.Checklist(id="studies-categories", options=list(CATEGORIES),
                                   value=list(selection.categories), inline=True, className="d-inline")], xs=12, xl=7),
            dbc.Col([html.Small("From: ", className="text-body-secondary me-1"),
                     dbc.Checklist(id="studies-origins", options=list(ORIGINS), value=list(selection.origins),
                                   inline=True, className="d-inline")], xs=12, xl=5),
        ], className="mb-1"),
        dbc.Row([
            dbc.Col(dcc.Dropdown(id="studies-ticker", options=stored, value=selection.ticker,
                                 placeholder="Events of one ticker…"), xs=6, md=2),
            dbc.Col(dcc.DatePickerRange(id="studies-dates", start_date=selection.since, end_date=selection.until,
                                        display_format="YYYY-MM-DD", start_date_placeholder_text="Since",
                                        end_date_placeholder_text="Until", clearable=True), xs=12, md="auto"),
            dbc.Col(dcc.Dropdown(id="studies-tickers", options=stored, value=list(study.tickers), multi=True,
                                 placeholder=f"Tickers: {', '.join(reads.settings.tickers)}",
                                 closeOnSelect=False), xs=12, md=4),
        ], className="g-2 mb-2 align-items-center"),
        dbc.Row([
            dbc.Col(dbc.RadioItems(id="studies-unit", options=[{"label": "Units: pairs", "value": "pair"},
                                                               {"label": "events (EW)", "value": "event"}],
                                   value=params.unit, inline=True), xs=12, md="auto"),
            *model_controls("studies", stored, resolved.benchmark, study.model,
                            study.factor or reads.settings.factor),
        ], className="g-2 mb-2 align-items-center"),
        window_controls("studies", windows, "Leave out pairs with other news of the ticker in the event window",
                        study.exclude_confounded),
        html.Small(UNIT_HELP, className="text-body-secondary d-block mb-2"),
        html.Div(outputs[3], id="studies-message"),
        html.H5("Cumulative average abnormal return, with its 95% band"),
        graph("studies-caar", figure=outputs[0]),
        dbc.Row([
            dbc.Col(html.H5("Tests", className="mb-0"), width="auto"),
            dbc.Col([csv_button("studies-download-path", "Download CAAR CSV"),
                     csv_button("studies-download-summary", "Download tests CSV"),
                     csv_button("studies-download-units", "Download units CSV")], width="auto"),
        ], className="align-items-center justify-content-between mt-3 g-1"),
        html.P(outputs[1], id="studies-sentence", className="mb-1"),
        html.Div(outputs[2], id="studies-tests"),
        html.H5("Units", className="mt-3"),
        html.Div(outputs[4], id="studies-units"),
        *[dcc.Download(id=f"studies-download-{kind}-file") for kind in ("path", "summary", "units")],
    ])


def _outputs(reads, params: CaarParams, theme: str, sort=None) -> tuple:
    """CAAR figure, sentence, tests table, message, units table."""
    result = studies_view(reads, params, theme)
    if "error" in result:
        return figure_message(result["error"], theme), "", None, error_notice(result["error"], id="studies-error"), None
    summary = result["summary"].astype(object).to_dict("records")
    note = (dbc.Alert(f"{result['left_out']} unit{'s' if result['left_out'] != 1 else ''} left out: each is listed "
                      "below with the reason.", color="info", className="py-2") if result["left_out"] else None)
    return (result["figure"], result["sentence"], table("studies-tests", TESTS_TABLE, summary), note,
            units_table(result["units"], sort))


@callback(
    Output("studies-caar", "figure"),
    Output("studies-sentence", "children"),
    Output("studies-tests", "children"),
    Output("studies-message", "children"),
    Output("studies-units", "children"),
    Output("studies-factor", "disabled"),
    *[Input(i, p) for i, p in CONTROLS],
    Input(THEME_STORE, "data"),
    sorting("studies-units"),
    prevent_initial_call=True,
)
def update_studies(*values):
    *controls, theme, sort = values
    theme = theme_name(theme)
    disabled = controls[9] != "two-factor"
    try:
        params = _params(*controls)
    except MinerdashError as exc:
        message = figure_message(str(exc), theme)
        return message, "", None, error_notice(str(exc)), None, disabled
    reads = current_reads()  # the whole answer is kept: a repeated view costs one cache read
    return (*reads.memo("studies-outputs", (params, theme, sort),
                        lambda: wire_form(_outputs(reads, params, theme, sort))), disabled)


@callback(
    Output("studies-url", "search"),
    *[Input(i, p) for i, p in CONTROLS],
    State("studies-url", "search"),
    prevent_initial_call=True,
)
def sync_studies_url(*values):
    *controls, current = values
    return link_query(lambda: _params(*controls).query(), current)


def _result(controls, theme):
    try:
        params = _params(*controls)
    except MinerdashError:
        raise PreventUpdate from None
    result = studies_view(current_reads(), params, theme_name(theme))
    if "error" in result:
        raise PreventUpdate
    return result


def _download(kind: str):
    """A CSV button: the CAAR path (day,n,aar,caar), the tests (one row) or the units, as the CLI writes them."""
    pick = {"path": lambda r: r["path"][PATH_COLUMNS], "summary": lambda r: r["summary"],
            "units": lambda r: r["units"][UNIT_COLUMNS]}[kind]

    @callback(
        Output(f"studies-download-{kind}-file", "data"),
        Input(f"studies-download-{kind}", "n_clicks"),
        *[State(i, p) for i, p in CONTROLS],
        State(THEME_STORE, "data"),
        prevent_initial_call=True,
    )
    def download(_clicks, *values):
        *controls, theme = values
        return csv_download(pick(_result(controls, theme)), filename("caar", kind))

    return download


download_path, download_summary, download_units = (_download(k) for k in ("path", "summary", "units"))
clear_search_on_select("studies-tickers")
