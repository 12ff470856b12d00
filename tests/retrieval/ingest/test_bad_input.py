"""Each kind of bad input gives one clear message naming file, line and column."""

from __future__ import annotations

import gzip
import subprocess
import sys

import pytest

from retrieval.errors import DataError
from retrieval.ingest import load_online_retail

HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
GOOD = "536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom\n"


def _write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


def _error(path) -> DataError:
    with pytest.raises(DataError) as info:
        load_online_retail(path)
    return info.value


def test_missing_file(tmp_path):
    err = _error(tmp_path / "nope.csv")
    assert "nope.csv" in str(err) and "no such file" in str(err)


def test_directory_instead_of_file(tmp_path):
    err = _error(tmp_path)
    assert "is a directory" in str(err)


def test_empty_file(tmp_path):
    assert "empty" in str(_error(_write(tmp_path, "empty.csv", "")))


def test_header_without_rows(tmp_path):
    assert "no data rows" in str(_error(_write(tmp_path, "header.csv", HEADER)))


def test_misnamed_column_lists_what_was_found(tmp_path):
    path = _write(tmp_path, "cols.csv", HEADER.replace("StockCode", "Stock_Code") + GOOD)
    err = _error(path)
    text = str(err)
    assert err.path == str(path)
    assert "missing column 'StockCode'" in text
    assert "columns found: InvoiceNo, Stock_Code, Description" in text
    assert "did you mean 'Stock_Code'" in text


def test_unparsable_number_names_line_and_column(tmp_path):
    bad = GOOD.replace(",6,", ",six,")
    err = _error(_write(tmp_path, "num.csv", HEADER + GOOD + bad))
    assert (err.line, err.column) == (3, "Quantity")
    assert "'six'" in str(err) and "line 3" in str(err)


def test_unparsable_date_names_line_and_column(tmp_path):
    bad = GOOD.replace("2010-12-01 08:26:00", "first of december")
    err = _error(_write(tmp_path, "date.csv", HEADER + GOOD + GOOD + bad))
    assert (err.line, err.column) == (4, "InvoiceDate")
    assert "as a date" in str(err)


def test_wrong_encoding_names_the_line(tmp_path):
    text = HEADER + GOOD + GOOD.replace("WHITE", "CAFÉ")
    err = _error(_write(tmp_path, "latin.csv", text, encoding="latin-1"))
    assert err.line == 3
    assert "not valid utf-8" in str(err)


def test_corrupt_gzip(tmp_path):
    data = gzip.compress((HEADER + GOOD).encode())[:20]
    assert "decompress" in str(_error(_write(tmp_path, "cut.csv.gz", data)))


def test_not_a_parquet_file(tmp_path):
    assert "Parquet" in str(_error(_write(tmp_path, "x.parquet", "not parquet")))


def test_cli_prints_one_paragraph_and_exits_2_without_traceback(tmp_path):
    path = _write(tmp_path, "cols.csv", HEADER.replace("Quantity", "Qty") + GOOD)
    proc = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "ingest", str(path)],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert f"error: file {path}: missing column 'Quantity'" in proc.stderr
    assert "did you mean 'Qty'" in proc.stderr
