"""Where prices come from, behind one small interface.

A source's ``fetch`` returns, per ticker, a frame of daily bars with ``bars.BAR_FIELDS``
(date = the exchange trading date) and, where the source gives them, corporate actions
``bars.ACTION_FIELDS``; a ticker it could not serve is named in ``errors`` with the reason
instead. When the source itself cannot be reached (no network), ``unreachable`` says so once.
One ticker's failure never hides the others.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

import pandas as pd


@dataclass
class FetchResult:
    bars: dict[str, pd.DataFrame] = field(default_factory=dict)
    actions: dict[str, pd.DataFrame] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    unreachable: str | None = None  # the source could not be reached at all: why, in one line


class PriceSource(Protocol):
    name: str

    def fetch(
        self, symbols: Sequence[str], start: date | None = None, end: date | None = None
    ) -> FetchResult:
        """Daily bars for ``symbols`` from ``start`` to ``end`` (both inclusive; None = all)."""
        ...
