"""Data-quality flags of stored series: the checks of ``analytics.quality`` over the store's
prices, actions and partial bars, and the curated listing dates in ``data/listings.yaml``.
"""

from collections.abc import Callable, Sequence
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pandas as pd
import yaml

from dashboard.analytics.quality import QUALITY_COLUMNS, quality_flags
from dashboard.config import PROJECT_DIR


def listings_path() -> Path:
    try:
        return Path(str(resources.files("dashboard.data") / "listings.yaml"))
    except ModuleNotFoundError:
        return PROJECT_DIR / "data" / "listings.yaml"


@lru_cache(maxsize=1)
def listings() -> dict[str, dict]:
    """Ticker → {listed, before, source}: when a ticker's own history begins."""
    entries = yaml.safe_load(listings_path().read_text(encoding="utf-8")) or []
    return {e["ticker"]: {**e, "listed": date.fromisoformat(str(e["listed"]))} for e in entries}


BATCH_TICKERS = 50


def check_tickers(read_prices: Callable[[Sequence[str]], pd.DataFrame], actions: pd.DataFrame,
                  partial: pd.DataFrame, tickers: Sequence[str], limit: float) -> pd.DataFrame:
    """Every flag of ``tickers`` (``QUALITY_COLUMNS``), by ticker then date. Prices are read
    ``BATCH_TICKERS`` at a time, so a check after a large import holds a batch, not the store."""
    ordered = sorted(set(tickers))
    frames = [quality_flags(t, g, actions, partial, listings().get(t), limit)
              for start in range(0, len(ordered), BATCH_TICKERS)
              for t, g in read_prices(tuple(ordered[start:start + BATCH_TICKERS])).groupby("ticker")]
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=QUALITY_COLUMNS)


def flags_in(flags: pd.DataFrame, start, end) -> pd.DataFrame:
    return flags[(flags["date"] >= pd.Timestamp(start)) & (flags["date"] <= pd.Timestamp(end))]
