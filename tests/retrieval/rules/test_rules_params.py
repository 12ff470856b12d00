"""Mining parameters and input validation: clear errors for bad input, exact thresholds."""

from __future__ import annotations

import math

import pytest

from retrieval.errors import ConfigError, DataError
from retrieval.rules import MiningParams, mine_rules
from retrieval.rules.params import support_fraction_for


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"min_support": 0.0}, "(0, 1]"),
        ({"min_support": 1.5}, "(0, 1]"),
        ({"min_support": -0.1}, "(0, 1]"),
        ({"min_support": float("nan")}, "(0, 1]"),
        ({"min_support": 0}, ">= 1"),
        ({"min_support": -5}, ">= 1"),
        ({"min_support": "0.1"}, "must be a number"),
        ({"min_support": True}, "must be a number"),
        ({"min_confidence": 1.2}, "min_confidence"),
        ({"min_confidence": -0.1}, "min_confidence"),
        ({"min_confidence": float("nan")}, "min_confidence"),
        ({"min_lift": -1.0}, "min_lift"),
        ({"max_len": 0}, "max_len"),
        ({"max_len": 2.5}, "max_len"),
        ({"include": "abc"}, "not the string"),
        ({"include": {"a"}, "exclude": {"a"}}, "both included and excluded"),
    ],
)
def test_bad_params_raise_config_error(kwargs, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace("[", r"\[")):
        MiningParams(**kwargs)


def test_fraction_becomes_ceil_count_and_int_is_a_count():
    assert MiningParams(min_support=0.01).min_count(9835) == 99  # ceil(98.35)
    assert MiningParams(min_support=0.07).min_count(100) == 7  # 0.07*100 = 7.000000000000001
    assert MiningParams(min_support=1.0).min_count(10) == 10  # the fraction "every basket"
    assert MiningParams(min_support=1).min_count(10) == 1  # the count "one basket"
    assert MiningParams(min_support=1e-9).min_count(10) == 1


@pytest.mark.parametrize("n", [7, 100, 9835, 19795, 88162])
def test_support_fraction_for_lands_on_the_count_under_ceil(n):
    # Spark and mlxtend both compute ceil(fraction * n); mlxtend also tests count/n >= fraction.
    for count in (1, 2, 3, n // 3, n // 2, n - 1, n):
        frac = support_fraction_for(count, n)
        assert math.ceil(frac * n) == count
        assert count / n >= frac > (count - 1) / n


def test_filters_are_normalised_to_frozensets_and_round_trip():
    p = MiningParams(min_support=5, include=["b", "a"], exclude=())
    assert p.include == frozenset({"a", "b"})
    assert MiningParams.from_dict(p.to_dict()) == p


@pytest.mark.parametrize(
    "baskets, message",
    [([], "input is empty"), ([[], []], "all 2 baskets are empty"), (["ab", "c"], "got a string"),
     ("abc", "not a string")],
)
def test_bad_baskets_raise_data_error(baskets, message):
    with pytest.raises(DataError, match=message):
        mine_rules(baskets, MiningParams(min_support=1))


def test_unknown_engine_is_a_config_error():
    with pytest.raises(ConfigError, match="unknown rules engine"):
        mine_rules([["a"]], engine="dask")


def test_threshold_above_every_count_gives_an_empty_result_not_an_error():
    result = mine_rules([["a", "b"], ["a"]], MiningParams(min_support=3))
    assert len(result) == 0 and len(result.itemsets) == 0 and result.min_count == 3


def test_filters_remove_items_but_keep_n_baskets():
    baskets = [["a", "b", "post"], ["a", "b"], ["post"], ["a"]]
    result = mine_rules(baskets, MiningParams(min_support=1, min_confidence=0, min_lift=0,
                                              exclude={"post"}))
    assert result.n_baskets == 4
    assert all("post" not in items for items in result.itemsets["items"])
    only = mine_rules(baskets, MiningParams(min_support=1, min_confidence=0, min_lift=0,
                                            include={"a"}))
    assert only.itemsets["items"].tolist() == [("a",)] and len(only) == 0
    assert only.itemsets["support"].tolist() == [0.75]


def test_repeated_items_in_a_basket_count_once_and_ints_become_strings():
    result = mine_rules([[1, 2, 1], [1, 2], [1]], MiningParams(min_support=1, min_confidence=0,
                                                               min_lift=0))
    counts = dict(zip(result.itemsets["items"], result.itemsets["count"], strict=True))
    assert counts == {("1",): 3, ("2",): 2, ("1", "2"): 2}
    assert {(r.antecedent, r.consequent) for r in result} == {(("1",), "2"), (("2",), "1")}
