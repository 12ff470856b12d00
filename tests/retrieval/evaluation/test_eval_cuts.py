"""Rolling origin: the test split at several cuts a month apart, pooled, with customers as the bootstrap's unit."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from retrieval.errors import ConfigError, DataError
from retrieval.evaluation import (
    EvalResults,
    Popularity,
    RepeatPurchases,
    evaluate,
    make_split,
    make_splits,
    registry,
    rolling_splits,
    run_evaluation,
)
from retrieval.evaluation.compare import compare_to_best_peer

from .conftest import synthetic_dataset


def test_each_cut_is_a_month_earlier_and_trains_only_on_what_came_before_it(small_dataset):
    splits = rolling_splits(small_dataset.baskets, months=3, cuts=3)
    assert [s.name for s in splits] == ["test", "test-1m", "test-2m"]
    assert splits[0].cut == make_split(small_dataset).cut
    for i, s in enumerate(splits):
        assert s.cut == splits[0].cut - pd.DateOffset(months=i)
        assert s.train.lines["timestamp"].max() < s.cut
        for case in s.cases:
            assert all(b.timestamp < s.cut for b in case.history.baskets)
    # An earlier cut sees fewer train baskets: nothing from after it.
    assert len(splits[0].train) > len(splits[1].train) > len(splits[2].train)


def test_bad_cut_counts_are_refused(small_dataset):
    with pytest.raises(ConfigError, match="1 or more"):
        make_splits(small_dataset, cuts=0)
    with pytest.raises(ConfigError, match="test split only"):
        make_splits(small_dataset, "validation", cuts=2)
    assert len(make_splits(small_dataset, "validation")) == 1


class Perfect(Popularity):
    """Named as the shop's recommender, it reads each cut's targets (fit tells it which)."""

    name = "hybrid"

    def __init__(self, splits):
        super().__init__()
        self.by_cut = {len(s.train): {c.customer_id: c.target for c in s.cases} for s in splits}

    def fit(self, train, catalogue):
        self.targets = self.by_cut[len(train)]
        return super().fit(train, catalogue)

    def recommend(self, history, k, exclude=frozenset()):
        return [i for i in self.targets[history.customer_id] if i not in exclude][:k]


def test_several_cuts_pool_every_cuts_customers_and_compare_at_each_cut(tmp_path):
    dataset = synthetic_dataset(customers=80, days=240)
    splits = rolling_splits(dataset.baskets, months=3, cuts=3)
    results = evaluate([Perfect(splits), Popularity(), RepeatPurchases()], splits, dataset.catalogue, ks=[10])
    assert results.users["all"] == sum(len(s.cases) for s in splits)
    # The pooled figure is the mean over every cut's customers.
    singles = [evaluate([Popularity()], s, dataset.catalogue, ks=[10]) for s in splits]
    pooled = sum(r.get("popularity", "all", "ndcg@10") * r.users["all"] for r in singles) / results.users["all"]
    assert results.get("popularity", "all", "ndcg@10") == pytest.approx(pooled)
    assert results.get("hybrid", "all", "recall@10") == pytest.approx(1.0)

    customers = len({c.customer_id for s in splits for c in s.cases})
    assert results.split["customers"] == customers < results.users["all"]
    assert [c["cut"] for c in results.split["cuts"]] == [s.cut.isoformat() for s in splits]
    for c in results.comparisons:
        assert c.cut == "" and c.users == results.users[c.mode]
        assert c.customers == len({h for s in splits for h in (x.customer_id for x in s.cases
                                                                   if c.mode == "all" or x.new_target)})
    assert {c.cut for c in results.cut_comparisons} == {str(s.cut.date()) for s in splits}
    assert len(results.cut_comparisons) == 3 * len(results.comparisons)

    text = results.table()
    assert "cuts " + ", ".join(str(s.cut.date()) for s in splits) in text
    assert "at each cut alone" in text and f"of {customers:,} customers" in text
    assert f"({results.users['all']:,} next baskets) ==" in text
    again = EvalResults.from_dict(json.loads(results.save_json(tmp_path / "r.json").read_text()))
    assert again.cut_comparisons == results.cut_comparisons
    assert results.plot(tmp_path / "chart.png").exists()  # labelled in next baskets, not users


def test_a_customers_cuts_are_resampled_together():
    # Two customers tested at two cuts each; customer "a" always ties, "b" always wins:
    # resampling cases would mix a's and b's cuts, resampling customers never can.
    per_user = {("hybrid", "all"): {"ndcg@10": [0.5, 1.0, 0.5, 1.0]},
                ("repeat", "all"): {"ndcg@10": [0.5, 0.5, 0.5, 0.5]}}
    means = {k: {"ndcg@10": float(np.mean(v["ndcg@10"]))} for k, v in per_user.items()}
    (c,) = compare_to_best_peer(means, per_user, metrics=["ndcg@10"], clusters={"all": ["a", "b", "a", "b"]})
    assert (c.users, c.customers) == (4, 2)
    assert c.ratio == pytest.approx(1.5)
    # Resamples hold only a (1.0x), only b (2.0x) or both (1.5x): nothing in between.
    assert c.low == pytest.approx(1.0) and c.high == pytest.approx(2.0)
    with pytest.raises(ValueError, match="3 customer ids for 4 cases"):
        compare_to_best_peer(means, per_user, metrics=["ndcg@10"], clusters={"all": ["a", "b", "a"]})


def test_the_tuned_fusion_is_left_out_of_a_several_cut_run(small_dataset, caplog, monkeypatch):
    with pytest.raises(ConfigError, match="fusion cannot be evaluated at several cuts"):
        run_evaluation(small_dataset, names=["repeat", "fusion"], ks=[10], cuts=2)
    # Asked for every recommender, the run goes on without it, and says so.
    monkeypatch.setattr(registry, "available", lambda: ["repeat", "fusion"])
    results = run_evaluation(small_dataset, ks=[10], cuts=2)
    assert results.recommenders == ["repeat"]
    assert "fusion left out" in caplog.text
    assert results.split["name"] == "test (2 cuts)"


def test_more_cuts_than_the_baskets_span_is_a_clear_error():
    dataset = synthetic_dataset(days=150)  # five months: a cut 3 + 2 months back precedes them
    with pytest.raises(DataError, match=r"\(2 months before the usual one\) has no baskets before it; use at most 2 cuts"):
        rolling_splits(dataset.baskets, months=3, cuts=3)
    assert len(rolling_splits(dataset.baskets, months=3, cuts=2)) == 2


def test_pooled_accumulators_hold_both_cuts_users_and_the_union_of_their_items():
    from retrieval.evaluation.metrics import MetricAccumulator

    first, second = MetricAccumulator((2,), 10), MetricAccumulator((2,), 10)
    first.add(["a", "b"], ["a"])
    second.add(["c", "d"], ["x"])
    first.extend(second)
    assert first.users == 2 and first.per_user()["ndcg@2"] == [1.0, 0.0]
    assert first.means()["coverage@2"] == pytest.approx(0.4)
    with pytest.raises(ValueError, match="same ks"):
        first.extend(MetricAccumulator((5,), 10))
