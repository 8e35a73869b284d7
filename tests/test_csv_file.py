"""Yahoo-format CSV files: what is read, and every kind of bad input named by file and line."""

import csv

import pandas as pd
import pytest

from dashboard.errors import InputError
from dashboard.sources.csv_file import CsvDirectorySource, read_price_csv


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_reads_a_shared_file_exactly(market_data):
    path = market_data / "MARA.csv"
    with path.open() as handle:
        rows = list(csv.DictReader(handle))
    parsed = read_price_csv(path)
    assert parsed.ticker == "MARA"
    assert len(parsed.bars) == len(rows) == 3537
    for i in (0, 1000, len(rows) - 1):
        bar = parsed.bars.iloc[i]
        assert bar["date"].strftime("%Y-%m-%d") == rows[i]["Date"]
        assert bar["close"] == float(rows[i]["Close"])
        assert bar["adj_close"] == float(rows[i]["Close"])  # no Adj Close column: adj = close
        assert bar["high"] == float(rows[i]["High"])
        assert bar["volume"] == int(rows[i]["Volume"])


def test_close_only_file(market_data):
    parsed = read_price_csv(market_data / "BTDR.csv")
    assert parsed.bars["open"].isna().all() and parsed.bars["volume"].isna().all()
    assert parsed.bars["close"].iloc[0] == 10.0


def test_adj_close_column_and_ticker_option(tmp_path):
    path = write(tmp_path, "anything.csv",
                 "Date,Open,High,Low,Close,Adj Close,Volume\n2021-02-01,10,11,9,10.5,10.25,100\n")
    parsed = read_price_csv(path, ticker="msft")
    assert parsed.ticker == "MSFT"
    assert parsed.bars.iloc[0]["adj_close"] == 10.25 and parsed.bars.iloc[0]["close"] == 10.5


def test_yahoo_null_rows_are_skipped_with_a_warning_naming_the_line(tmp_path):
    path = write(tmp_path, "X.csv", "Date,Open,High,Low,Close,Adj Close,Volume\n"
                 "2021-02-01,10,11,9,10.5,10.5,100\n2021-02-02,null,null,null,null,null,null\n"
                 "2021-02-03,10,11,9,10.7,10.7,100\n")
    parsed = read_price_csv(path)
    assert len(parsed.bars) == 2
    assert parsed.warnings == [f"{path}: line 3: skipped Yahoo 'null' row for 2021-02-02"]


HEADER = "Date,Open,High,Low,Close,Volume\n"
GOOD = "2021-02-01,10,11,9,10.5,100\n"


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Date,Open,High,Low,Volume\n2021-02-01,1,2,0.5,10\n", "line 1: missing required column(s) Close"),
        (HEADER + GOOD + "2021-02-02,10,11,9,abc,100\n", "line 3: unparsable close 'abc'"),
        (HEADER + GOOD + "02/03/2021,10,11,9,10,100\n", "line 3: unparsable date '02/03/2021'"),
        (HEADER + GOOD + "2021-02-30,10,11,9,10,100\n", "line 3: unparsable date '2021-02-30'"),
        (HEADER + GOOD + "2021-02-01,10,11,9,10,100\n", "line 3: duplicate date 2021-02-01 (first on line 2)"),
        (HEADER + GOOD + "2021-02-02,10,11,9,0,100\n", "line 3: close must be positive, found 0"),
        (HEADER + GOOD + "2021-02-02,-1,11,9,10,100\n", "line 3: open must be positive, found -1"),
        (HEADER + GOOD + "2021-02-02,10,9,11,10,100\n", "line 3: high 9 is below low 11"),
        (HEADER + GOOD + "2021-02-02,10,11,9,10\n", "line 3: expected 6 fields, found 5"),
        (HEADER + GOOD + "2021-02-02,10,11,9,10,-5\n", "line 3: volume must be a whole number"),
        ("", "line 1: the file is empty"),
    ],
)
def test_bad_files_are_rejected_naming_file_and_line(tmp_path, text, expected):
    path = write(tmp_path, "BAD.csv", text)
    with pytest.raises(InputError) as info:
        read_price_csv(path)
    assert str(path) in str(info.value)
    assert expected in str(info.value)


def test_every_problem_is_counted(tmp_path):
    body = "".join(f"2021-03-{d:02d},10,9,11,10,100\n" for d in range(1, 10))
    path = write(tmp_path, "BAD.csv", HEADER + body)
    with pytest.raises(InputError, match=r"and 4 more problems"):
        read_price_csv(path)


def test_invalid_symbol_from_file_name(tmp_path):
    path = write(tmp_path, "not a ticker!.csv", HEADER + GOOD)
    with pytest.raises(InputError, match="invalid ticker"):
        read_price_csv(path)


def test_directory_source_filters_the_range(market_data):
    result = CsvDirectorySource(market_data).fetch(["MARA", "NOPE"], pd.Timestamp("2025-07-28").date(),
                                                   pd.Timestamp("2025-07-30").date())
    assert result.bars["MARA"]["date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2025-07-28", "2025-07-29", "2025-07-30"]
    assert "does not exist" in result.errors["NOPE"]
