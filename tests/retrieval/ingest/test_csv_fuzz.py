"""Mangled CSV bytes (hypothesis): the readers either load them or raise `DataError` naming
the file; no other exception ever comes out. The hand-written cases are in test_bad_input.py.

Sizes: SHOPASSIST_RELIABILITY=full (make check-reliability) runs 20x the examples with a
random seed; the default, for CI, is a short derandomized run.
"""

from __future__ import annotations

import csv
import gzip
import io
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from retrieval.errors import DataError
from retrieval.ingest import ColumnMap, load_mapped, load_online_retail

FULL = os.environ.get("SHOPASSIST_RELIABILITY") == "full"
FUZZ = settings(max_examples=1200 if FULL else 60, deadline=None, derandomize=not FULL, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
ROWS = [
    "536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom\n",
    "536365,71053,WHITE METAL LANTERN,6,2010-12-01 08:26:00,3.39,17850.0,United Kingdom\n",
    '536366,22633,"HAND WARMER, UNION JACK",6,2010-12-01 08:28:00,1.85,,United Kingdom\n',
    "C536379,D,Discount,-1,2010-12-01 09:41:00,27.5,14527.0,United Kingdom\n",
    "536370,POST,POSTAGE,3,2010-12-01 08:45:00,18.0,12583.0,France\n",
    "536367,84879,ASSORTED COLOUR BIRD ORNAMENT,32,2010-12-01 08:34:00,1.69,13047.0,United Kingdom\n",
]
MAPPED = "order,sku,name,qty,unit,at\no1,A,Red mug,2,3.50,2024-01-03 10:00\no1,B,Tea towel,1,2.00,2024-01-03 10:00\n"
CELLS = st.one_of(
    st.sampled_from(["", '"', '""', "NaN", "-1e309", "1e309", "inf", "-0", "0x1F", "１２", "NULL", "None",
                     "12,5", '"a,b"', "\n", "\r\n", "\x00", "2010-13-45 25:61:00", "9" * 400, "é" * 50]),
    st.text(max_size=30),
)


def as_csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL).writerows(rows)
    return out.getvalue()


@st.composite
def mangled(draw, base: str, text_columns: tuple[int, ...]) -> tuple[bytes, bool]:
    """A valid file, then either gentle edits (arbitrary text, properly quoted, in the text
    columns: the file must still load) or random damage: cell swaps, another separator or
    encoding, cuts and splices of the bytes. Returns the bytes and whether they must load."""
    if draw(st.booleans()):
        rows = list(csv.reader(io.StringIO(base)))
        for _ in range(draw(st.integers(1, 4))):
            rows[draw(st.integers(1, len(rows) - 1))][draw(st.sampled_from(text_columns))] = draw(
                st.text(min_size=1, max_size=60))
        return as_csv(rows).encode("utf-8"), True
    lines = base.splitlines(keepends=True)
    for _ in range(draw(st.integers(0, 3))):  # replace a cell with anything
        i = draw(st.integers(0, len(lines) - 1))
        cells = lines[i].rstrip("\r\n").split(",")
        cells[draw(st.integers(0, len(cells) - 1))] = draw(CELLS)
        lines[i] = ",".join(cells) + "\n"
    data = "".join(lines).replace(",", draw(st.sampled_from([",", ";", "\t", "|", ",,", '","'])))
    raw = data.encode(draw(st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "utf-16", "cp1252"])), "replace")
    for _ in range(draw(st.integers(0, 3))):  # byte-level damage
        at = draw(st.integers(0, len(raw)))
        op = draw(st.sampled_from(["cut", "insert", "delete"]))
        if op == "cut":
            raw = raw[:at]
        elif op == "insert":
            raw = raw[:at] + draw(st.binary(min_size=1, max_size=24)) + raw[at:]
        else:
            raw = raw[:at] + raw[at + draw(st.integers(1, 40)):]
    return raw, False


def write(raw: bytes, name: str, folder: str) -> Path:
    path = Path(folder) / name
    path.write_bytes(raw)
    return path


def loads_or_says_what_is_wrong(load, path: Path, must_load: bool) -> None:
    try:
        dataset = load(path)
    except DataError as exc:
        assert not must_load, f"a well-formed file with odd text was refused: {exc}"
        assert str(path) in str(exc), str(exc)  # the message names the file
        event("DataError")
        return
    event("loaded")
    report = dataset.report
    # Every row may be dropped by cleaning (all cancellations, say): an empty dataset with
    # an honest report, not an error.
    assert 0 <= report.rows_kept <= report.rows_read
    assert report.products == len(dataset.catalogue.frame) <= report.rows_kept
    assert all(str(t).strip() for t in dataset.catalogue.frame["title"])


@given(raw=mangled(HEADER + "".join(ROWS), text_columns=(2, 7)), gz=st.booleans(),
       cut=st.sampled_from([0, 0, 1, 9, 64]))
@FUZZ
def test_mangled_online_retail_csv_loads_or_raises_data_error(raw, gz, cut):
    raw, must_load = raw
    with tempfile.TemporaryDirectory() as folder:
        if gz:  # a gzip file, sometimes cut short
            packed = gzip.compress(raw)
            path = write(packed[: len(packed) - cut] if cut else packed, "orders.csv.gz", folder)
        else:
            path = write(raw, "orders.csv", folder)
        loads_or_says_what_is_wrong(load_online_retail, path, must_load and not (gz and cut))


@given(raw=mangled(MAPPED, text_columns=(2,)))
@FUZZ
def test_mangled_mapped_csv_loads_or_raises_data_error(raw):
    raw, must_load = raw
    mapping = ColumnMap(basket="order", product="sku", title="name", quantity="qty", price="unit", timestamp="at")
    with tempfile.TemporaryDirectory() as folder:
        loads_or_says_what_is_wrong(lambda p: load_mapped(p, mapping), write(raw, "export.csv", folder), must_load)


@pytest.mark.parametrize("customer", ["1e309", "17850.5"])
def test_a_customer_id_that_is_no_whole_number_is_a_data_error(tmp_path, customer):
    path = tmp_path / "orders.csv"
    path.write_text(HEADER + ROWS[0].replace("17850.0", customer))
    with pytest.raises(DataError, match="CustomerID"):
        load_online_retail(path)
