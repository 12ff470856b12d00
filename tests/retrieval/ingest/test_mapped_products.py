"""Composed titles and a separate products file, through the column-mapped reader."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from assistant.cli import main
from retrieval.errors import ConfigError, DataError
from retrieval.ingest import ColumnMap, load_mapped
from retrieval.ingest.mapped import compose_title
from retrieval.ingest.readers import parquet_text

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"

LINES = (
    "order,sku,qty,unit,who\n"
    "o1,A,2,3.50,c1\n"
    "o1,B,1,2.00,c1\n"
    "o2,A,1,4.50,c2\n"
    "o2,Z,1,1.00,c2\n"
)
PRODUCTS = (
    "sku,type,brand,size,dept\n"
    "A,BREAD:ITALIAN/FRENCH,Private,20 OZ,PASTRY\n"
    "B,KIDS  CEREAL,,,GROCERY\n"
    "A,SHOULD NOT WIN,Other,1 LB,NOWHERE\n"
)


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text)
    return path


def _mapping(folder: Path, products: str = 'file = "products.csv"\nkey = "sku"\n', extra: str = "") -> Path:
    return _write(
        folder,
        "map.toml",
        '[columns]\nbasket = "order"\nproduct = "sku"\nquantity = "qty"\nprice = "unit"\n'
        'customer = "who"\ntitle = ["type", "brand", "size"]\ncategory = "dept"\nattributes = ["brand"]\n'
        f"{extra}[products]\n{products}",
    )


def test_composed_title_skips_blank_parts_and_falls_back_to_the_id(tmp_path):
    _write(tmp_path, "orders.csv",
           "order,sku,kind,brand,size\n"
           "o1,A, Mug ,Acme,12 OZ\n"
           "o1,B,Towel,,\n"
           "o2,C,,  ,\n")
    mapping = ColumnMap(basket="order", product="sku", title=("kind", "brand", "size"))
    ds = load_mapped(tmp_path / "orders.csv", mapping)
    titles = {p.product_id: p.title for p in ds.catalogue}
    assert titles == {"A": "Mug Acme 12 OZ", "B": "Towel", "C": "C"}
    assert ds.report.dropped["missing_description"] == 0


def test_title_case_and_separator_make_a_shouting_title_readable():
    parts = [
        pd.Series(["BREAD:ITALIAN/FRENCH", "MEN'S  SOCKS", "Café crème", None], dtype="string"),
        pd.Series(["Private", None, "X", None], dtype="string"),
        pd.Series(["20 OZ", "PER LB", "", None], dtype="string"),
    ]
    assert compose_title(parts, ", ", "title").tolist() == [
        "Bread: Italian/French, Private, 20 OZ", "Men's Socks, Per Lb", "Café crème, X", pd.NA,
    ]
    assert compose_title(parts).tolist() == [
        "BREAD:ITALIAN/FRENCH Private 20 OZ", "MEN'S  SOCKS PER LB", "Café crème X", pd.NA,
    ]


def test_products_file_is_joined_on_its_key(tmp_path, caplog):
    _write(tmp_path, "orders.csv", LINES)
    _write(tmp_path, "products.csv", PRODUCTS)
    mapping = ColumnMap.from_toml(_mapping(tmp_path, extra='[format]\ntitle_sep = ", "\ntitle_case = "title"\n'))
    assert mapping.products.file == tmp_path / "products.csv"
    with caplog.at_level(logging.WARNING, logger="retrieval.ingest.mapped"):
        ds = load_mapped(tmp_path / "orders.csv", mapping)
    bread, cereal = ds.catalogue.get("A"), ds.catalogue.get("B")
    # First row of a repeated key wins; prices and quantities still come from the lines.
    assert (bread.title, bread.category, bread.price, bread.attributes) == (
        "Bread: Italian/French, Private, 20 OZ", "PASTRY", 4.0, {"brand": "Private"})
    assert (cereal.title, cereal.category) == ("Kids Cereal", "GROCERY")
    assert ds.report.rows_kept == 4 and ds.report.baskets == 2
    assert "1 rows repeat an earlier 'sku'" in caplog.text


def test_unknown_product_keeps_its_id_as_title_and_is_counted(tmp_path, caplog):
    _write(tmp_path, "orders.csv", LINES)
    _write(tmp_path, "products.csv", PRODUCTS)
    for title in ('title = ["type", "brand", "size"]', 'title = "type"'):
        text = _mapping(tmp_path).read_text().replace('title = ["type", "brand", "size"]', title)
        _write(tmp_path, "map.toml", text)
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="retrieval.ingest.mapped"):
            ds = load_mapped(tmp_path / "orders.csv", ColumnMap.from_toml(tmp_path / "map.toml"))
        unknown = ds.catalogue.get("Z")
        assert (unknown.title, unknown.category, unknown.attributes) == ("Z", "", {})
        assert ds.report.rows_kept == 4
        assert "1 lines (1 distinct products) have no row in the products file" in caplog.text


def test_missing_key_column_names_the_products_file_and_column(tmp_path):
    _write(tmp_path, "orders.csv", LINES)
    _write(tmp_path, "products.csv", PRODUCTS.replace("sku,", "item,", 1))
    mapping = ColumnMap.from_toml(_mapping(tmp_path))
    with pytest.raises(DataError, match="missing column 'sku'") as info:
        load_mapped(tmp_path / "orders.csv", mapping)
    assert info.value.path == str(tmp_path / "products.csv")
    assert "the key matching the lines' product" in str(info.value)
    assert "columns found: item, type, brand, size, dept" in str(info.value)


def test_product_column_in_neither_file_names_both(tmp_path):
    _write(tmp_path, "orders.csv", LINES)
    _write(tmp_path, "products.csv", PRODUCTS)
    _write(tmp_path, "map.toml", _mapping(tmp_path).read_text().replace('"dept"', '"aisle"'))
    with pytest.raises(DataError, match="missing column 'aisle', in neither this file nor the products file") as info:
        load_mapped(tmp_path / "orders.csv", ColumnMap.from_toml(tmp_path / "map.toml"))
    assert info.value.path == str(tmp_path / "orders.csv")
    assert str(tmp_path / "products.csv") in str(info.value)


def test_title_parts_may_come_from_both_files(tmp_path):
    _write(tmp_path, "orders.csv", LINES.replace(",who\n", ",who,colour\n", 1).replace(",c1\n", ",c1,red\n"))
    _write(tmp_path, "products.csv", PRODUCTS)
    text = _mapping(tmp_path).read_text().replace('["type", "brand", "size"]', '["colour", "type"]')
    ds = load_mapped(tmp_path / "orders.csv", ColumnMap.from_toml(_write(tmp_path, "map.toml", text)))
    assert ds.catalogue.get("B").title == "red KIDS  CEREAL"
    assert ds.catalogue.get("Z").title == "Z"  # no colour on that line, and no product row


def test_bad_products_section_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="unknown keys \\['column'\\] under \\[products\\]"):
        ColumnMap.from_toml(_mapping(tmp_path, products='file = "p.csv"\ncolumn = "sku"\n'))
    with pytest.raises(ConfigError, match="needs `file`"):
        ColumnMap.from_toml(_mapping(tmp_path, products='key = "sku"\n'))
    assert ColumnMap.from_toml(_mapping(tmp_path, products='file = "/abs/p.csv"\n')).products.key == "sku"


def test_parquet_files_join_like_csv(tmp_path):
    lines = pd.DataFrame({"order": [1, 1, 2], "sku": [10, 11, 10], "qty": [2, 1, 1], "unit": [1.5, 2.0, 2.5],
                          "who": [7, 7, 8]})
    products = pd.DataFrame({"sku": [10, 11], "type": ["TEA", "MUG"], "brand": ["Acme", None],
                             "size": ["20 CT", None], "dept": ["DRINKS", "HOME"]})
    lines.to_parquet(tmp_path / "orders.parquet")
    products.to_parquet(tmp_path / "products.parquet")
    mapping = ColumnMap.from_toml(_mapping(tmp_path, products='file = "products.parquet"\n'))
    ds = load_mapped(tmp_path / "orders.parquet", mapping)
    assert {p.product_id: p.title for p in ds.catalogue} == {"10": "TEA Acme 20 CT", "11": "MUG"}
    assert ds.catalogue.get("10").price == 2.0
    assert ds.baskets.history("7")[0].basket_id == "1"


def test_parquet_columns_read_as_the_text_str_gives():
    frame = pd.DataFrame({
        "i": np.array([1, -2, 3], dtype="int64"),
        "I": pd.array([1, None, 3], dtype="Int64"),
        "f": [0.1 + 0.2, np.nan, -0.0],
        "b": [True, False, True],
        "t": pd.to_datetime(["2017-01-01 11:53:26", None, "2017-01-02"], format="ISO8601"),
        "t_frac": pd.to_datetime(["2017-01-01 11:53:26.5", None, "2017-01-02"], format="ISO8601"),
        "t_tz": pd.to_datetime(["2017-01-01 11:53:26", "2017-01-02", None], format="ISO8601").tz_localize("UTC"),
        "s": pd.array(["a", None, " b "], dtype="str"),
    })
    expected = frame.astype(object).where(frame.notna(), None).astype("string")
    got = pd.DataFrame({c: parquet_text(frame[c]) for c in frame.columns})
    pd.testing.assert_frame_equal(got, expected)
    assert got["f"].tolist() == ["0.30000000000000004", pd.NA, "-0.0"]
    assert got["t"].tolist() == ["2017-01-01 11:53:26", pd.NA, "2017-01-02 00:00:00"]


def test_cli_reads_a_products_file_from_the_mapping_or_flags(tmp_path, capsys):
    orders = _write(tmp_path, "orders.csv", LINES)
    _write(tmp_path, "products.csv", PRODUCTS)
    out = tmp_path / "clean"
    assert main(["ingest", "--mapping", str(_mapping(tmp_path)), str(orders), "--out", str(out)]) == 0
    assert "rows kept                        4" in capsys.readouterr().out
    assert pd.read_parquet(out / "products.parquet").loc["A", "title"] == "BREAD:ITALIAN/FRENCH Private 20 OZ"

    flags = ["ingest", str(orders), "--basket-col", "order", "--product-col", "sku",
             "--title-col", "type", "--title-col", "size", "--title-sep", " - ", "--title-case", "title",
             "--products-file", str(tmp_path / "products.csv"), "--products-key", "sku", "--out", str(out)]
    assert main(flags) == 0
    assert pd.read_parquet(out / "products.parquet").loc["A", "title"] == "Bread: Italian/French - 20 OZ"
    assert main(["ingest", str(orders), "--basket-col", "order", "--product-col", "sku",
                 "--products-key", "sku"]) == 2
    assert "--products-key needs --products-file" in capsys.readouterr().err


def test_example_mapping_for_complete_journey_parses():
    mapping = ColumnMap.from_toml(EXAMPLES / "completejourney.toml")
    assert mapping.title == ("product_type", "brand", "package_size")
    assert mapping.products.file == EXAMPLES / "products.parquet"
    assert mapping.products.key == "product_id" and mapping.title_case == "title"
