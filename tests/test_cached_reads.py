"""Cached reads: prices kept per ticker, shared across selections, renewed by any write."""

import pandas as pd
from pandas.testing import assert_frame_equal

from dashboard.cached_reads import CachedReads
from dashboard.config import Settings
from dashboard.sources.csv_file import read_price_csv


def test_prices_of_any_selection_match_the_store_and_follow_writes(store, market_data, tmp_path):
    for name in ("MARA", "RIOT", "BTC-USD"):
        parsed = read_price_csv(market_data / f"{name}.csv")
        store.write_bars(name, parsed.bars, "csv", fields=parsed.fields)
    reads = CachedReads(Settings(database_url=store.url, data_dir=tmp_path, cache_dir=tmp_path / "cache"), store)
    pair = reads.prices(("RIOT", "BTC-USD"))
    assert_frame_equal(pair, store.read_prices(["BTC-USD", "RIOT"]))
    trio = reads.prices(("MARA", "RIOT", "BTC-USD", "NOPE"))  # RIOT and BTC-USD come from the cache
    assert_frame_equal(trio, store.read_prices(["BTC-USD", "MARA", "RIOT"]))
    assert list(trio["ticker"].unique()) == ["BTC-USD", "MARA", "RIOT"]
    revised = read_price_csv(market_data / "RIOT.csv").bars.tail(1).assign(close=1.0, adj_close=1.0)
    store.write_bars("RIOT", revised, "csv")
    last = reads.prices(("RIOT",)).iloc[-1]
    assert last["close"] == 1.0 and last["date"] == pd.Timestamp(revised["date"].iloc[0])
    assert reads.prices(("NOPE",)).empty
