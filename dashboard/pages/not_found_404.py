"""Any path no page owns."""

import dash
from dash import dcc, html

dash.register_page(__name__, path="/404", name="Not found", title="minerdash · Not found")


def layout(**_query):
    return html.Div([html.H2("Page not found"),
                     html.P(["Try the ", dcc.Link("overview", href="/"), " or the ",
                             dcc.Link("events", href="/events"), "."])])
