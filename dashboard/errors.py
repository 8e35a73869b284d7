"""The errors minerdash raises on purpose: each one is a sentence a user can act on."""


class MinerdashError(Exception):
    """Base of every expected failure; the CLI prints it on one line, pages show it as text."""


class InputError(MinerdashError):
    """Bad input from a user: a symbol, a date, a file, a window size, a setting."""


class ConfigError(InputError):
    """A setting (environment variable or option) that is not of the accepted form."""


class DataUnavailable(MinerdashError):
    """A source could not give data for a ticker (network, rate limit, no data)."""

    def __init__(self, ticker: str, reason: str):
        super().__init__(f"{ticker}: {reason}")
        self.ticker = ticker
        self.reason = reason


class InsufficientHistory(MinerdashError):
    """The store does not hold enough sessions for a computation."""


class StoreUnavailable(MinerdashError):
    """The database cannot be reached, or holds no tables yet."""


class StoreNotReady(StoreUnavailable):
    """The database is reachable but has no tables, or tables of another schema version."""
