"""A retailer's own shape loads through a column mapping, from flags or TOML."""

from __future__ import annotations

import pytest

from assistant.cli import main
from retrieval.config import BUNDLED_GROCERIES_LONG
from retrieval.errors import ConfigError, DataError
from retrieval.ingest import ColumnMap, load_mapped


def test_groceries_long_file_loads_through_a_mapping():
    ds = load_mapped(BUNDLED_GROCERIES_LONG, ColumnMap(basket="transaction_id", product="item"))
    r = ds.report
    assert (r.rows_read, r.rows_kept, r.baskets, r.products) == (43_367, 43_367, 9_835, 169)
    assert r.customers == 0 and r.kept_without_customer == 43_367
    milk = ds.catalogue.get("whole milk")
    assert milk.title == "whole milk" and milk.popularity == 2_513
    assert len(ds.baskets.item_lists()) == 9_835


def test_toml_mapping_with_prices_dates_and_attributes(tmp_path):
    (tmp_path / "orders.csv").write_text(
        "order,sku,name,dept,brand,qty,unit,at,who\n"
        "o1,A,Red mug,kitchen,Acme,2,3.50,03/01/2024 10:00,c1\n"
        "o1,B,Tea towel,kitchen,Acme,1,2.00,03/01/2024 10:00,c1\n"
        "o2,A,Red mug,kitchen,Acme,1,4.50,04/01/2024 09:00,\n"
        "o2,A,Red mug,kitchen,Acme,1,4.50,04/01/2024 09:00,\n"
        "o3,C,,garden,Bee,1,9.00,05/01/2024 09:00,c2\n"
    )
    (tmp_path / "map.toml").write_text(
        '[columns]\nbasket = "order"\nproduct = "sku"\ntitle = "name"\ncategory = "dept"\n'
        'quantity = "qty"\nprice = "unit"\ntimestamp = "at"\ncustomer = "who"\nattributes = ["brand"]\n'
        '[format]\ndate_format = "%d/%m/%Y %H:%M"\n'
    )
    ds = load_mapped(tmp_path / "orders.csv", ColumnMap.from_toml(tmp_path / "map.toml"))
    assert ds.report.dropped["duplicate_row"] == 1
    assert ds.report.dropped["missing_description"] == 1
    assert ds.report.rows_kept == 3
    mug = ds.catalogue.get("A")
    assert (mug.title, mug.category, mug.price, mug.attributes) == ("Red mug", "kitchen", 4.0, {"brand": "Acme"})
    assert ds.baskets.history("c1")[0].timestamp.month == 1
    assert ds.report.kept_without_customer == 1


def test_unknown_mapping_key_is_refused(tmp_path):
    (tmp_path / "m.toml").write_text('[columns]\nbasket = "b"\nproduct = "p"\nprize = "x"\n')
    with pytest.raises(ConfigError, match="unknown keys \\['prize'\\]"):
        ColumnMap.from_toml(tmp_path / "m.toml")


def test_mapping_naming_a_missing_column(tmp_path):
    with pytest.raises(DataError, match="missing column 'basket'"):
        load_mapped(BUNDLED_GROCERIES_LONG, ColumnMap(basket="basket", product="item"))


def test_cli_flags_map_columns_and_write_parquet(tmp_path, capsys):
    out = tmp_path / "clean"
    code = main(["ingest", str(BUNDLED_GROCERIES_LONG), "--basket-col", "transaction_id",
                 "--product-col", "item", "--out", str(out)])
    assert code == 0
    text = capsys.readouterr().out
    assert "rows read                   43,367" in text
    assert (out / "products.parquet").exists() and (out / "lines.parquet").exists()


def test_cli_mapped_format_without_columns_is_a_clear_error(capsys):
    assert main(["ingest", "--format", "mapped", "x.csv"]) == 2
    assert "--basket-col" in capsys.readouterr().err
