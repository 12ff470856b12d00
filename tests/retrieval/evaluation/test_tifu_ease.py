"""TIFU-KNN and EASE on tiny data whose right answers are computed by hand."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.evaluation import create
from retrieval.evaluation.baselines import EASE, TifuKNN
from retrieval.recommend.tifu import TifuModel, TifuParams

from .conftest import make_baskets, make_catalogue, make_history

IDS = ["a", "b", "c", "x", "y", "z", "p"]


def vec(model: TifuModel, weights: dict[str, float]) -> np.ndarray:
    out = np.zeros(len(model.ids))
    for item, w in weights.items():
        out[model.index[item]] = w
    return out


def test_fewer_baskets_than_groups_gives_one_group_per_basket():
    model = TifuModel(IDS, TifuParams(group_decay=0.7, groups=7))
    # 3 groups of one basket: u = (0.7^2 b1 + 0.7 b2 + b3) / 3, an item once per basket.
    got = model.user_vector([["a", "b", "a"], ["a"], ["c", "unknown"]])
    want = vec(model, {"a": (0.49 + 0.7) / 3, "b": 0.49 / 3, "c": 1 / 3})
    np.testing.assert_allclose(got, want, rtol=1e-6)


def test_groups_take_the_remainder_first_and_decay_within_each_group():
    model = TifuModel(IDS, TifuParams(within_decay=0.5, group_decay=0.5, groups=2))
    # 5 baskets, 2 groups: the oldest group holds 2 + 1 left over = 3, the newest 2.
    # Old group: 0.5^(2, 1, 0) / 3, times 0.5^1 / 2; new group: 0.5^(1, 0) / 2, times 1 / 2.
    got = model.user_vector([["a"], ["b"], ["c"], ["x"], ["y"]])
    want = vec(
        model,
        {"a": 0.25 / 12, "b": 0.5 / 12, "c": 1 / 12, "x": 0.5 / 4, "y": 1 / 4},
    )
    np.testing.assert_allclose(got, want, rtol=1e-6)


def test_fit_orders_baskets_by_time_and_ignores_anonymous_ones():
    train = make_baskets(
        [
            ("t3", "u1", "2021-01-03", ["c"]),
            ("t1", "u1", "2021-01-01", ["a", "b"]),
            ("t0", None, "2021-01-01", ["z"]),
            ("t2", "u1", "2021-01-02", ["a"]),
            ("t4", "u2", "2021-01-02", ["y"]),
        ]
    )
    model = TifuModel(IDS).fit(train)
    assert model.customers == ("u1", "u2")
    fitted = model.users.toarray()[model.customer_index["u1"]]
    want = model.user_vector([["a", "b"], ["a"], ["c"]])
    np.testing.assert_allclose(fitted, want, rtol=1e-6)
    assert fitted[model.index["z"]] == 0.0


# u2 is u1 plus x; u3 shares nothing with them.
NEIGHBOURS = make_baskets(
    [
        ("n1", "u1", "2021-01-01", ["a", "b"]),
        ("n2", "u2", "2021-01-01", ["a", "b", "x"]),
        ("n3", "u3", "2021-01-01", ["y", "z"]),
    ]
)


def test_the_neighbour_part_brings_in_what_a_similar_customer_bought():
    model = TifuModel(IDS, TifuParams(k_neighbours=1, alpha=0.5)).fit(NEIGHBOURS)
    history = [["a", "b"]]
    neighbour = model.neighbour_scores(history, exclude_customer="u1")
    # The one nearest other customer is u2: half of u2's vector.
    np.testing.assert_allclose(neighbour, 0.5 * vec(model, {"a": 1, "b": 1, "x": 1}))
    scores = model.scores(history, exclude_customer="u1")
    np.testing.assert_allclose(scores, model.own_scores(history) + neighbour)
    assert scores[model.index["x"]] > 0 and scores[model.index["y"]] == 0
    # Not excluded, u1 is its own nearest neighbour and x never comes in.
    assert model.scores(history)[model.index["x"]] == 0


def test_customers_with_no_similarity_are_never_neighbours():
    model = TifuModel(IDS, TifuParams(k_neighbours=300, alpha=0.5)).fit(NEIGHBOURS)
    scores = model.scores([["a"]], exclude_customer="u1")
    # Only u2 is similar: the mean is over it alone, and u3's items stay at zero.
    assert scores[model.index["x"]] == pytest.approx(0.5)
    assert scores[model.index["y"]] == 0 and scores[model.index["z"]] == 0


def test_alpha_one_is_the_own_vector_only():
    model = TifuModel(IDS, TifuParams(alpha=1.0)).fit(NEIGHBOURS)
    history = [["a"], ["b"]]
    np.testing.assert_allclose(model.scores(history), model.user_vector(history))
    assert not model.neighbour_scores(history).any()


def test_batch_scores_equal_one_at_a_time():
    model = TifuModel(IDS, TifuParams(k_neighbours=2)).fit(NEIGHBOURS)
    histories = [[["a", "b"]], [["y"], ["x"]], [["unknown"]]]
    customers = ["u1", None, "u3"]
    batch = model.scores_batch(histories, customers)
    for row, h, c in zip(batch, histories, customers, strict=True):
        np.testing.assert_array_equal(row, model.scores(h, c))
    assert not batch[2].any()  # no known item: no vector, no neighbours


# p is the most popular item but no customer bought it (anonymous baskets only).
TRAIN = make_baskets(
    [(f"g{i}", f"g{i}", "2021-01-01", ["a", "b", "c"]) for i in range(3)]
    + [(f"h{i}", f"h{i}", "2021-01-01", ["x", "y", "z"]) for i in range(3)]
    + [(f"n{i}", None, "2021-01-01", ["p"]) for i in range(9)]
    + [("g9", "g9", "2021-01-02", ["a", "b"])]
)
CATALOGUE = make_catalogue(IDS)


def test_tifu_knn_ranks_scored_items_then_pads_with_popular_ones():
    rec = TifuKNN().fit(TRAIN, CATALOGUE)
    history = make_history("g9", [("2021-01-02", ["a", "b"])])
    # c (from the g* neighbours) before p, the most popular item, which nobody near bought.
    assert rec.recommend(history, 3, exclude={"a", "b"}) == ["c", "p", "x"]
    assert rec.recommend(history, 2) == ["a", "b"]


def test_registry_builds_both_with_the_documented_defaults():
    recs = create(["tifu-knn", "ease"])
    assert isinstance(recs["tifu-knn"], TifuKNN) and isinstance(recs["ease"], EASE)
    assert recs["tifu-knn"].params == TifuParams(
        k_neighbours=300, within_decay=0.9, group_decay=0.7, alpha=0.7, groups=7
    )
    assert recs["ease"].lam == 250 and recs["ease"].max_items == 10_000


# 3 customers bought a and b, 1 only a: G = [[4, 3], [3, 3]].
PAIR = make_baskets(
    [(f"c{i}", f"c{i}", "2021-01-01", ["a", "b"]) for i in range(3)]
    + [("c9", "c9", "2021-01-01", ["a"])]
)


def test_ease_weights_match_the_two_item_closed_form():
    # For two items, B_ab = G_ab / (G_aa + lambda) and B_ba = G_ab / (G_bb + lambda).
    rec = EASE(lam=1.0).fit(PAIR, CATALOGUE)
    np.testing.assert_allclose(rec.weights, [[0, 3 / 5], [3 / 4, 0]], rtol=1e-5)


def test_ease_ranks_the_always_co_bought_item_first():
    # y is only ever bought with a; c and x are more popular, c once with a.
    train = make_baskets(
        [(f"g{i}", f"g{i}", "2021-01-01", ["a", "y"]) for i in range(3)]
        + [(f"h{i}", f"h{i}", "2021-01-01", ["c", "x"]) for i in range(6)]
        + [("k1", "k1", "2021-01-01", ["a", "c"])]
    )
    rec = EASE(lam=1.0).fit(train, CATALOGUE)
    history = make_history("new", [("2021-02-01", ["a"])])
    # Popularity alone would say c, x, a, y; excluded a never comes back.
    assert rec.recommend(history, 4, exclude={"a"}) == ["y", "c", "x"]


def test_ease_keeps_only_the_most_popular_items_and_pads_the_rest():
    train = make_baskets(
        [(f"g{i}", f"g{i}", "2021-01-01", ["a", "b"]) for i in range(3)]
        + [("k1", "k1", "2021-01-01", ["a", "c"])]
    )
    rec = EASE(lam=1.0, max_items=2).fit(train, CATALOGUE)
    assert rec.weights.shape == (2, 2)
    c = rec.space.index["c"]
    history = make_history("new", [("2021-02-01", ["a"])])
    assert np.isneginf(rec.score([history])[0, c])  # c is outside EASE: never scored
    assert rec.recommend(history, 3, exclude={"a"}) == ["b", "c"]  # c only as padding
    # A history of c alone has no EASE item: every score ties, popularity decides.
    only_c = make_history("new", [("2021-02-01", ["c"])])
    assert rec.recommend(only_c, 3, exclude={"c"}) == ["a", "b"]
