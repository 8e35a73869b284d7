"""One ticker: candlestick and volume, its events, rolling beta/correlation to bitcoin, drawdown."""

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, dcc, html
from dash.exceptions import PreventUpdate

from dashboard.analytics.performance import to_drawdown, to_rolling_beta, to_rolling_correlation
from dashboard.analytics.summary import calc_ticker_summary
from dashboard.components import (
    LOAD_HELP,
    THEME_STORE,
    csv_button,
    error_notice,
    figure_message,
    freshness_line,
    graph,
)
from dashboard.errors import MinerdashError
from dashboard.events.catalogue import events_frame
from dashboard.exports import prices_download
from dashboard.figures import drawdown_figure, event_marker, price_figure, rolling_figure
from dashboard.pages._grid import GRID_OPTIONS, column, records
from dashboard.services import services
from dashboard.symbols import normalize_symbol
from dashboard.view_params import View, range_start

dash.register_page(__name__, path_template="/ticker/<ticker>", path="/ticker/MARA", name="Ticker",
                   title="minerdash · Ticker", order=1, nav=True)

ROLLING_WINDOW = 60
EVENT_COLUMNS = [column("session", "Session", width=120), column("title", "Title", flex=3),
                 column("category", "Category", width=120), column("source", "Source", flex=2)]


def unknown_ticker(symbol: str, reason: str, stored=()) -> html.Div:
    links = [dcc.Link(t, href=f"/ticker/{t}", className="me-2") for t in stored]
    return html.Div([
        html.H2(symbol),
        dbc.Alert([
            html.H5(reason, className="alert-heading", id="ticker-unknown"),
            html.P(["To add it, run ", html.Code(f"minerdash fetch --tickers {symbol}"),
                    " (Yahoo Finance) or ", html.Code(f"minerdash import-csv {symbol}.csv"),
                    " (a Yahoo-format CSV file), then reload this page."]),
            html.P(LOAD_HELP) if reason.startswith("No prices") else None,
            html.P(["Stored tickers: ", *links]) if links else None,
        ], color="warning"),
    ])


def layout(ticker=None, start=None, end=None, **_other):
    svc = services()
    try:
        symbol = normalize_symbol(ticker or "")
    except MinerdashError as exc:
        return unknown_ticker(str(ticker)[:20], f"Unknown ticker: {exc}", svc.stored_tickers())
    if symbol not in svc.stored_tickers():
        return unknown_ticker(symbol, f"{symbol} is not stored" if svc.stored_tickers()
                              else "No prices stored yet", svc.stored_tickers())
    try:
        view = View.parse([symbol], start, end)
    except MinerdashError as exc:
        return html.Div([html.H2(symbol), error_notice(str(exc))])
    _, lo, hi = _window(svc, symbol, view.start, view.end)
    return html.Div([
        dcc.Location(id="ticker-url", refresh="callback-nav"),
        dcc.Store(id="ticker-symbol", data=symbol),
        dbc.Row([
            dbc.Col(html.H2(symbol, className="mb-0"), width="auto"),
            dbc.Col(dcc.DatePickerRange(id="ticker-dates", start_date=lo.date(), end_date=hi.date(),
                                        display_format="YYYY-MM-DD", minimum_nights=0), width="auto"),
            dbc.Col(csv_button("ticker-download-button", "Download CSV"), width="auto"),
        ], className="g-2 align-items-center mb-2"),
        html.Div(freshness_line(svc.freshness([symbol]), svc.events_problem())),
        dbc.Row(id="ticker-stats", className="g-2 mb-2"),
        graph("ticker-price"),
        dbc.Row([
            dbc.Col([html.H5(f"Rolling {ROLLING_WINDOW}-session beta and correlation to "
                             f"{svc.settings.benchmark}"), graph("ticker-rolling")], lg=6),
            dbc.Col([html.H5("Drawdown"), graph("ticker-drawdown")], lg=6),
        ]),
        html.H5("Events", className="mt-3"),
        dag.AgGrid(id="ticker-events", columnDefs=EVENT_COLUMNS, rowData=[],
                   className="ag-theme-alpine", dashGridOptions=GRID_OPTIONS, style={"height": None}),
        dcc.Download(id="ticker-download"),
    ])


def _window(svc, symbol, start, end):
    prices = svc.prices((symbol,))
    last = prices["date"].max().date()
    end = pd.Timestamp(end or last)
    start = pd.Timestamp(start or range_start("1Y", end.date()))
    return prices, start, end


def _stat(label, value):
    return dbc.Col(dbc.Card(dbc.CardBody([html.Small(label, className="text-body-secondary"),
                                          html.Div(value, className="fs-5 fw-semibold")]),
                            className="h-100"), xs=6, md=3, lg=2)


def _fmt(value, spec):
    return "–" if value is None or pd.isna(value) else format(value, spec)


@callback(
    Output("ticker-price", "figure"),
    Output("ticker-rolling", "figure"),
    Output("ticker-drawdown", "figure"),
    Output("ticker-stats", "children"),
    Output("ticker-events", "rowData"),
    Input("ticker-symbol", "data"),
    Input("ticker-dates", "start_date"),
    Input("ticker-dates", "end_date"),
    Input(THEME_STORE, "data"),
)
def update_ticker(symbol, start, end, theme):
    svc = services()
    theme = theme if theme in ("light", "dark") else "light"
    try:
        view = View.parse([symbol], start, end)
    except MinerdashError as exc:
        message = figure_message(str(exc), theme)
        return message, message, message, [], []
    symbol = view.tickers[0]

    def compute():
        prices, lo, hi = _window(svc, symbol, view.start, view.end)
        shown = prices[(prices["date"] >= lo) & (prices["date"] <= hi)]
        benchmark = svc.settings.benchmark
        bench = svc.prices((benchmark,)).set_index("date")["adj_close"]
        events = [e for e in svc.events() if e.applies_to(symbol) and lo <= pd.Timestamp(e.session) <= hi]
        markers = [event_marker(e) for e in events]
        adj = prices.set_index("date")["adj_close"]
        beta = to_rolling_beta(adj, bench, ROLLING_WINDOW)
        corr = to_rolling_correlation(adj, bench, ROLLING_WINDOW)
        beta, corr = beta[(beta.index >= lo) & (beta.index <= hi)], corr[(corr.index >= lo) & (corr.index <= hi)]
        if shown.empty:
            empty = figure_message("No prices in this range.", theme)
            return empty, empty, empty, [], []
        rolling = rolling_figure(beta, corr, benchmark, theme).to_plotly_json() if beta.notna().any() \
            else figure_message(f"Not enough overlapping {benchmark} history for a "
                                f"{ROLLING_WINDOW}-session window.", theme)
        summary = calc_ticker_summary(prices, bench if not bench.empty else None, lo, hi)
        stats = [("Last close", _fmt(summary["last_close"], ",.2f")),
                 ("1D", _fmt(summary["return_1d"], "+.1%")), ("1M", _fmt(summary["return_1m"], "+.1%")),
                 ("YTD", _fmt(summary["return_ytd"], "+.1%")), ("1Y", _fmt(summary["return_1y"], "+.1%")),
                 ("Vol 30D", _fmt(summary["volatility_30d"], ".0%")),
                 ("Max DD (range)", _fmt(summary["max_drawdown"], ".1%")),
                 (f"Beta 90D vs {benchmark}", _fmt(summary["beta_90d"], ".2f")),
                 (f"Corr 90D vs {benchmark}", _fmt(summary["correlation_90d"], ".2f")),
                 ("As of", summary["as_of"] or "–")]
        table = events_frame(events)[["session", "title", "category", "source"]]
        return (price_figure(shown, markers, theme).to_plotly_json(), rolling,
                drawdown_figure(to_drawdown(shown.set_index("date")["adj_close"]), theme).to_plotly_json(),
                stats, records(table))

    price, rolling, drawdown, stats, rows = svc.memo("ticker", (view, theme), compute)
    return price, rolling, drawdown, [_stat(label, value) for label, value in stats], rows


@callback(
    Output("ticker-download", "data"),
    Input("ticker-download-button", "n_clicks"),
    State("ticker-symbol", "data"),
    State("ticker-dates", "start_date"),
    State("ticker-dates", "end_date"),
    prevent_initial_call=True,
)
def download_ticker(_clicks, symbol, start, end):
    svc = services()
    try:
        view = View.parse([symbol], start, end)
    except MinerdashError:
        raise PreventUpdate from None
    prices, lo, hi = _window(svc, view.tickers[0], view.start, view.end)
    return prices_download(prices, [view.tickers[0]], lo, hi)


@callback(
    Output("ticker-url", "search"),
    Input("ticker-dates", "start_date"),
    Input("ticker-dates", "end_date"),
    State("ticker-url", "search"),
    prevent_initial_call=True,
)
def sync_ticker_url(start, end, current):
    try:
        view = View.parse(None, start, end)
    except MinerdashError:
        raise PreventUpdate from None
    query = view.query()
    if query == (current or ""):
        raise PreventUpdate
    return query
