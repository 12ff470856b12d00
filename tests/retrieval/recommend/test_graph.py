"""LightGCN on a two-community graph whose answer is known by construction.

Customers c0..c7 buy only A items (a0..a4), customers d0..d7 only B items (b0..b4). Every
A item is bought by several A customers, so propagation ties each A item to all the others:
a customer (or a folded-in history) holding some A items must rank the A items they lack
above every B item.
"""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.evaluation import create
from retrieval.evaluation.baselines.lightgcn import LightGCN
from retrieval.evaluation.baselines.matrix import popularity
from retrieval.recommend.graph import GraphModel, GraphParams

from ..evaluation.conftest import make_baskets, make_catalogue, make_history

A = [f"a{i}" for i in range(5)]
B = [f"b{i}" for i in range(5)]
IDS = A + B + ["lonely"]  # "lonely" is never bought by a customer


def _community(prefix: str, items: list[str]) -> list[tuple]:
    """Customer n buys a sliding window of 3 of the 5 items; c0 / d0 never see item 3 or 4."""
    rows = []
    for n in range(8):
        window = [items[(n + k) % 5] for k in range(3)]
        rows.append((f"{prefix}{n}", f"{prefix}{n}", "2021-01-01", window))
    return rows


TRAIN = make_baskets(
    _community("c", A) + _community("d", B) + [("anon", None, "2021-01-02", ["lonely", "a0"])]
)
# Small and quick: one full-batch step per epoch on this graph.
PARAMS = GraphParams(dim=16, layers=2, epochs=150, lr=0.05, threads=1, device="cpu")


@pytest.fixture(scope="module")
def model() -> GraphModel:
    return GraphModel(PARAMS).fit(TRAIN, IDS)


def _rank_above_b(scores: np.ndarray, item: str) -> bool:
    best_b = max(scores[IDS.index(b)] for b in B)
    return bool(scores[IDS.index(item)] > best_b)


def test_fitted_customer_ranks_unseen_community_items_above_the_other_community(model):
    scores = model.scores(["a0", "a1", "a2"], customer_id="c0")
    assert scores.shape == (len(IDS),)
    assert _rank_above_b(scores, "a3") and _rank_above_b(scores, "a4")


def test_fold_in_history_of_a_items_prefers_a_items(model):
    scores = model.scores(["a0", "a1"], customer_id="never-seen")
    assert _rank_above_b(scores, "a2") and _rank_above_b(scores, "a3")
    assert np.allclose(scores, model.scores(["a1", "a0", "zz"]))  # order, unknown items: no effect


def test_unknown_history_and_unbought_item_score_zero(model):
    assert not model.scores(["zz"]).any()
    assert not model.item_matrix[IDS.index("lonely")].any()  # anonymous baskets carry no edge


def test_batch_matches_one_by_one(model):
    pairs = [(["a0"], "c1"), (["b0", "b1"], None), ([], None)]
    batch = model.scores_batch(pairs)
    for row, (items, cid) in zip(batch, pairs, strict=True):
        assert np.allclose(row, model.scores(items, cid))


def test_save_load_round_trip_gives_identical_scores(model, tmp_path):
    path = model.save(tmp_path / "graph.npz")
    loaded = GraphModel.load(path)
    assert loaded.ids == model.ids and loaded.user_ids == model.user_ids
    assert loaded.params == model.params
    for items, cid in ((["a0"], "c0"), (["b1", "b2"], None)):
        assert np.array_equal(loaded.scores(items, cid), model.scores(items, cid))


def test_seed_reproducibility(model):
    again = GraphModel(PARAMS).fit(TRAIN, IDS)
    assert np.array_equal(again.item_matrix, model.item_matrix)
    assert np.array_equal(again.user_matrix, model.user_matrix)
    other = GraphModel(PARAMS, seed=1, epochs=5).fit(TRAIN, IDS)
    assert not np.array_equal(other.item_matrix, model.item_matrix)


def test_restores_torch_threads():
    import torch

    before = torch.get_num_threads()
    GraphModel(PARAMS, epochs=1, threads=1).fit(TRAIN, IDS)
    assert torch.get_num_threads() == before


def test_lightgcn_recommender_never_recommends_an_excluded_item():
    rec = LightGCN(PARAMS).fit(TRAIN, make_catalogue(IDS))
    known = make_history("c0", [("2021-01-01", ["a0", "a1", "a2"])])
    stranger = make_history("x", [("2021-02-01", ["zz"])])
    lists = rec.recommend_batch([known, known, stranger], 4, [set(), set(A), {"a0"}])
    assert not set(A) & set(lists[1]) and "a0" not in lists[2]
    assert lists[0][0] in A and len(lists[1]) == 4
    assert rec.recommend(known, 4, set(IDS)) == []
    # No known item: every score is 0, so the list is the popularity order.
    ranking = popularity(TRAIN).index.tolist()
    assert lists[2] == [i for i in ranking if i != "a0"][:4]


def test_registered_under_its_name():
    assert create(["lightgcn"])["lightgcn"].name == "lightgcn"
