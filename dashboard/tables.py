"""Server-rendered tables: formatted here, sorted by a click on a header, text always text.

Plain HTML is a fraction of a data-grid library's weight, so pages open faster; a table scrolls
sideways on a phone with its first column kept in view.
"""

import math
from dataclasses import dataclass

from dash import ALL, Input, Output, State, dcc, html

from dashboard.analytics.event_study import PORTFOLIO
from dashboard.callbacks import clientside_callback
from dashboard.numbers import as_number, format_value


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    kind: str = "text"  # text, short (never wrapped), date, percent, signed, number, decimal, sci, ticker,
    #                     event, events, external, internal
    tip: str | None = None


_NUMERIC = ("percent", "signed", "number", "decimal", "sci")
_CELL_CLASS = {**{kind: "text-end text-nowrap" for kind in _NUMERIC}, "date": "text-nowrap", "short": "text-nowrap",
               "ticker": "text-nowrap", "event": "cell-title", "events": "cell-title"}


def _cell(column: Column, row: dict):
    value = row.get(column.field)
    if column.kind in _NUMERIC:
        return format_value(column.kind, value)
    if column.kind == "ticker" and value and value != PORTFOLIO:
        return dcc.Link(str(value), href=f"/ticker/{value}")
    if column.kind == "event" and row.get("event_link"):
        return dcc.Link(str(value), href=row["event_link"])
    if column.kind == "events" and row.get(f"{column.field}_links"):  # [[text, href], …]: each one linked
        links = [dcc.Link(str(text), href=str(href)) for text, href in row[f"{column.field}_links"]]
        return [part for i, link in enumerate(links) for part in ([link] if i == 0 else ["; ", link])]
    if column.kind == "internal" and value:
        return dcc.Link("Chart", href=str(value))
    if column.kind == "external":
        text = str(value or "")
        if not text.startswith(("http://", "https://")):
            return ""
        host = text.split("/")[2].removeprefix("www.")
        return html.A(host, href=text, target="_blank", rel="noopener noreferrer")
    return "" if value is None else str(value)


def _empty(value) -> bool:
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))


def _sort_key(value):
    number = as_number(value) if not isinstance(value, str) else None
    return (0, number, "") if number is not None else (1, 0.0, str(value).lower())


UNSORTED = {"field": None, "descending": False}  # the rows' own order
NEWEST_FIRST = {"field": "session", "descending": True}


def sort_rows(rows: list[dict], sort: dict | None) -> list[dict]:
    """Rows ordered by ``sort`` ({"field", "descending"}); empty values last either way."""
    if not sort or not sort.get("field"):
        return rows
    field = sort["field"]
    present = [r for r in rows if not _empty(r.get(field))]
    missing = [r for r in rows if _empty(r.get(field))]
    return sorted(present, key=lambda r: _sort_key(r[field]), reverse=bool(sort.get("descending"))) + missing


def table(table_id: str, columns: list[Column], rows: list[dict], sort: dict | None = None,
          limit: int | None = None, row_class=None) -> html.Div:
    """The table of ``rows`` (sorted, at most ``limit``), its headers buttons that sort it."""
    shown = sort_rows(rows, sort)
    more = len(shown) - limit if limit is not None and len(shown) > limit else 0
    shown = shown[:limit] if limit is not None else shown
    heads = []
    for column in columns:
        mark = ""
        if sort and sort.get("field") == column.field:
            mark = " ▼" if sort.get("descending") else " ▲"
        numeric = column.kind in _NUMERIC
        heads.append(html.Th(html.Button(column.header + mark, id={"type": "sort", "table": table_id,
                                                                    "field": column.field},
                                         className="table-sort", title=column.tip or f"Sort by {column.header}"),
                             className="text-end" if numeric else None, scope="col"))
    body = []
    for row in shown:
        cells = [html.Td(_cell(c, row), className=_CELL_CLASS.get(c.kind)) for c in columns]
        body.append(html.Tr(cells, className=row_class(row) if row_class else None))
    note = html.Small(f"Showing {len(shown):,} of {len(shown) + more:,}: narrow the search to see the rest.",
                      className="text-body-secondary") if more else None
    return html.Div([html.Div(html.Table([html.Thead(html.Tr(heads)), html.Tbody(body)],
                                         className="table table-sm table-hover align-middle mb-1 data-table",
                                         id=f"{table_id}-rows"),
                              className="table-responsive"), note])


def sort_state(table_id: str, initial: dict | None = None) -> dcc.Store:
    """Where a table's sort lives, ``initial`` (or the rows' own order) until a header is clicked.

    Never empty: a Store mounted without data reports a change as it mounts (dcc compares its empty
    memory with null), which ran every page's table callback once at load for nothing."""
    return dcc.Store(id={"type": "sort-state", "table": table_id}, data=initial or UNSORTED)


def sorting(table_id: str) -> Input:
    """The Input a page's table callback takes to re-render on a new sort."""
    return Input({"type": "sort-state", "table": table_id}, "data")


# A click on a header: sort that table by it, descending first; a second click flips the order.
# Clientside, so that a page's new tables cost no request until someone sorts.
clientside_callback(
    """(clicks, states, ids) => {
        const clicked = window.dash_clientside.callback_context.triggered_id;
        if (!clicked || !clicks.some((n) => n)) { return window.dash_clientside.no_update; }
        return states.map((state, i) => {
            if (ids[i].table !== clicked.table) { return state; }
            const again = state && state.field === clicked.field;
            return {field: clicked.field, descending: again ? !state.descending : true};
        });
    }""",
    Output({"type": "sort-state", "table": ALL}, "data"),
    Input({"type": "sort", "table": ALL, "field": ALL}, "n_clicks"),
    State({"type": "sort-state", "table": ALL}, "data"),
    State({"type": "sort-state", "table": ALL}, "id"),
    prevent_initial_call=True,
)
