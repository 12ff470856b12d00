"""The ALS factor source on two communities whose answer is known by construction.

Customers c0..c7 buy only A items, d0..d7 only B items (a sliding window of 3 of 5 each): a
customer or a guest's basket holding A items must be offered the A items they lack, never a
B item. A guest's factors are solved exactly as implicit's own new-user step solves them.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from retrieval.recommend.factors import FactorModel, FactorSource
from retrieval.recommend.sources import Context

from .test_graph import IDS, TRAIN, A, B


@pytest.fixture(scope="module")
def model() -> FactorModel:
    return FactorModel(IDS, factors=8, iterations=20).fit(TRAIN)


def _ctx(history: list[str], customer: str | None, mask: np.ndarray | None = None) -> Context:
    position = {p: i for i, p in enumerate(IDS)}
    return Context(ids=IDS, titles={p: p for p in IDS}, mask=np.ones(len(IDS), bool) if mask is None else mask,
                   history=history, question=None, seeds=[], query_vector=None, position=position,
                   baskets=[], now=None, customer_id=customer)


def test_a_guest_is_solved_as_implicit_solves_a_new_user(model):
    from implicit.cpu.als import AlternatingLeastSquares

    ref = AlternatingLeastSquares(factors=8, regularization=0.05, alpha=1.0, iterations=1, num_threads=1)
    ref.item_factors = model.items.copy()
    row = np.zeros(len(IDS), np.float32)
    row[[IDS.index("a0"), IDS.index("a1")]] = [2.0, 1.0]
    want = np.asarray(ref.recalculate_user(0, sparse.csr_matrix(row))).ravel()
    got = model.user(None, ["a0", "a1", "a0"])
    assert np.allclose(got, want, atol=1e-4)


@pytest.mark.parametrize("customer", ["c0", None])
def test_the_customers_community_comes_first(model, customer):
    found = FactorSource(model).candidates(_ctx(["a0", "a1", "a2"], customer), 4)
    ids = [s.product_id for s in found]
    assert ids and set(ids) <= set(A), ids
    assert not set(ids) & set(B)
    evidence = found[0].evidence
    assert evidence.source == "factors" and "tastes like yours" in evidence.text


def test_the_mask_and_an_empty_history_are_honoured(model):
    mask = np.ones(len(IDS), bool)
    mask[IDS.index("a3")] = False
    ids = [s.product_id for s in FactorSource(model).candidates(_ctx(["a0", "a1", "a2"], None, mask), 10)]
    assert "a3" not in ids and ids
    assert FactorSource(model).candidates(_ctx([], None), 5) == []
    assert FactorSource(model).candidates(_ctx(["unknown"], "nobody"), 5) == []


def test_saved_factors_load_as_fitted_and_other_settings_are_refused(model, tmp_path):
    path = tmp_path / "factors.npz"
    model.save(path)
    again = FactorModel(IDS, factors=8, iterations=20).load(path)
    assert np.array_equal(again.items, model.items) and again.user_index == model.user_index
    assert np.allclose(again.user(None, ["b0", "b1"]), model.user(None, ["b0", "b1"]))
    assert model.key(TRAIN) == FactorModel(IDS, factors=8, iterations=20).key(TRAIN)
    assert model.key(TRAIN) != FactorModel(IDS, factors=16, iterations=20).key(TRAIN)
    with pytest.raises(ValueError, match="other settings"):
        FactorModel(IDS, factors=16, iterations=20).load(path)


def test_only_the_most_bought_items_are_scored_and_the_rest_still_solve_a_guest():
    capped = FactorModel(IDS, factors=8, iterations=20, max_scored=4).fit(TRAIN)
    bought = {p: 0 for p in IDS}
    for b in TRAIN:  # the customers' baskets: the factors are fitted from those
        for p in set(b.items) if b.customer_id is not None else ():
            bought[p] += 1
    top = sorted(IDS, key=lambda p: (-bought[p], IDS.index(p)))[:4]
    assert sorted(IDS[r] for r in capped.scored) == sorted(top)
    ids = {s.product_id for s in FactorSource(capped).candidates(_ctx(["a0", "b0", "lonely"], None), 10)}
    assert ids and ids <= set(top)
    assert capped.user(None, ["lonely"]) is not None  # an unscored item's factors still solve
