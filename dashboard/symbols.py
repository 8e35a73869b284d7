"""Ticker symbols: validation and parsing of user-supplied lists."""

import re
from collections.abc import Iterable

from dashboard.errors import InputError

_SYMBOL = re.compile(r"^[A-Z0-9.\-^=]{1,15}$")
MAX_TICKERS = 50

DEFAULT_UNIVERSE = ("MARA", "RIOT", "CLSK", "HUT")
DEFAULT_BENCHMARK = "BTC-USD"


def normalize_symbol(raw: str) -> str:
    """Upper-case and validate one symbol (letters, digits, '.', '-', '^', '=', at most 15)."""
    symbol = str(raw).strip().upper()
    if not _SYMBOL.match(symbol):
        raise InputError(
            f"invalid ticker {raw!r}: use at most 15 letters, digits, '.', '-', '^' or '='"
        )
    return symbol


def parse_symbols(raw: str | Iterable[str] | None, limit: int = MAX_TICKERS) -> list[str]:
    """Split a comma-separated string (or list) into unique, validated symbols, in order."""
    if raw is None:
        return []
    parts = raw.split(",") if isinstance(raw, str) else list(raw)
    symbols: list[str] = []
    for part in parts:
        if str(part).strip():
            symbol = normalize_symbol(part)
            if symbol not in symbols:
                symbols.append(symbol)
    if len(symbols) > limit:
        raise InputError(f"too many tickers: {len(symbols)} given, at most {limit} allowed")
    return symbols
