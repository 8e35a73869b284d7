"""The news catalogue as a sortable, filterable table, each event linking to its study, and the
current filter sent on to the cross-event study."""

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html

from dashboard.cached_reads import current_reads
from dashboard.callbacks import callback
from dashboard.components import csv_button, freshness_line, page_layout
from dashboard.events.model import CATEGORIES, LIST_COLUMNS, ORIGINS
from dashboard.exports import csv_download
from dashboard.pages._grid import GRID_OPTIONS, PERCENT, column, records
from dashboard.params import CaarParams, Selection, parse_choices
from dashboard.viewmodels.events import event_rows
from dashboard.viewmodels.freshness import freshness

dash.register_page(__name__, path="/events", name="Events", title="minerdash · Events", order=2, nav=True)

COLUMNS = [
    column("session", "Session", filter="agDateColumnFilter", width=118, sort="desc",
           filterParams={"comparator": {"function": "dateFilterComparator"}, "browserDatePicker": True}),
    column("title", "Event", filter="agTextColumnFilter", cellRenderer="EventLink", flex=3, minWidth=220,
           wrapText=True, autoHeight=True, pinned="left"),
    column("car", "EW CAR(−1,+5)", PERCENT, width=120, filter="agNumberColumnFilter"),
    column("category", "Category", filter="agTextColumnFilter", width=115),
    column("origin", "From", filter="agTextColumnFilter", width=100),
    column("tickers", "Tickers", filter="agTextColumnFilter", width=130),
    column("published_ny", "Published", filter="agTextColumnFilter", width=200),
    column("overview_link", "Chart", cellRenderer="InternalLink", sortable=False, filter=False, width=90),
    column("source", "Source", cellRenderer="ExternalLink", filter="agTextColumnFilter", width=150),
]
_PAGING = {"pagination": True, "paginationPageSize": 50}


@page_layout
def layout(**_query):
    reads = current_reads()
    rows = event_rows(reads)
    return html.Div([
        dbc.Row([
            dbc.Col(html.H2("Events", className="mb-0"), width="auto"),
            dbc.Col(dbc.Input(id="events-search", placeholder="Filter: title, ticker, category…",
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
               "Open one to see how each miner moved beyond what bitcoin explains.",
               className="text-body-secondary small"),
        dag.AgGrid(id="events-table", columnDefs=COLUMNS, rowData=records(rows), className="ag-theme-alpine",
                   dashGridOptions={**GRID_OPTIONS, **_PAGING}, defaultColDef={"filter": True},
                   style={"height": None}),
        dcc.Download(id="events-download"),
    ])


def _filtered(rows, categories, origins):
    categories = parse_choices(categories or [], "categories", CATEGORIES, ())
    origins = parse_choices(origins or [], "origins", ORIGINS, ())
    return rows[rows["category"].isin(categories) & rows["origin"].isin(origins)], categories, origins


@callback(
    Output("events-table", "rowData"),
    Output("events-table", "dashGridOptions"),
    Output("events-study-link", "href"),
    Input("events-search", "value"),
    Input("events-categories", "value"),
    Input("events-origins", "value"),
)
def filter_events(text, categories, origins):
    rows, categories, origins = _filtered(event_rows(current_reads()), categories, origins)
    selection = Selection(categories=categories if categories != CATEGORIES else (),
                          origins=origins if origins != ORIGINS else ())
    return (records(rows), {**GRID_OPTIONS, **_PAGING, "quickFilterText": str(text or "")[:100]},
            "/studies" + CaarParams(selection=selection).query())


@callback(
    Output("events-download", "data"),
    Input("events-download-button", "n_clicks"),
    State("events-categories", "value"),
    State("events-origins", "value"),
    prevent_initial_call=True,
)
def download_events(_clicks, categories, origins):
    rows, *_ = _filtered(event_rows(current_reads()), categories, origins)
    return csv_download(rows[LIST_COLUMNS + ["summary", "origin", "car"]], "minerdash-events.csv")
