"""bench.ranker_settings: variants parsed into RankerSettings, and each compared with base case by case."""

from __future__ import annotations

import pytest

from bench.ranker_settings import settings_for, table
from retrieval.evaluation import Popularity, RepeatPurchases, evaluate, rolling_splits
from retrieval.evaluation.compare import paired_ratio
from retrieval.ranking.ranker import RankerSettings

from ..retrieval.evaluation.conftest import synthetic_dataset


def test_variants_name_settings_fields():
    assert settings_for("base") == RankerSettings()
    assert settings_for("label_months=2,graph_seconds=5") == RankerSettings(label_months=2, graph_seconds=5.0)
    with pytest.raises(SystemExit, match="expected field=value"):
        settings_for("lables=2")


def test_each_variant_is_compared_with_base_on_the_same_cases():
    dataset = synthetic_dataset(customers=80, days=240)
    splits = rolling_splits(dataset.baskets, months=3, cuts=2)
    results = evaluate({"base": Popularity(), "repeat": RepeatPurchases()}, splits, dataset.catalogue, ks=[10])
    ratio, low, high = paired_ratio(results.per_user, results.clusters, "repeat", "base", "all", "ndcg@10")
    assert ratio == pytest.approx(results.get("repeat", "all", "ndcg@10") / results.get("base", "all", "ndcg@10"))
    assert low <= ratio <= high
    text = table(results, ["base", "repeat"])
    assert f"| `repeat` | {results.get('repeat', 'all', 'ndcg@10'):.4f} |" in text
    assert f"{ratio:.3f}x ({low:.3f}-{high:.3f})" in text
