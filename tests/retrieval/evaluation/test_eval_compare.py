"""The hybrid against the best peer: the ratio, its bootstrap interval, and where it is reported."""

from __future__ import annotations

import json

import numpy as np
import pytest

from retrieval.evaluation import EvalResults, Popularity, evaluate, make_split
from retrieval.evaluation.compare import bootstrap_ratio, compare_to_best_peer


def test_a_clear_win_has_an_interval_above_one_and_a_tie_one_around_it():
    rng = np.random.default_rng(1)
    peer = rng.random(2000)
    low, high = bootstrap_ratio(peer + 0.1, peer[:, None])
    assert 1.15 < low < high < 1.25  # the true ratio is 0.6 / 0.5 = 1.2
    other = rng.random(2000)  # the same mean, other customers' luck
    low, high = bootstrap_ratio(other, peer[:, None])
    assert low < 1.0 < high and high - low < 0.1


def test_the_best_peer_is_chosen_in_every_resample():
    rng = np.random.default_rng(2)
    a, b = rng.random(1500), rng.random(1500)
    # Ours equals peer a: against max(a, b) it can never come out ahead in any resample, so
    # an interval against a alone (centred on 1) would overstate it.
    low, high = bootstrap_ratio(a.copy(), np.column_stack([a, b]))
    assert high <= 1.0 + 1e-12
    assert low < 1.0


def test_comparisons_skip_the_hybrids_own_variants_and_name_the_best_peer():
    users = 400
    rng = np.random.default_rng(3)
    values = {
        "hybrid": rng.random(users) * 0.6,
        "fusion": rng.random(users),  # better, but the hybrid's own: not a peer
        "repeat": rng.random(users) * 0.5,
        "popularity": rng.random(users) * 0.2,
    }
    per_user = {(n, "all"): {"ndcg@10": v, "recall@10": v} for n, v in values.items()}
    means = {(n, "all"): {"ndcg@10": float(v.mean()), "recall@10": float(v.mean())} for n, v in values.items()}
    out = compare_to_best_peer(means, per_user)
    assert [(c.mode, c.metric) for c in out] == [("all", "ndcg@10"), ("all", "recall@10")]
    first = out[0]
    assert first.peer == "repeat" and first.users == users
    assert first.ratio == pytest.approx(values["hybrid"].mean() / values["repeat"].mean())
    assert first.low < first.ratio < first.high
    assert "hybrid / best peer, all ndcg@10" in first.line and "repeat" in first.line
    assert compare_to_best_peer({k: v for k, v in means.items() if k[0] != "hybrid"}, per_user) == []


class Perfect(Popularity):
    """Named as the shop's recommender, it reads the targets: far ahead of popularity."""

    name = "hybrid"

    def __init__(self, targets):
        super().__init__()
        self.targets = targets

    def recommend(self, history, k, exclude=frozenset()):
        return [i for i in self.targets[history.customer_id] if i not in exclude][:k]


def test_an_evaluation_reports_saves_and_prints_the_comparisons(small_dataset, tmp_path):
    split = make_split(small_dataset)
    targets = {c.customer_id: c.target for c in split.cases}
    results = evaluate([Perfect(targets), Popularity()], split, small_dataset.catalogue, ks=[10])
    assert {(c.mode, c.metric) for c in results.comparisons} == {
        (m, k) for m in ("all", "new") for k in ("ndcg@10", "recall@10")}
    for c in results.comparisons:
        assert c.peer == "popularity" and c.users == results.users[c.mode]
        assert c.ratio == pytest.approx(results.get("hybrid", c.mode, c.metric) / results.get("popularity", c.mode, c.metric))
        assert 1.0 < c.low <= c.ratio <= c.high
    assert "against the best peer" in results.table()
    caption = results.caption(("ndcg@10",)).splitlines()
    assert len(caption) == 2 and caption[0].startswith("hybrid / best peer popularity (all, ndcg@10): ")
    assert results.plot(tmp_path / "chart.png").read_bytes()[:4] == b"\x89PNG"
    again = EvalResults.from_dict(json.loads(results.save_json(tmp_path / "r.json").read_text()))
    assert again.comparisons == results.comparisons
    # Results saved before the comparisons existed still load.
    old = results.to_dict()
    del old["comparisons"]
    assert EvalResults.from_dict(old).comparisons == []
    # At k=5 only there is no @10 figure to compare.
    assert evaluate([Perfect(targets), Popularity()], split, small_dataset.catalogue, ks=[5]).comparisons == []
