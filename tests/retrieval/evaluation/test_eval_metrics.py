"""Metric definitions, checked against hand-computed values."""

from __future__ import annotations

import math

import pytest

from retrieval.evaluation.metrics import (
    MetricAccumulator,
    average_precision_at_k,
    coverage_at_k,
    f1_at_k,
    hit_at_k,
    ndcg_at_k,
    precision_at_k,
    recall_at_k,
)

REC = ["a", "b", "c", "d", "e"]
TARGET = {"b", "e", "x"}  # hits at ranks 2 and 5; one target item never recommended


def test_two_hits_in_five():
    assert precision_at_k(REC, TARGET, 5) == pytest.approx(2 / 5)
    assert recall_at_k(REC, TARGET, 5) == pytest.approx(2 / 3)
    assert f1_at_k(REC, TARGET, 5) == pytest.approx(0.5)  # 2 * .4 * .667 / 1.067
    dcg = 1 / math.log2(3) + 1 / math.log2(6)
    idcg = 1 + 1 / math.log2(3) + 1 / math.log2(4)  # min(5, 3) = 3 ideal positions
    assert ndcg_at_k(REC, TARGET, 5) == pytest.approx(dcg / idcg)
    assert ndcg_at_k(REC, TARGET, 5) == pytest.approx(0.477624, abs=1e-6)
    assert average_precision_at_k(REC, TARGET, 5) == pytest.approx((1 / 2 + 2 / 5) / 3)
    assert hit_at_k(REC, TARGET, 5) == 1.0


def test_target_larger_than_k():
    # k = 2 < |T| = 3: the ideal DCG and the AP denominator stop at k.
    assert precision_at_k(REC, TARGET, 2) == pytest.approx(1 / 2)
    assert recall_at_k(REC, TARGET, 2) == pytest.approx(1 / 3)
    assert f1_at_k(REC, TARGET, 2) == pytest.approx(0.4)
    assert ndcg_at_k(REC, TARGET, 2) == pytest.approx((1 / math.log2(3)) / (1 + 1 / math.log2(3)))
    assert average_precision_at_k(REC, TARGET, 2) == pytest.approx(0.5 / 2)
    assert ndcg_at_k(["b", "e"], TARGET, 2) == pytest.approx(1.0)  # perfect within k
    assert average_precision_at_k(["b", "e"], TARGET, 2) == pytest.approx(1.0)


def test_short_list_is_not_rewarded_in_precision():
    assert precision_at_k(["b"], {"b"}, 5) == pytest.approx(1 / 5)
    assert recall_at_k(["b"], {"b"}, 5) == 1.0
    assert ndcg_at_k(["b"], {"b"}, 5) == 1.0
    assert average_precision_at_k(["b"], {"b"}, 5) == 1.0


def test_miss():
    for fn in (precision_at_k, recall_at_k, f1_at_k, ndcg_at_k, average_precision_at_k, hit_at_k):
        assert fn(REC, {"z"}, 5) == 0.0


@pytest.mark.parametrize(
    "fn",
    [precision_at_k, recall_at_k, f1_at_k, ndcg_at_k, average_precision_at_k, hit_at_k],
)
def test_empty_list_and_empty_target_score_zero(fn):
    assert fn([], TARGET, 5) == 0.0
    assert fn(REC, set(), 5) == 0.0


def test_k_must_be_positive():
    with pytest.raises(ValueError):
        precision_at_k(REC, TARGET, 0)


def test_coverage_counts_distinct_items_in_the_top_k():
    lists = [["a", "b"], ["b", "c"], []]
    assert coverage_at_k(lists, 1, 10) == pytest.approx(2 / 10)
    assert coverage_at_k(lists, 2, 10) == pytest.approx(3 / 10)
    assert coverage_at_k([], 5, 10) == 0.0
    assert coverage_at_k(lists, 2, 0) == 0.0


def test_accumulator_macro_averages_users():
    acc = MetricAccumulator(ks=(1, 2), catalogue_size=4)
    acc.add(["a", "b"], {"a"})  # p@1 1, r@2 1
    acc.add(["c", "a"], {"a", "d"})  # p@1 0, r@2 1/2
    m = acc.means()
    assert acc.users == 2
    assert m["precision@1"] == pytest.approx(0.5)
    assert m["recall@2"] == pytest.approx(0.75)
    assert m["hit@1"] == pytest.approx(0.5)
    assert m["ndcg@2"] == pytest.approx((1 + (1 / math.log2(3)) / (1 + 1 / math.log2(3))) / 2)
    assert m["map@2"] == pytest.approx((1 + 0.25) / 2)  # AP of user 2 = (1/2) / min(2, 2)
    assert m["coverage@1"] == pytest.approx(2 / 4)
    assert m["coverage@2"] == pytest.approx(3 / 4)
