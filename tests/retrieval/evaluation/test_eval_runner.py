"""The runner end to end on a small synthetic dataset: figures, JSON, table, PNG, plug-ins."""

from __future__ import annotations

import json

import pytest

from retrieval.errors import ConfigError
from retrieval.evaluation import (
    EvalResults,
    Popularity,
    Recommender,
    available,
    evaluate,
    make_split,
    mode_cases,
    run_evaluation,
)
from retrieval.evaluation.metrics import METRICS, metric_key


class Oracle(Recommender):
    """Cheats by reading the targets: every figure it gets must be perfect recall."""

    name = "oracle"

    def __init__(self, targets):
        self.targets = targets

    def fit(self, train, catalogue):
        return self

    def recommend(self, history, k, exclude=frozenset()):
        return [i for i in self.targets[history.customer_id] if i not in exclude][:k]


class Broken(Popularity):
    name = "broken"

    def recommend(self, history, k, exclude=frozenset()):
        return ["p00", "p00"]


def test_run_produces_every_figure_table_json_and_png(small_dataset, tmp_path):
    results = run_evaluation(small_dataset, ks=(5, 10))
    split = make_split(small_dataset)
    assert results.recommenders == available()
    assert results.users == {
        "all": len(split.cases),
        "new": sum(1 for c in split.cases if c.new_target),
    }
    assert results.users["all"] > 10 and results.users["new"] > 5
    for row in results.rows:
        assert set(row.metrics) == {metric_key(m, k) for m in METRICS for k in (5, 10)}
        assert all(0.0 <= v <= 1.0 for v in row.metrics.values())
    # The pure repeat baseline can never find a new item.
    assert results.get("repeat", "new", "recall@10") == 0.0
    assert results.get("repeat", "all", "recall@10") > results.get("popularity", "all", "recall@10")

    text = results.table()
    for name in available():
        assert name in text
    assert "@5" in text and "@10" in text and "ndcg" in text

    path = results.save_json(tmp_path / "out" / "results.json")
    again = EvalResults.from_dict(json.loads(path.read_text()))
    assert again.get("als", "new", "ndcg@10") == results.get("als", "new", "ndcg@10")
    assert again.split["cut"] == split.cut.isoformat()

    png = results.plot(tmp_path / "chart.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_plugged_in_recommender_is_scored_like_the_rest(small_dataset):
    split = make_split(small_dataset, "validation")
    targets = {c.customer_id: c.target for c in split.cases}
    results = evaluate([Oracle(targets), Popularity()], split, small_dataset.catalogue, ks=[20])
    assert results.recommenders == ["oracle", "popularity"]
    assert results.get("oracle", "all", "recall@20") == pytest.approx(1.0)
    assert results.get("oracle", "new", "recall@20") == pytest.approx(1.0)
    assert results.get("oracle", "all", "ndcg@20") == pytest.approx(1.0)
    assert results.best("ndcg@20", "all") == "oracle"


def test_validation_split_is_earlier_and_excludes_the_test_period(small_dataset):
    test, val = make_split(small_dataset, "test"), make_split(small_dataset, "validation")
    assert val.cut < test.cut
    assert val.train.lines["timestamp"].max() < val.cut
    assert test.train.lines["timestamp"].max() < test.cut
    # Validation targets come from the test split's train part only.
    train_baskets = set(test.train.lines["basket_id"])
    assert len(val.cases) > 0
    for case in val.cases:
        for basket in case.history.baskets:
            assert basket.basket_id in train_baskets
    results = run_evaluation(small_dataset, names=["repeat"], ks=[10], split="validation")
    assert results.split["name"] == "validation"
    assert results.users["all"] == len(mode_cases(val, "all")[0])


def test_a_recommender_breaking_the_contract_fails_loudly(small_dataset):
    split = make_split(small_dataset)
    with pytest.raises(RuntimeError, match="duplicates"):
        evaluate([Broken()], split, small_dataset.catalogue)


def test_unknown_names_are_a_config_error(small_dataset):
    with pytest.raises(ConfigError, match="nope"):
        run_evaluation(small_dataset, names=["nope"])


def test_registered_factories_get_the_context_and_share_heavy_objects(small_dataset, monkeypatch):
    from retrieval.evaluation import registry

    builds = []

    def factory(ctx):
        heavy = ctx.shared("heavy", lambda: builds.append(ctx.dataset) or "built")
        assert heavy == "built" and ctx.dataset is small_dataset
        return Popularity()

    # monkeypatch undoes the registration, so other tests see the baselines only.
    monkeypatch.setattr(registry, "_FACTORIES", dict(registry._FACTORIES))
    registry.register_recommender("mine", factory)
    registry.register_recommender("mine-too", factory)
    with pytest.raises(ValueError):
        registry.register_recommender("mine", factory)
    results = run_evaluation(small_dataset, names=["mine", "mine-too"], ks=[5])
    assert results.recommenders == ["mine", "mine-too"]
    assert builds == [small_dataset]  # built once, shared by both factories
    assert results.get("mine", "all", "ndcg@5") == results.get("mine-too", "all", "ndcg@5")
