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
    assert parsed.ticker == "MARA" and parsed.fields == ("open", "high", "low", "close", "volume")
    assert len(parsed.bars) == len(rows) == 1507
    for i in (0, 1000, len(rows) - 1):
        bar = parsed.bars.iloc[i]
        assert bar["date"].strftime("%Y-%m-%d") == rows[i]["Date"]
        assert bar["close"] == float(rows[i]["Close"])
        assert bar["adj_close"] == float(rows[i]["Close"])  # no Adj Close column: adj = close
        assert bar["high"] == float(rows[i]["High"])
        assert bar["volume"] == int(rows[i]["Volume"])


def test_close_only_file(tmp_path):
    path = write(tmp_path, "BTDR.csv", "Date,Close\n2021-07-28,10.0\n2021-07-29,10.01\n")
    parsed = read_price_csv(path)
    assert parsed.bars["open"].isna().all() and parsed.bars["volume"].isna().all()
    assert parsed.bars["close"].tolist() == [10.0, 10.01] and parsed.fields == ("close",)


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


@pytest.mark.parametrize("name", ["not a ticker!.csv", "..csv", "=cmd.csv", "-x.csv", "@SUM.csv"])
def test_a_file_name_that_is_no_ticker_is_refused(tmp_path, name):
    path = write(tmp_path, name, HEADER + GOOD)
    with pytest.raises(InputError, match="the file name does not give a ticker"):
        read_price_csv(path)


def test_directory_source_filters_the_range(market_data):
    result = CsvDirectorySource(market_data).fetch(["MARA", "NOPE"], pd.Timestamp("2025-07-28").date(),
                                                   pd.Timestamp("2025-07-30").date())
    assert result.bars["MARA"]["date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2025-07-28", "2025-07-29", "2025-07-30"]
    assert "does not exist" in result.errors["NOPE"]


@pytest.mark.parametrize(
    "row,expected",
    [
        ("2031-06-02,10,11,9,10,100", "date 2031-06-02 is in the future"),
        ("1900-01-02,10,11,9,10,100", "date 1900-01-02 is before 1970-01-01"),
        ("2021-02-02,10,11,9,1e308,100", "close 1e+308 is implausibly large"),
        ("2021-02-02,10,11,9,inf,100", "unparsable close 'inf'"),
        ("2021-02-02,10,11,9,nan,100", "unparsable close 'nan'"),
        ("2021-02-02,10,11,9,10,1.5", "volume must be a whole number"),
        ("2021-02-02junk,10,11,9,10,100", "unparsable date '2021-02-02junk'"),
        ("2021-02-02,10,11,9,10,100,7", "expected 6 fields, found 7"),
    ],
)
def test_implausible_rows_are_refused_naming_the_line(tmp_path, row, expected):
    path = write(tmp_path, "BAD.csv", HEADER + GOOD + row + "\n")
    with pytest.raises(InputError) as info:
        read_price_csv(path)
    assert f"line 3: {expected}" in str(info.value) and str(path) in str(info.value)


def test_yfinance_index_dates_with_a_time_are_read(tmp_path):
    path = write(tmp_path, "BTC-USD.csv", "Date,Close\n2024-12-06 00:00:00+00:00,99920.7\n")
    assert read_price_csv(path).bars["date"].dt.strftime("%F").tolist() == ["2024-12-06"]


def test_our_long_export_reads_back_with_several_tickers(tmp_path, market_data):
    text = "date,ticker,open,high,low,close,adj_close,volume\n" \
           "2025-07-28,MARA,17.64,17.65,16.95,17.16,17.16,40821700\n" \
           "2025-07-28,RIOT,14.6,14.7,14.2,14.51,14.51,100\n" \
           "2025-07-29,MARA,17.17,17.4,16.47,16.61,16.61,41980500\n"
    parsed = read_price_csv(write(tmp_path, "export.csv", text))
    assert sorted(parsed.frames) == ["MARA", "RIOT"] and parsed.rows == 3
    assert parsed.frames["MARA"]["close"].tolist() == [17.16, 16.61]
    assert "adj_close" in parsed.fields
    dup = write(tmp_path, "dup.csv", text + "2025-07-28,RIOT,1,2,0.5,1,1,1\n")
    with pytest.raises(InputError, match="line 5: duplicate date 2025-07-28 of RIOT \\(first on line 3\\)"):
        read_price_csv(dup)
    with pytest.raises(InputError, match="--ticker cannot be used"):
        read_price_csv(write(tmp_path, "x.csv", text), ticker="MARA")


def test_gzip_files_and_chunks_with_progress(tmp_path, market_data, monkeypatch):
    import gzip

    from dashboard.sources import csv_file

    monkeypatch.setattr(csv_file, "CHUNK_ROWS", 500)
    source = (market_data / "MARA.csv").read_bytes()
    path = tmp_path / "MARA.csv.gz"
    path.write_bytes(gzip.compress(source))
    lines = []
    parsed = read_price_csv(path, progress=lines.append)
    assert parsed.ticker == "MARA" and len(parsed.bars) == 1507
    assert parsed.bars.equals(read_price_csv(market_data / "MARA.csv").bars)
    assert lines[0].startswith("MARA.csv.gz: 500 rows read") and len(lines) == 3


def test_problems_are_counted_beyond_what_is_shown(tmp_path):
    body = "".join(f"1900-01-{d:02d},10,11,9,10,100\n" for d in range(1, 29))
    with pytest.raises(InputError, match=r"line 2: date 1900-01-01 is before 1970-01-01.*and 23 more problems"):
        read_price_csv(write(tmp_path, "OLD.csv", HEADER + body))
