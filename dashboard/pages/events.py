"""The news catalogue: filter by category, origin and text, sort by any column, each event linking
to its study; the current filter can be sent on to the cross-event study."""

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html

from dashboard.cached_reads import current_reads
from dashboard.callbacks import callback
from dashboard.components import csv_button, freshness_line, page_layout
from dashboard.events.model import CATEGORIES, LIST_COLUMNS, ORIGINS
from dashboard.exports import csv_download
from dashboard.params import CaarParams, Selection, parse_choices
from dashboard.tables import NEWEST_FIRST, Column, sort_state, sorting, table
from dashboard.viewmodels.events import event_rows
from dashboard.viewmodels.freshness import freshness

dash.register_page(__name__, path="/events", name="Events", title="minerdash · Events", order=2, nav=True)

EVENTS_TABLE = [
    Column("session", "Session", "date", "The first NYSE session that could react"),
    Column("title", "Event", "event"),
    Column("car", "EW CAR(−1,+5)", "signed", "The event's tickers' equal-weight abnormal return (its one ticker's "
                                             "when it names one), market model against bitcoin"),
    Column("category", "Category"), Column("origin", "From"), Column("tickers", "Tickers"),
    Column("published_ny", "Published", "date"), Column("overview_link", "Chart", "internal"),
    Column("source", "Source", "external"),
]
SHOWN = 200


def _filtered(rows, categories, origins, text):
    categories = parse_choices(categories or [], "categories", CATEGORIES, ())
    origins = parse_choices(origins or [], "origins", ORIGINS, ())
    chosen = rows[rows["category"].isin(categories) & rows["origin"].isin(origins)]
    words = str(text or "").lower().split()[:10]
    if words:
        haystack = (chosen["title"] + " " + chosen["tickers"] + " " + chosen["category"] + " " + chosen["origin"]
                    + " " + chosen["session"]).str.lower()
        for word in words:
            chosen = chosen[haystack[chosen.index].str.contains(word, regex=False)]
    return chosen, categories, origins


def events_table(rows, sort):
    records = rows.astype(object).where(rows.notna(), None).to_dict("records")
    return table("events", EVENTS_TABLE, records, sort or NEWEST_FIRST, limit=SHOWN)


@page_layout
def layout(**_query):
    reads = current_reads()
    rows = event_rows(reads)
    return html.Div([
        dbc.Row([
            dbc.Col(html.H2("Events", className="mb-0"), width="auto"),
            dbc.Col(dbc.Input(id="events-search", placeholder="Search: title, ticker, category…",
                              type="search", debounce=True, maxLength=100, size="sm"), xs=12, md=4),
            dbc.Col([csv_button("events-download-button", "Download CSV"),
                     dbc.Button("Study these events →", id="events-study-link", href="/studies", size="sm",
                                color="primary", outline=True, className="ms-1 my-1")], xs="auto"),
        ], className="g-2 align-items-center mb-2"),
        freshness_line(freshness(reads), reads.events_problem()),
        dbc.Row([
            dbc.Col([html.Small("Categories: ", className="text-body-secondary me-1"),
                     dbc.Checklist(id="events-categories", options=list(CATEGORIES), value=list(CATEGORIES),
                                   inline=True, className="d-inline")], xs=12, xl=7),
            dbc.Col([html.Small("From: ", className="text-body-secondary me-1"),
                     dbc.Checklist(id="events-origins", options=list(ORIGINS), value=list(ORIGINS),
                                   inline=True, className="d-inline")], xs=12, xl=5),
        ], className="mb-1"),
        html.P("Each event is drawn at the first NYSE session in which the market could react. "
               "Open one to see how each miner moved beyond what bitcoin explains; click a header to sort.",
               className="text-body-secondary small"),
        sort_state("events", NEWEST_FIRST),
        html.Div(events_table(rows, NEWEST_FIRST), id="events-list"),
        dcc.Download(id="events-download"),
    ])


@callback(
    Output("events-list", "children"),
    Output("events-study-link", "href"),
    Input("events-search", "value"),
    Input("events-categories", "value"),
    Input("events-origins", "value"),
    sorting("events"),
    prevent_initial_call=True,
)
def filter_events(text, categories, origins, sort):
    rows, categories, origins = _filtered(event_rows(current_reads()), categories, origins, text)
    selection = Selection(categories=categories if categories != CATEGORIES else (),
                          origins=origins if origins != ORIGINS else ())
    return events_table(rows, sort), "/studies" + CaarParams(selection=selection).query()


@callback(
    Output("events-download", "data"),
    Input("events-download-button", "n_clicks"),
    State("events-search", "value"),
    State("events-categories", "value"),
    State("events-origins", "value"),
    prevent_initial_call=True,
)
def download_events(_clicks, text, categories, origins):
    rows, *_ = _filtered(event_rows(current_reads()), categories, origins, text)
    return csv_download(rows[LIST_COLUMNS + ["summary", "origin", "car"]], "minerdash-events.csv")
