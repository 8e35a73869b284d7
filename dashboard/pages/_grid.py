"""AG Grid column helpers shared by the pages (not a page: the leading '_' keeps Dash from importing it).

Numbers are formatted in the browser (d3-format); a value that rounds to zero shows without a sign.
"""

_SIGNED = ("params.value == null ? '–' : (Math.abs(params.value) < 0.0005 ? '0.0%' "
           ": d3.format('+.1%')(params.value))")
PERCENT = {"function": _SIGNED}
PERCENT_PLAIN = {"function": "params.value == null ? '–' : d3.format('.1%')(params.value)"}
NUMBER = {"function": "params.value == null ? '–' : d3.format(',.2f')(params.value)"}
DECIMAL = {"function": "params.value == null ? '–' : d3.format('.2f')(params.value)"}
SCIENTIFIC = {"function": "params.value == null ? '–' : d3.format('.3g')(params.value)"}
GRID_OPTIONS = {"domLayout": "autoHeight", "animateRows": False, "suppressCellFocus": True,
                "tooltipShowDelay": 300}


def column(field: str, header: str, formatter=None, **extra) -> dict:
    spec = {"field": field, "headerName": header, "headerTooltip": header, "sortable": True,
            "resizable": True, "wrapHeaderText": True, "autoHeaderHeight": True}
    if formatter:
        spec["valueFormatter"] = formatter
        spec["type"] = "rightAligned"
    spec.update(extra)
    return spec


def records(frame) -> list[dict]:
    """Rows for AG Grid with NaN as null (JSON has no NaN)."""
    return frame.astype(object).where(frame.notna(), None).to_dict("records")
