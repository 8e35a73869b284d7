"""One ticker: a picker and range buttons, candlesticks and volume on its own calendar, its news,
rolling beta and correlation to bitcoin, drawdown, statistics and data-quality notices."""

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from dashboard.cached_reads import current_reads
from dashboard.callbacks import callback, link_query, open_event_on_click
from dashboard.components import (
    LOAD_HELP,
    THEME_STORE,
    csv_button,
    figure_message,
    freshness_line,
    graph,
    link_problems,
    notices,
    page_layout,
)
from dashboard.errors import InputError, MinerdashError
from dashboard.exports import prices_download
from dashboard.figures.theme import theme_name
from dashboard.params import RANGES, parse_day
from dashboard.symbols import normalize_symbol
from dashboard.tables import NEWEST_FIRST, Column, sort_state, sorting, table
from dashboard.viewmodels.freshness import freshness, range_dates
from dashboard.viewmodels.ticker import ROLLING_WINDOW, TickerView, ticker_view, window

dash.register_page(__name__, path_template="/ticker/<ticker>", path="/ticker/MARA", name="Ticker",
                   title="minerdash · Ticker", order=1, nav=True)

EVENTS_TABLE = [Column("session", "Session", "date"), Column("title", "Event", "event"), Column("category", "Category"),
                Column("origin", "From"), Column("source", "Source", "external")]
EVENTS_SHOWN = 100


def events_table(rows: list[dict], search: str | None, sort: dict | None):
    """The ticker's events, newest first unless sorted otherwise, narrowed by the search text."""
    words = str(search or "").lower().split()[:10]
    if words:
        rows = [r for r in rows if all(w in f"{r['title']} {r['category']} {r['origin']} {r['session']}".lower()
                                       for w in words)]
    return table("ticker-events", EVENTS_TABLE, rows, sort or NEWEST_FIRST,
                 limit=EVENTS_SHOWN)


def unknown_ticker(shown: str, reason: str, stored=(), suggestion: str | None = None) -> html.Div:
    links = [dcc.Link(t, href=f"/ticker/{t}", className="me-2 d-inline-block") for t in stored]
    how = (["To add it, run ", html.Code(f"minerdash fetch --tickers {suggestion}"),
            " (Yahoo Finance) or ", html.Code(f"minerdash import-csv {suggestion}.csv"),
            " (a Yahoo-format CSV file), then reload this page."] if suggestion
           else ["A ticker is a letter or digit followed by letters, digits, '.', '-' or '='."])
    return html.Div([
        html.H2(shown, className="text-break"),
        dbc.Alert([
            html.H5(reason, className="alert-heading text-break", id="ticker-unknown"),
            html.P(how),
            html.P(LOAD_HELP) if reason.startswith("No prices") else None,
            html.P(["Stored tickers: ", *links], className="text-wrap") if links else None,
        ], color="warning"),
    ])


def _range_buttons():
    return dbc.ButtonGroup([dbc.Button(label, id={"type": "ticker-range", "range": label}, color="secondary",
                                       outline=True, size="sm") for label in RANGES], className="flex-wrap")


@page_layout
def layout(ticker=None, start=None, end=None, theme=None, **_other):
    """The page with its first view already drawn: no second round trip before the chart."""
    reads = current_reads()
    stored = reads.stored_tickers()
    raw = str(ticker or "")[:40]
    try:
        symbol = normalize_symbol(raw)
    except InputError as exc:
        return unknown_ticker(raw[:20], f"Unknown ticker: {exc}", stored)
    if symbol not in stored:
        return unknown_ticker(symbol, f"{symbol} is not stored" if stored else "No prices stored yet",
                              stored, suggestion=symbol)
    problems = []
    try:
        first, last = parse_day(start, "start"), parse_day(end, "end")
    except InputError as exc:
        problems.append(str(exc))
        first = last = None
    view = window(reads, symbol, first, last)
    price, rolling, drawdown, cards, rows, warning = _outputs(reads, view, theme_name(theme))
    return html.Div([
        dcc.Location(id="ticker-url", refresh=False),  # the dates in the link, no page reload
        dcc.Location(id="ticker-nav", refresh="callback-nav"),  # another ticker: its own page
        dcc.Store(id="ticker-price-click"),
        link_problems(problems, "ticker-url-error"),
        dbc.Row([
            dbc.Col(dcc.Dropdown(id="ticker-picker", options=stored, value=symbol, clearable=False,
                                 searchable=True, style={"minWidth": "9rem"}), xs=5, md="auto"),
            dbc.Col(dcc.DatePickerRange(id="ticker-dates", start_date=view.start, end_date=view.end,
                                        display_format="YYYY-MM-DD", minimum_nights=0), xs=12, md="auto"),
            dbc.Col(_range_buttons(), xs=12, md="auto"),
            dbc.Col(csv_button("ticker-download-button", "Download CSV"), xs="auto"),
        ], className="g-2 align-items-center mb-2"),
        html.Div(freshness_line(freshness(reads, [symbol]), reads.events_problem())),
        html.Div(warning, id="ticker-notices"),
        dbc.Row(cards, id="ticker-stats", className="g-2 mb-2"),
        graph("ticker-price", figure=price),
        dbc.Row([
            dbc.Col([html.H5(f"Rolling {ROLLING_WINDOW}-session beta and correlation to "
                             f"{reads.settings.benchmark}"), graph("ticker-rolling", figure=rolling)], lg=6),
            dbc.Col([html.H5("Drawdown"), graph("ticker-drawdown", figure=drawdown)], lg=6),
        ]),
        dbc.Row([
            dbc.Col(html.H5("Events", className="mb-0"), width="auto"),
            dbc.Col(dbc.Input(id="ticker-events-search", placeholder="Search the events…", type="search",
                              debounce=True, maxLength=100, size="sm"), xs=12, md=4),
        ], className="g-2 mt-3 mb-1 align-items-center"),
        sort_state("ticker-events", NEWEST_FIRST),
        dcc.Store(id="ticker-event-rows", data=rows),
        html.Div(events_table(rows, None, None), id="ticker-events"),
        dcc.Download(id="ticker-download"),
    ])


def _stat(label, value):
    return dbc.Col(dbc.Card(dbc.CardBody([html.Small(label, className="text-body-secondary d-block lh-sm"),
                                          html.Div(value, className="stat-value fw-semibold")], className="p-2"),
                            className="h-100"), xs=4, md=3, lg=2)


def _outputs(reads, view: TickerView, theme: str) -> tuple:
    """Price, rolling and drawdown figures, statistics cards, event rows and the quality notice."""
    result = ticker_view(reads, view, theme)
    if "empty" in result:
        message = figure_message(result["empty"], theme)
        return message, message, message, [], [], None
    flags = result["flags"]
    shown = [f"{r.date:%Y-%m-%d} {r.check}: {r.detail}" for r in flags.head(5).itertuples()]
    if len(flags) > 5:
        shown.append(f"… and {len(flags) - 5} more: `minerdash check-data --tickers {view.symbol}` lists them all.")
    warning = notices([f"The data of {view.symbol} is suspect in this range: " + " · ".join(shown)],
                      id="ticker-quality") if shown else None
    rolling = result["rolling"] or figure_message(
        result["rolling_note"] or f"{view.symbol} is the benchmark: no beta to itself.", theme)
    return (result["price"], rolling, result["drawdown"], [_stat(label, value) for label, value in result["cards"]],
            result["events"], warning)


@callback(
    Output("ticker-price", "figure"),
    Output("ticker-rolling", "figure"),
    Output("ticker-drawdown", "figure"),
    Output("ticker-stats", "children"),
    Output("ticker-event-rows", "data"),
    Output("ticker-notices", "children"),
    Output("ticker-dates", "start_date"),
    Output("ticker-dates", "end_date"),
    Input("ticker-picker", "value"),
    Input("ticker-dates", "start_date"),
    Input("ticker-dates", "end_date"),
    Input(THEME_STORE, "data"),
    Input({"type": "ticker-range", "range": ALL}, "n_clicks"),
    prevent_initial_call=True,
)
def update_ticker(symbol, start, end, theme, clicks=None):
    """The charts, statistics and events of a ticker over the picked dates. A range button sets the
    dates and draws them in the same answer (a separate callback setting the dates first cost a
    round trip and a render before every redraw)."""
    reads = current_reads()
    theme = theme_name(theme)
    dates = (no_update, no_update)
    try:
        symbol = normalize_symbol(symbol or "")
        picked = any(clicks or []) and isinstance(ctx.triggered_id, dict) and range_dates(
            reads, [symbol], ctx.triggered_id["range"])
        if picked:
            dates = start, end = picked
        view = TickerView(symbol, parse_day(start, "start"), parse_day(end, "end"))
        if view.start is None or view.end is None or view.start > view.end:
            view = window(reads, symbol, view.start if view.end is None else None, view.end)
        return (*_outputs(reads, view, theme), *dates)
    except MinerdashError as exc:
        message = figure_message(str(exc), theme)
        return message, message, message, [], [], None, *dates


@callback(
    Output("ticker-events", "children"),
    Input("ticker-event-rows", "data"),
    Input("ticker-events-search", "value"),
    sorting("ticker-events"),
    prevent_initial_call=True,
)
def render_ticker_events(rows, search, sort):
    return events_table(rows or [], search, sort)


@callback(
    Output("ticker-download", "data"),
    Input("ticker-download-button", "n_clicks"),
    State("ticker-picker", "value"),
    State("ticker-dates", "start_date"),
    State("ticker-dates", "end_date"),
    prevent_initial_call=True,
)
def download_ticker(_clicks, symbol, start, end):
    reads = current_reads()
    try:
        symbol = normalize_symbol(symbol or "")
        view = window(reads, symbol, parse_day(start, "start"), parse_day(end, "end"))
    except MinerdashError:
        raise PreventUpdate from None
    return prices_download(reads.prices((symbol,)), [symbol], view.start, view.end)


def _dates_query(start, end) -> str:
    first, last = parse_day(start, "start"), parse_day(end, "end")
    return "?" + "&".join(f"{k}={v}" for k, v in (("start", first), ("end", last)) if v) if first or last else ""


@callback(
    Output("ticker-url", "search"),
    Input("ticker-dates", "start_date"),
    Input("ticker-dates", "end_date"),
    State("ticker-url", "search"),
    prevent_initial_call=True,
)
def sync_ticker_url(start, end, current):
    return link_query(lambda: _dates_query(start, end), current)


@callback(
    Output("ticker-nav", "href"),
    Input("ticker-picker", "value"),
    State("ticker-dates", "start_date"),
    State("ticker-dates", "end_date"),
    State("ticker-url", "pathname"),
    prevent_initial_call=True,
)
def open_ticker(symbol, start, end, path):
    """Another ticker in the picker: its page, over the same dates."""
    try:
        symbol = normalize_symbol(symbol or "")
        query = _dates_query(start, end)
    except MinerdashError:
        raise PreventUpdate from None
    if path == f"/ticker/{symbol}":
        raise PreventUpdate
    return f"/ticker/{symbol}{query}"


open_event_on_click("ticker-price")
