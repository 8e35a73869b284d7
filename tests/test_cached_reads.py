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


def test_memo_each_computes_only_the_keys_no_other_set_did(filled_store, tmp_path):
    reads = CachedReads(Settings(database_url=filled_store.url, data_dir=tmp_path, cache_dir=tmp_path / "cache"))
    asked = []

    def squares(missing):
        asked.append(sorted(missing))
        return {k: k * k for k in missing if k != 13}  # 13 has no value: None, asked again next time

    assert reads.memo_each("squares", [2, 3], squares) == {2: 4, 3: 9}
    assert reads.memo_each("squares", [3, 4, 13], squares) == {3: 9, 4: 16, 13: None}
    assert reads.memo_each("squares", [2, 4, 13], squares) == {2: 4, 4: 16, 13: None}
    assert asked == [[2, 3], [4, 13], [13]]
    assert CachedReads(reads.settings).memo_each("squares", [2], squares) == {2: 4}  # the shared cache
    assert asked == [[2, 3], [4, 13], [13]]
