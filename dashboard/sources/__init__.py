"""Where prices come from, behind one small interface.

A source's ``fetch`` returns, per ticker, a frame of daily bars with the columns
``date, open, high, low, close, adj_close, volume`` (date = the exchange trading date) and,
where the source gives them, corporate actions ``date, kind, value``; a ticker it could not
serve is named in ``errors`` with the reason instead. One ticker's failure never hides the others.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

import pandas as pd

BAR_FIELDS = ["date", "open", "high", "low", "close", "adj_close", "volume"]
ACTION_FIELDS = ["date", "kind", "value"]


@dataclass
class FetchResult:
    bars: dict[str, pd.DataFrame] = field(default_factory=dict)
    actions: dict[str, pd.DataFrame] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def merge(self, other: "FetchResult") -> "FetchResult":
        self.bars.update(other.bars)
        self.actions.update(other.actions)
        self.errors.update(other.errors)
        return self


class PriceSource(Protocol):
    name: str

    def fetch(
        self, symbols: Sequence[str], start: date | None = None, end: date | None = None
    ) -> FetchResult:
        """Daily bars for ``symbols`` from ``start`` to ``end`` (both inclusive; None = all)."""
        ...
