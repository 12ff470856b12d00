"""Real titles, real encoder, real Chroma: do the neighbours make sense to a shopper?"""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.errors import NotFoundError
from retrieval.index import build_index, open_index

from .conftest import is_tea


@pytest.fixture(scope="module")
def index(small_catalogue, encoder, tmp_path_factory):
    root = tmp_path_factory.mktemp("semantic-home")
    build_index(small_catalogue, root, encoder=encoder)
    return open_index(root, encoder=encoder)


@pytest.fixture(scope="module")
def titles(small_catalogue) -> dict[str, str]:
    return small_catalogue.frame["title"].astype(str).to_dict()


def test_retrospot_neighbours_are_mostly_retrospot(index, titles):
    retrospot = [pid for pid, t in titles.items() if "RETROSPOT" in t]
    base_rate = len(retrospot) / len(titles)
    shares = [
        np.mean(["RETROSPOT" in n.title for n in index.similar_items(pid, k=10)]) for pid in retrospot
    ]
    assert np.mean(shares) > 0.6 > 2 * base_rate
    jumbo = next(pid for pid, t in titles.items() if t == "JUMBO BAG RED RETROSPOT")
    assert sum("RETROSPOT" in n.title for n in index.similar_items(jumbo, k=10)) >= 6


def test_tea_query_ranks_tea_titles_above_unrelated_ones(index, titles):
    ranked = index.query("tea", k=len(titles))
    assert len(ranked) == len(titles)
    assert sum(is_tea(n.title) for n in ranked[:10]) >= 8
    tea_ranks = [r for r, n in enumerate(ranked) if is_tea(n.title)]
    other_ranks = [r for r, n in enumerate(ranked) if not is_tea(n.title)]
    # Probability that a tea title outranks an unrelated one (AUC).
    auc = np.mean([t < o for t in tea_ranks for o in other_ranks])
    assert auc > 0.85


def test_similar_items_excludes_itself_and_scores_by_cosine(index):
    pid = index.ids[0]
    found = index.similar_items(pid, k=5)
    assert len(found) == 5 and pid not in {n.product_id for n in found}
    scores = [n.score for n in found]
    assert scores == sorted(scores, reverse=True)
    for n in found:
        assert n.score == pytest.approx(float(index.vector(pid) @ index.vector(n.product_id)), abs=1e-4)


def test_hnsw_neighbours_equal_the_exact_ones(index):
    rng = np.random.default_rng(2)
    hits = []
    for pid in rng.choice(index.ids, 30, replace=False):
        approximate = {n.product_id for n in index.similar_items(pid, k=10)}
        exact = {n.product_id for n in index.mirror.search(index.vector(pid), 10, exclude=[pid])}
        hits.append(len(approximate & exact) / 10)
    assert np.mean(hits) >= 0.98  # ef_search=400 at creation; default 100 lost neighbours


def test_exclude_and_several_seed_products(index, titles):
    pids = index.ids[:2]
    first = index.similar_items(pids[0], k=3)
    skipped = index.similar_items(pids[0], k=3, exclude=[first[0].product_id])
    assert first[0].product_id not in {n.product_id for n in skipped}
    both = index.similar_items(pids, k=5)
    assert not {*pids} & {n.product_id for n in both}


def test_where_filter_restricts_results(index):
    found = index.query("mug", k=10, where={"price": {"$lt": 1.0}})
    assert found
    assert all(index.metadata(n.product_id)["price"] < 1.0 for n in found)


def test_unknown_product_is_not_found(index):
    with pytest.raises(NotFoundError, match="NOPE"):
        index.similar_items("NOPE")
