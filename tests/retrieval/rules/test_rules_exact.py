"""The local engine equals mlxtend (fpgrowth + association_rules) exactly on Groceries.

Same itemsets, same counts, the same single-consequent rules, every measure within 1e-9.
mlxtend gets the same integer threshold via `support_fraction_for` and a confidence
threshold a hair lower (its confidence is computed from float supports, ours from counts,
so a rule exactly at the threshold could otherwise fall on different sides).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from retrieval.rules import MiningParams
from retrieval.rules.local import ALGORITHMS, mine_local
from retrieval.rules.model import MEASURE_COLUMNS
from retrieval.rules.params import support_fraction_for

MLXTEND_NAMES = {m: m.replace("_support", " support") for m in MEASURE_COLUMNS}


@pytest.fixture(scope="session")
def groceries_onehot(groceries):
    from mlxtend.preprocessing import TransactionEncoder

    enc = TransactionEncoder()
    matrix = enc.fit(groceries).transform(groceries, sparse=True)
    return pd.DataFrame.sparse.from_spmatrix(matrix, columns=enc.columns_)


def mlxtend_reference(onehot: pd.DataFrame, min_count: int, params: MiningParams):
    from mlxtend.frequent_patterns import association_rules, fpgrowth

    n = len(onehot)
    found = fpgrowth(onehot, min_support=support_fraction_for(min_count, n), use_colnames=True,
                     max_len=params.max_len)
    itemsets = {tuple(sorted(s)): round(sup * n) for s, sup in zip(found["itemsets"], found["support"], strict=True)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # its 'certainty' divides 0/0
        rules = association_rules(found, num_itemsets=n, metric="confidence",
                                  min_threshold=max(0.0, params.min_confidence - 1e-12))
    rules = rules[(rules["consequents"].map(len) == 1) & (rules["lift"] >= params.min_lift)]
    rules = rules.assign(
        antecedent=rules["antecedents"].map(lambda a: tuple(sorted(a))),
        consequent=rules["consequents"].map(lambda c: next(iter(c))),
    ).set_index(["antecedent", "consequent"])
    return itemsets, rules


def assert_equal_to_mlxtend(result, onehot):
    itemsets, reference = mlxtend_reference(onehot, result.min_count, result.params)
    ours = dict(zip(result.itemsets["items"], result.itemsets["count"].tolist(), strict=True))
    assert len(ours) == len(result.itemsets)  # no duplicates
    assert ours == itemsets
    mine = result.rules.set_index(["antecedent", "consequent"])
    assert set(mine.index) == set(reference.index)
    assert len(mine) == len(reference) > 0
    reference = reference.loc[mine.index]
    n = result.n_baskets
    assert (mine["rule_count"] == np.rint(reference["support"] * n)).all()
    assert (mine["antecedent_count"] == np.rint(reference["antecedent support"] * n)).all()
    assert (mine["consequent_count"] == np.rint(reference["consequent support"] * n)).all()
    for ours_name, theirs in MLXTEND_NAMES.items():
        a, b = mine[ours_name].to_numpy(), reference[theirs].to_numpy()
        assert np.array_equal(np.isinf(a), np.isinf(b)), ours_name
        finite = ~np.isinf(a)
        np.testing.assert_allclose(a[finite], b[finite], rtol=0, atol=1e-9, err_msg=ours_name)


@pytest.mark.parametrize(
    "params",
    [
        MiningParams(min_support=0.01, min_confidence=0.1, min_lift=0.0, max_len=None),
        MiningParams(min_support=0.005, min_confidence=0.2, min_lift=0.0, max_len=None),
        MiningParams(min_support=0.003, min_confidence=0.3, min_lift=1.2, max_len=3),
        MiningParams(min_support=40, min_confidence=0.0, min_lift=0.0, max_len=2),
    ],
    ids=["s0.01", "s0.005", "s0.003-len3-lift1.2", "count40-len2"],
)
def test_local_engine_equals_mlxtend_on_groceries(groceries, groceries_onehot, params):
    assert_equal_to_mlxtend(mine_local(groceries, params), groceries_onehot)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_every_pyfim_algorithm_gives_the_same_result(groceries, algorithm):
    params = MiningParams(min_support=0.005, min_confidence=0.1, min_lift=0.0, max_len=None)
    baseline = mine_local(groceries, params, algorithm="fpgrowth")
    other = mine_local(groceries, params, algorithm=algorithm)
    pd.testing.assert_frame_equal(other.itemsets, baseline.itemsets)
    pd.testing.assert_frame_equal(other.rules, baseline.rules)


def test_regression_item_in_every_basket_is_not_lost(groceries):
    # pyfim omits itemsets made only of items present in every basket; we must not.
    baskets = [[*b, "carrier bag"] for b in groceries]
    params = MiningParams(min_support=0.02, min_confidence=0.0, min_lift=0.0, max_len=None)
    result = mine_local(baskets, params)
    counts = dict(zip(result.itemsets["items"], result.itemsets["count"], strict=True))
    assert counts[("carrier bag",)] == len(baskets)
    assert counts[("carrier bag", "whole milk")] == 2513
    from mlxtend.preprocessing import TransactionEncoder

    enc = TransactionEncoder()
    onehot = pd.DataFrame.sparse.from_spmatrix(enc.fit(baskets).transform(baskets, sparse=True),
                                               columns=enc.columns_)
    assert_equal_to_mlxtend(result, onehot)
    always = result.rules[result.rules["consequent"] == "carrier bag"]
    assert (always["confidence"] == 1.0).all() and np.isinf(always["conviction"]).all()


def test_rules_derived_from_itemsets_equal_pyfim_own_rules(groceries):
    # Both engines derive rules from itemset counts; pin that to pyfim's rule generator.
    import fim

    params = MiningParams(min_support=0.003, min_confidence=0.05, min_lift=0.0, max_len=None)
    result = mine_local(groceries, params)
    raw = fim.fpgrowth(groceries, target="r", supp=-result.min_count, conf=5 - 1e-6, zmin=2,
                       report="abh", mode="o")
    theirs = {(tuple(sorted(b)), h, ac, a, c) for h, b, ac, a, c in raw if ac / a >= 0.05}
    rules = result.rules
    ours = set(zip(rules["antecedent"], rules["consequent"], rules["rule_count"],
                   rules["antecedent_count"], rules["consequent_count"], strict=True))
    assert ours == theirs and len(ours) == len(rules)


def test_measures_by_hand_on_a_tiny_example():
    # 10 baskets: a in 5, c in 4, a and c together in 3.
    baskets = [["a", "c"]] * 3 + [["a"]] * 2 + [["c"]] + [["x"]] * 4
    result = mine_local(baskets, MiningParams(min_support=1, min_confidence=0, min_lift=0))
    rule = next(r for r in result if r.antecedent == ("a",) and r.consequent == "c")
    assert (rule.rule_count, rule.antecedent_count, rule.consequent_count, rule.n_baskets) == (3, 5, 4, 10)
    assert rule.support == pytest.approx(0.3)
    assert rule.confidence == pytest.approx(0.6)
    assert rule.lift == pytest.approx(0.6 / 0.4)
    assert rule.leverage == pytest.approx(0.3 - 0.5 * 0.4)
    assert rule.conviction == pytest.approx((1 - 0.4) / (1 - 0.6))
    assert rule.zhangs_metric == pytest.approx(0.1 / max(0.3 * 0.5, 0.5 * (0.4 - 0.3)))
    assert not math.isinf(rule.conviction)
