"""AG Grid column helpers shared by the pages (not a page: the leading '_' keeps Dash from importing it)."""

PERCENT = {"function": "params.value == null ? '–' : d3.format('+.1%')(params.value)"}
PERCENT_PLAIN = {"function": "params.value == null ? '–' : d3.format('.1%')(params.value)"}
NUMBER = {"function": "params.value == null ? '–' : d3.format(',.2f')(params.value)"}
DECIMAL = {"function": "params.value == null ? '–' : d3.format('.2f')(params.value)"}
SCIENTIFIC = {"function": "params.value == null ? '–' : d3.format('.3g')(params.value)"}


def column(field: str, header: str, formatter=None, **extra) -> dict:
    spec = {"field": field, "headerName": header, "sortable": True, "resizable": True}
    if formatter:
        spec["valueFormatter"] = formatter
        spec["type"] = "rightAligned"
    spec.update(extra)
    return spec


def records(frame) -> list[dict]:
    """Rows for AG Grid with NaN as null (JSON has no NaN)."""
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


GRID_STYLE = {"height": None}
GRID_OPTIONS = {"domLayout": "autoHeight", "animateRows": False, "suppressCellFocus": True}
