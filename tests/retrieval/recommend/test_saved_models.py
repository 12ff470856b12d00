"""Models serving used to refit at every start are fitted once, saved atomically, and loaded as they were."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.recommend.copurchase import CopurchaseModel, CopurchaseSource
from retrieval.recommend.loader import copurchase_for
from retrieval.recommend.saved import MODELS_DIR, saved_or_fitted
from retrieval.recommend.sources import Context


def test_copurchase_is_fitted_once_then_loaded_with_the_same_answers(bundled_dataset, tmp_path, monkeypatch):
    fitted = copurchase_for(bundled_dataset, tmp_path)
    saved = list((tmp_path / MODELS_DIR).glob("copurchase-*.npz"))
    assert len(saved) == 1

    monkeypatch.setattr(CopurchaseModel, "__init__", lambda *a, **k: pytest.fail("refitted"))
    loaded = copurchase_for(bundled_dataset, tmp_path)
    assert loaded.ids == fitted.ids
    for name in ("similarity", "both"):
        a, b = getattr(fitted, name), getattr(loaded, name)
        assert (a != b).nnz == 0 and a.dtype == b.dtype
    np.testing.assert_array_equal(loaded.customers, fitted.customers)

    ids = [str(i) for i in bundled_dataset.catalogue.frame.index]
    ctx = Context(ids=ids, titles={}, mask=np.ones(len(ids), dtype=bool), history=["85123A", "22423", "47566"])
    want = CopurchaseSource(fitted, ids).candidates(ctx, 20)
    assert len(want) == 20
    assert CopurchaseSource(loaded, ids).candidates(ctx, 20) == want


def test_a_damaged_or_stale_model_is_fitted_again(tmp_path):
    fits = []

    def fit(value):
        fits.append(value)
        return value

    def save(value, path):
        path.write_text(value)

    def load(path):
        text = path.read_text()
        if text == "garbage":
            raise ValueError("not a model")
        return text

    assert saved_or_fitted(tmp_path, "m", "k1", lambda: fit("one"), save, load) == "one"
    assert saved_or_fitted(tmp_path, "m", "k1", lambda: fit("again"), save, load) == "one"
    (tmp_path / MODELS_DIR / "m-k1.npz").write_text("garbage")
    assert saved_or_fitted(tmp_path, "m", "k1", lambda: fit("mended"), save, load) == "mended"
    # Another key (other baskets): fitted, and the stale file is dropped.
    assert saved_or_fitted(tmp_path, "m", "k2", lambda: fit("two"), save, load) == "two"
    assert fits == ["one", "mended", "two"]
    assert [p.name for p in (tmp_path / MODELS_DIR).iterdir()] == ["m-k2.npz"]


def test_the_key_follows_the_customers_too(bundled_dataset):
    from retrieval.baskets import Baskets

    ids = bundled_dataset.catalogue.ids
    key = CopurchaseModel.key(ids, bundled_dataset.baskets)
    assert key == CopurchaseModel.key(ids, bundled_dataset.baskets)
    lines = bundled_dataset.baskets.lines.copy()
    lines.loc[lines.index[0], "customer_id"] = "someone else"
    assert CopurchaseModel.key(ids, Baskets(lines)) != key
    assert CopurchaseModel.key(ids, bundled_dataset.baskets, neighbours=50) != key


def test_ease_is_fitted_once_then_loaded_with_the_same_scores(bundled_dataset, tmp_path, monkeypatch):
    from retrieval.recommend.ease import EaseModel
    from retrieval.recommend.loader import ease_for

    fitted = ease_for(bundled_dataset, tmp_path)
    assert len(list((tmp_path / MODELS_DIR).glob("ease-*.npz"))) == 1
    monkeypatch.setattr(EaseModel, "__init__", lambda *a, **k: pytest.fail("refitted"))
    loaded = ease_for(bundled_dataset, tmp_path)
    np.testing.assert_array_equal(loaded.items, fitted.items)
    assert loaded.weights.dtype == fitted.weights.dtype == np.float32
    rows = [3, 17, 250]
    got, want = loaded.scores(rows), fitted.scores(rows)
    assert np.isfinite(want).sum() > 100
    np.testing.assert_array_equal(got, want)


def test_factors_are_fitted_once_then_loaded_with_the_same_scores(bundled_dataset, tmp_path, monkeypatch):
    from retrieval.recommend.factors import FactorModel
    from retrieval.recommend.loader import factors_for

    fitted = factors_for(bundled_dataset, tmp_path)
    assert len(list((tmp_path / MODELS_DIR).glob("factors-*.npz"))) == 1
    monkeypatch.setattr(FactorModel, "fit", lambda *a, **k: pytest.fail("refitted"))
    loaded = factors_for(bundled_dataset, tmp_path)
    np.testing.assert_array_equal(loaded.scored_items, fitted.scored_items)
    assert loaded.user_index == fitted.user_index and len(loaded.user_index) > 1000
    history = ["85123A", "22423", "84879"]
    np.testing.assert_array_equal(loaded.user(None, history), fitted.user(None, history))
