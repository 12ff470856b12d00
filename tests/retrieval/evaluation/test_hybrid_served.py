"""The evaluated recommender is the served one: the same assembly, the same public call, the same list."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.evaluation import make_split, mode_cases
from retrieval.evaluation.hybrid import EVAL_RULE_PARAMS, RULES_ONLY, HybridRecommender
from retrieval.ranking.fitting import fit_retriever
from retrieval.ranking.ranker import RankerSettings
from retrieval.recommend import Filters
from retrieval.recommend.fusion import fuse
from retrieval.vectors import ExactVectors

from .conftest import synthetic_dataset

K = 5


@pytest.fixture(scope="module")
def dataset():
    return synthetic_dataset(seed=3, customers=60)


@pytest.fixture(scope="module")
def vectors(dataset):
    # Fixed random unit vectors: the equality under test does not depend on meaning.
    ids = [str(i) for i in dataset.catalogue.frame.index]
    m = np.random.default_rng(1).normal(size=(len(ids), 8)).astype(np.float32)
    return ExactVectors(ids, m / np.linalg.norm(m, axis=1, keepdims=True))


@pytest.fixture(scope="module")
def split(dataset):
    return make_split(dataset, "test")


def _cases(split, mode):
    histories, _, excludes = mode_cases(split, mode)
    assert histories, f"the synthetic split has no {mode!r} customers"
    return list(zip(histories, excludes, strict=True))


@pytest.mark.parametrize("mode", ["all", "new"])
def test_served_and_evaluated_give_the_same_list(dataset, vectors, split, mode):
    evaluated = HybridRecommender(vectors).fit(split.train, dataset.catalogue)
    # Served: a second retriever from the one composition root over the same baskets, asked
    # as the assistant's customer_recommendations tool asks (dated baskets, no `now`).
    served = fit_retriever(split.train, dataset.catalogue, vectors, EVAL_RULE_PARAMS)
    for history, exclude in _cases(split, mode):
        filters = Filters(exclude_owned=True) if mode == "new" else None
        want = served.recommend(None, history=list(history.baskets), k=K, filters=filters).ids
        got = evaluated.recommend(history, K, exclude)
        assert got == want
        assert len(got) == K and not set(got) & set(exclude)


def _fused_from_internals(hybrid: HybridRecommender, history, exclude) -> list[str]:
    """What the evaluation used to compute beside the public call (the oracle for its figures)."""
    request = hybrid.request(history, K, exclude)
    ranked = hybrid.retriever.ranked(request, K)
    if ranked is not None:
        return [r.product_id for r in ranked]
    retriever = hybrid.retriever
    mix = retriever.discover_weights if request.filters.exclude_owned else retriever.weights
    return [f.product_id for f in fuse(retriever.source_lists(request, K * 3, mix), mix, K)]


@pytest.mark.parametrize("variant", ["fusion", "rules-only", "ranker"])
def test_the_public_call_keeps_the_evaluated_figures(dataset, vectors, split, variant):
    hybrid = {
        "fusion": lambda: HybridRecommender(vectors),
        "rules-only": lambda: HybridRecommender(vectors, RULES_ONLY, RULES_ONLY),
        "ranker": lambda: HybridRecommender(vectors, ranker=RankerSettings()),
    }[variant]().fit(split.train, dataset.catalogue)
    assert (hybrid.retriever.ranker is not None) == (variant == "ranker")
    for mode in ("all", "new"):
        for history, exclude in _cases(split, mode):
            assert hybrid.recommend(history, K, exclude) == _fused_from_internals(hybrid, history, exclude)
