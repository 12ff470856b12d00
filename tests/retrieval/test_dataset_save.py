"""Dataset.save: a save that fails part-way leaves the previous dataset whole and loadable."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest

from retrieval.baskets import Baskets
from retrieval.dataset import Dataset
from retrieval.products import Catalogue


def _dataset(titles: list[str], extra_line_column: object = None) -> Dataset:
    ids = [f"P{n}" for n in range(len(titles))]
    frame = pd.DataFrame({"title": titles, "description": "", "category": "c", "price": 1.5, "popularity": 1},
                         index=pd.Index(ids, name="product_id"))
    lines = pd.DataFrame({"basket_id": ["b1"] * len(ids), "customer_id": "c1",
                          "timestamp": pd.Timestamp("2026-01-01"), "product_id": ids, "quantity": 1})
    if extra_line_column is not None:
        lines["extra"] = [extra_line_column] * len(ids)
    return Dataset(Catalogue(frame), Baskets(lines))


def test_save_round_trips_and_leaves_only_the_three_files(tmp_path):
    folder = _dataset(["a", "b"]).save(tmp_path / "ds")
    _dataset(["x", "y", "z"]).save(folder)
    assert sorted(p.name for p in folder.iterdir()) == ["lines.parquet", "meta.json", "products.parquet"]
    loaded = Dataset.load(folder)
    assert loaded.catalogue.frame["title"].tolist() == ["x", "y", "z"] and len(loaded.baskets.lines) == 3


def test_a_save_failing_on_the_baskets_keeps_the_old_catalogue_too(tmp_path):
    folder = _dataset(["a", "b"]).save(tmp_path / "ds")
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    # The catalogue writes fine; the lines hold a value Parquet cannot store, so their write raises.
    unsavable = _dataset(["x", "y", "z"], extra_line_column=object())
    with pytest.raises(pa.ArrowInvalid, match="object"):
        unsavable.save(folder)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before  # same files, same bytes
    assert Dataset.load(folder).catalogue.frame["title"].tolist() == ["a", "b"]
