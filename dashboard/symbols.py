"""Ticker symbols: validation and bounded, linear parsing of user-supplied lists."""

import re
from collections.abc import Iterable

from dashboard.errors import InputError

# A letter or digit first (Yahoo's index symbols may lead with '^'), then letters, digits,
# '.', '-', '=' (BRK-B, BTC-USD, GC=F): never a path like '.', never a formula like '=CMD'.
_SYMBOL = re.compile(r"^\^?[A-Z0-9][A-Z0-9.\-=]{0,14}$")
MAX_SYMBOL_LENGTH = 16
MAX_TICKERS = 50

DEFAULT_UNIVERSE = ("MARA", "RIOT", "CLSK", "HUT")
DEFAULT_BENCHMARK = "BTC-USD"
DEFAULT_FACTOR = "QQQ"


def normalize_symbol(raw) -> str:
    """Upper-case and validate one symbol (a letter or digit first, at most 16 characters)."""
    if not isinstance(raw, str):
        raise InputError(f"invalid ticker {str(raw)[:20]!r}: a ticker is text")
    symbol = raw[: MAX_SYMBOL_LENGTH * 4].strip().upper()
    if not _SYMBOL.match(symbol):
        shown = raw if len(raw) <= 20 else raw[:20] + "…"
        raise InputError(f"invalid ticker {shown!r}: use a letter or digit, then at most 15 "
                         "letters, digits, '.', '-' or '='")
    return symbol


def parse_symbols(raw: str | Iterable[str] | None, limit: int = MAX_TICKERS) -> list[str]:
    """Split a comma-separated string (or list) into unique, validated symbols, in order.

    The size is checked before any other work (raw length, then count), so a hostile list of
    a million entries is refused at once.
    """
    if raw is None:
        return []
    if isinstance(raw, str):
        if len(raw) > limit * (MAX_SYMBOL_LENGTH + 2):
            raise InputError(f"ticker list too long ({len(raw):,} characters): at most {limit} tickers")
        parts = raw.split(",")
    elif isinstance(raw, list | tuple):
        if len(raw) > limit * 2:
            raise InputError(f"too many tickers: {len(raw):,} given, at most {limit} allowed")
        parts = raw
    else:
        raise InputError("tickers must be a comma-separated list of symbols")
    given = [p for p in parts if not isinstance(p, str) or p.strip()]
    if len(given) > limit:
        raise InputError(f"too many tickers: {len(given):,} given, at most {limit} allowed")
    symbols = [normalize_symbol(p) for p in given]
    return list(dict.fromkeys(symbols))
