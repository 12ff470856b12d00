"""The bundled Online Retail file loads with the documented, real counts."""

from __future__ import annotations

import pandas as pd
import pytest

from retrieval.ingest.online_retail import NON_PRODUCT_CODES
from retrieval.report import IngestReport


def test_report_counts_are_the_real_ones(bundled_dataset):
    r = bundled_dataset.report
    assert r.rows_read == 541_909
    assert r.rows_kept == 522_837
    assert r.dropped == {
        "missing_basket_id": 0,
        "missing_product_id": 0,
        "cancellation": 9_288,
        "adjustment": 3,
        "non_product_code": 2_489,
        "stock_note": 617,
        "missing_description": 1_439,
        "non_positive_quantity": 10,
        "duplicate_row": 5_226,
    }
    assert (r.products, r.baskets, r.customers) == (3_790, 19_795, 4_335)
    assert r.kept_without_customer == 131_733


def test_report_adds_up_exactly(bundled_dataset):
    r = bundled_dataset.report
    assert r.rows_kept + r.rows_dropped == r.rows_read
    r.check()
    broken = IngestReport(source="x", rows_read=10, rows_kept=5, dropped={"a": 4})
    try:
        broken.check()
    except AssertionError as exc:
        assert "does not add up" in str(exc)
    else:
        raise AssertionError("a report that does not add up must be refused")


def test_catalogue_has_one_clean_title_and_a_price_per_product(bundled_dataset):
    cat = bundled_dataset.catalogue
    heart = cat.get("85123A")
    # The most frequent of its descriptions, not "CREAM ..." (9 rows) or a stock note.
    assert heart.title == "WHITE HANGING HEART T-LIGHT HOLDER"
    assert heart.price == 2.95
    assert heart.popularity > 2000
    titles = cat.frame["title"]
    assert (titles == titles.str.strip()).all()
    assert (titles != "").all()
    ids = pd.Series(cat.ids)
    assert not ids.str.upper().isin(NON_PRODUCT_CODES).any()
    assert not ids.str.startswith(("GIFT_", "DCGS")).any()
    assert (ids == ids.str.upper()).all(), "lower-case codes are merged into their upper-case twin"
    # Stock notes never become product names.
    assert not titles.isin(["check", "damaged", "?", "found", "Manual"]).any()
    # A real product with lower-case letters in its name survives.
    assert titles.str.contains("POLYESTER FILLER PAD 40x40cm", regex=False).any()


def test_baskets_keep_anonymous_orders_but_histories_do_not(bundled_dataset):
    baskets = bundled_dataset.baskets
    lines = baskets.lines
    anonymous = lines[lines["customer_id"].isna()]["basket_id"].nunique()
    assert anonymous > 1000
    assert len(baskets.customers) == 4_335
    history = baskets.history("17850")
    assert history and all(b.customer_id == "17850" for b in history)
    assert [b.timestamp for b in history] == sorted(b.timestamp for b in history)
    assert "85123A" in history[0].items
    # One row per (basket, product): repeated scans are summed, not duplicated.
    assert not lines.duplicated(["basket_id", "product_id"]).any()


def test_dataset_round_trips_through_parquet(bundled_dataset, tmp_path):
    from retrieval.dataset import Dataset

    bundled_dataset.save(tmp_path / "ds")
    again = Dataset.load(tmp_path / "ds")
    pd.testing.assert_frame_equal(again.catalogue.frame, bundled_dataset.catalogue.frame)
    pd.testing.assert_frame_equal(again.baskets.lines, bundled_dataset.baskets.lines)
    assert again.report == bundled_dataset.report
    assert again.fingerprint() == bundled_dataset.fingerprint()


@pytest.mark.parametrize("part", ["products.parquet", "lines.parquet", "meta.json"])
def test_a_damaged_saved_dataset_names_the_command_that_rewrites_it(bundled_dataset, tmp_path, part):
    from retrieval.dataset import Dataset
    from retrieval.errors import IndexNotFoundError

    folder = bundled_dataset.save(tmp_path / "dataset")
    (folder / part).write_bytes(b"not what was saved")
    with pytest.raises(IndexNotFoundError, match=r"damaged.*shopassist ingest --save"):
        Dataset.load(folder)
