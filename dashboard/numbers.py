"""How numbers read on the pages: percentages to 0.1 with a true minus sign, no sign on a value
that rounds to zero, a dash where a value is not defined."""

import math

MINUS = "−"
_SPECS = {"percent": ".1%", "whole-percent": ".0%", "number": ",.2f", "decimal": ".2f",
          "signed-decimal": "+.2f", "sci": ".3g"}


def as_number(value) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def format_value(kind: str, value) -> str:
    """``kind``: signed (+1.2%), percent (1.2%), number (1,234.56), decimal (1.23), signed-decimal
    (+1.23), sci (0.0123)."""
    number = as_number(value)
    if number is None:
        return "–"
    if kind == "signed":
        text = "0.0%" if abs(number) < 0.0005 else f"{number:+.1%}"
    elif kind in _SPECS:
        text = format(number, _SPECS[kind])
    else:
        raise ValueError(f"unknown number format {kind!r}")
    return text.replace("-", MINUS)
