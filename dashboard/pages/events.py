"""The news catalogue as a sortable, filterable table, each event linking to its study."""

from datetime import timedelta

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, dcc, html

from dashboard.components import csv_button, freshness_line
from dashboard.csv_export import to_csv_text
from dashboard.events.catalogue import LIST_COLUMNS, events_frame
from dashboard.pages._grid import GRID_OPTIONS, column, records
from dashboard.services import services
from dashboard.view_params import View

dash.register_page(__name__, path="/events", name="Events", title="minerdash · Events", order=2, nav=True)

COLUMNS = [
    column("session", "Session", filter="agDateColumnFilter", width=120,
           filterParams={"comparator": {"function": "dateFilterComparator"}}, sort="desc"),
    column("published_ny", "Published", filter="agTextColumnFilter", width=215),
    column("title", "Event", filter="agTextColumnFilter", cellRenderer="EventLink", flex=3, minWidth=260),
    column("category", "Category", filter="agTextColumnFilter", width=120),
    column("tickers", "Tickers", filter="agTextColumnFilter", width=140),
    column("overview_link", "Chart", cellRenderer="InternalLink", sortable=False, filter=False,
           width=110),
    column("source", "Source", cellRenderer="ExternalLink", filter="agTextColumnFilter", flex=1,
           minWidth=120),
]


def _zoom_link(event, universe) -> str:
    start = event.session - timedelta(days=30)
    end = event.session + timedelta(days=30)
    tickers = [t for t in (event.tickers or universe)]
    return "/" + View.parse(tickers, start, end).query()


def _rows(svc) -> list[dict]:
    events = {e.id: e for e in svc.events()}
    frame = events_frame(list(events.values()))
    frame["tickers"] = frame["tickers"].replace("", "all")
    frame["event_link"] = "/events/" + frame["id"]
    frame["overview_link"] = [_zoom_link(events[i], svc.settings.tickers) for i in frame["id"]]
    frame["kind"] = ["generated" if g else "curated" if o.endswith("events.yaml") else "yours"
                     for g, o in zip(frame["generated"], frame["origin"], strict=True)]
    return records(frame.drop(columns=["generated", "origin"]))


def layout(**_query):
    svc = services()
    return html.Div([
        dbc.Row([
            dbc.Col(html.H2("Events", className="mb-0"), width="auto"),
            dbc.Col(dbc.Input(id="events-search", placeholder="Filter: title, ticker, category…",
                              type="search", debounce=True, maxLength=100, size="sm"), md=4),
            dbc.Col(csv_button("events-download-button", "Download CSV"), width="auto"),
        ], className="g-2 align-items-center mb-2"),
        freshness_line(svc.freshness(), svc.events_problem()),
        html.P("Each event is drawn at the first NYSE session in which the market could react. "
               "Open one to see how each miner moved beyond what bitcoin explains.",
               className="text-body-secondary"),
        dag.AgGrid(id="events-table", columnDefs=COLUMNS, rowData=_rows(svc), className="ag-theme-alpine",
                   dashGridOptions={**GRID_OPTIONS, "pagination": True, "paginationPageSize": 50},
                   defaultColDef={"filter": True, "floatingFilter": True}, style={"height": None}),
        dcc.Download(id="events-download"),
    ])


@callback(Output("events-table", "dashGridOptions"), Input("events-search", "value"))
def filter_events(text):
    return {**GRID_OPTIONS, "pagination": True, "paginationPageSize": 50,
            "quickFilterText": (text or "")[:100]}


@callback(
    Output("events-download", "data"),
    Input("events-download-button", "n_clicks"),
    prevent_initial_call=True,
)
def download_events(_clicks):
    frame = events_frame(services().events())
    return {"content": to_csv_text(frame[LIST_COLUMNS + ["summary"]]), "type": "text/csv",
            "filename": "minerdash-events.csv"}
