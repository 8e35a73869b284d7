"""Every CSV this project writes goes through here, so no cell can run as a spreadsheet formula."""

import io

import pandas as pd

# OWASP CSV injection: a text cell starting with one of these is prefixed with a single quote.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralize_cell(value):
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def neutralize(frame: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``frame`` whose text cells cannot be read as formulas; numbers are untouched."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(neutralize_cell)
    return safe


def to_csv_text(frame: pd.DataFrame) -> str:
    """CSV text with ISO dates, full float precision and neutralized text cells."""
    buffer = io.StringIO()
    neutralize(frame).to_csv(buffer, index=False, date_format="%Y-%m-%d", lineterminator="\n")
    return buffer.getvalue()
