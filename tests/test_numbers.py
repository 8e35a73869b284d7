"""How numbers read: a true minus, no sign on what rounds to zero, a dash for what is undefined."""

import math

import pytest

from dashboard.numbers import format_value


@pytest.mark.parametrize("kind,value,text", [
    ("signed", -0.0519, "−5.2%"),
    ("signed", 0.054, "+5.4%"),
    ("signed", -0.0004, "0.0%"),  # not "−0.0%"
    ("percent", 0.243, "24.3%"),
    ("number", 114056.0912, "114,056.09"),
    ("decimal", -1.834, "−1.83"),
    ("signed-decimal", 0.4156, "+0.42"),
    ("signed-decimal", -1.834, "−1.83"),
    ("sci", 0.012345, "0.0123"),
    ("signed", math.nan, "–"),
    ("number", None, "–"),
    ("decimal", "not a number", "–"),
    ("signed", True, "–"),
])
def test_format_value(kind, value, text):
    assert format_value(kind, value) == text


def test_an_unknown_format_is_a_bug_not_a_blank():
    with pytest.raises(ValueError, match="unknown number format"):
        format_value("fancy", 1.0)
