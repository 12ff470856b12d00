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


LINE_TOTALS = (
    "order,sku,name,qty,sales,disc\n"
    "o1,A,Red mug,2,5.60,0.2\n"   # 5.60 / 2 / 0.8 = 3.50
    "o2,A,Red mug,1,3.50,0\n"
    "o3,B,Tea towel,3,4.50,\n"    # no discount written: none
    "o4,C,Free sample,1,0.00,1\n"  # 100% off: the list price cannot be told
)


def _shop_mapping(tmp_path, shop: str = "", extra: str = "") -> ColumnMap:
    (tmp_path / "orders.csv").write_text(LINE_TOTALS)
    (tmp_path / "map.toml").write_text(
        f"{shop}[columns]\nbasket = \"order\"\nproduct = \"sku\"\ntitle = \"name\"\nquantity = \"qty\"\n"
        f"line_total = \"sales\"\ndiscount = \"disc\"\n{extra}"
    )
    return ColumnMap.from_toml(tmp_path / "map.toml")


def test_unit_prices_are_derived_from_line_totals_and_discounts(tmp_path):
    ds = load_mapped(tmp_path / "orders.csv", _shop_mapping(tmp_path))
    cat = ds.catalogue
    assert cat.get("A").price == pytest.approx(3.5) and cat.get("B").price == pytest.approx(1.5)
    assert cat.get("C").price is None  # shown as "price unknown", never a made-up number


def test_the_shop_profile_comes_with_the_mapping_and_is_saved(tmp_path):
    mapping = _shop_mapping(tmp_path, '[shop]\nname = "Tante Emma"\ncurrency = "EUR"\nlocale = "de_DE"\n'
                                      'examples = ["Tassen unter 5 €"]\n')
    ds = load_mapped(tmp_path / "orders.csv", mapping)
    assert (ds.shop.name, ds.shop.currency, ds.shop.money.format(3.5)) == ("Tante Emma", "EUR", "3,50\xa0€")
    ds.save(tmp_path / "saved")
    from retrieval.dataset import Dataset

    assert Dataset.load(tmp_path / "saved").shop == ds.shop


@pytest.mark.parametrize(("shop", "extra", "words"), [
    ('[shop]\nname = "X"\ncurrency = "EURO"\n', "", "ISO 4217"),
    ('[shop]\nname = "X"\nlocale = "xx_NOPE"\n', "", "locale"),
    ('[shop]\nname = "X"\nowner = "me"\n', "", "unknown keys ['owner'] under [shop]"),
    ("", 'price = "sales"\n', "either `price`"),
])
def test_a_bad_shop_table_or_price_role_names_the_mapping_file(tmp_path, shop, extra, words):
    with pytest.raises(ConfigError) as err:
        _shop_mapping(tmp_path, shop, extra)
    assert "map.toml" in str(err.value) and words in str(err.value)


def test_a_discount_outside_0_to_1_names_the_file_line_and_column(tmp_path):
    mapping = _shop_mapping(tmp_path)
    (tmp_path / "orders.csv").write_text(LINE_TOTALS.replace("o2,A,Red mug,1,3.50,0", "o2,A,Red mug,1,3.50,20"))
    with pytest.raises(DataError) as err:
        load_mapped(tmp_path / "orders.csv", mapping)
    assert (err.value.line, err.value.column) == (3, "disc") and "orders.csv" in str(err.value)


def test_a_display_title_template_composes_the_title_from_columns(tmp_path):
    (tmp_path / "orders.csv").write_text(
        "order,sku,kind,brand,size\n"
        "o1,A,Tea,Acme,500 g\n"
        "o1,B,Coffee,,250 g\n"   # no brand: " by " goes with it
        "o2,C,,,\n"              # nothing to compose: named by its id
    )
    (tmp_path / "map.toml").write_text(
        '[columns]\nbasket = "order"\nproduct = "sku"\ntitle = "{kind} by {brand}, {size}"\n')
    ds = load_mapped(tmp_path / "orders.csv", ColumnMap.from_toml(tmp_path / "map.toml"))
    titles = {pid: ds.catalogue.get(pid).title for pid in ("A", "B", "C")}
    assert titles == {"A": "Tea by Acme, 500 g", "B": "Coffee, 250 g", "C": "C"}
    (tmp_path / "map.toml").write_text('[columns]\nbasket = "order"\nproduct = "sku"\ntitle = "{kind"\n')
    with pytest.raises(ConfigError, match="template"):
        ColumnMap.from_toml(tmp_path / "map.toml")
