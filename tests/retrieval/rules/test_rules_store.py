"""RuleStore: Parquet round trip, atomic builds, fast reload, and the antecedent index."""

from __future__ import annotations

import json
import math
import time

import numpy as np
import pandas as pd
import pytest

from retrieval.config import rules_dir
from retrieval.errors import IndexNotFoundError
from retrieval.rules import MiningParams, RuleStore, load_rules, mine_rules, save_rules
from retrieval.rules.measures import rule_measures
from retrieval.rules.persist import POINTER
from retrieval.rules.ruleset import RuleSet, itemsets_frame

PARAMS = MiningParams(min_support=0.003, min_confidence=0.05, min_lift=0.0, max_len=None)


@pytest.fixture(scope="module")
def groceries_rules(groceries) -> RuleSet:
    return mine_rules(groceries, PARAMS)


def test_round_trip_keeps_every_rule_measure_and_param(groceries_rules, tmp_path):
    save_rules(groceries_rules, tmp_path, fingerprint="abc123")
    store = load_rules(tmp_path)
    pd.testing.assert_frame_equal(store.frame(), groceries_rules.rules, check_dtype=False)
    assert [store.rule(i) for i in range(len(store))] == list(groceries_rules)
    meta = store.meta
    assert (meta.n_rules, meta.n_itemsets, meta.n_baskets) == (len(groceries_rules), len(groceries_rules.itemsets), 9835)
    assert (meta.engine, meta.fingerprint, meta.min_count) == ("local", "abc123", 30)
    assert MiningParams.from_dict(meta.params) == PARAMS


def test_load_uses_the_data_root_and_says_how_to_build(groceries_rules, _isolated_home):
    with pytest.raises(IndexNotFoundError, match="shopassist rules --save"):
        load_rules()
    save_rules(groceries_rules)
    assert (rules_dir() / POINTER).exists() and str(rules_dir()).startswith(str(_isolated_home))
    assert len(load_rules()) == len(groceries_rules)


def test_saves_switch_atomically_and_keep_one_previous_build(groceries_rules, tmp_path):
    small = mine_rules([["a", "b"], ["a", "b"], ["a"]], MiningParams(min_support=2))
    builds = [save_rules(r, tmp_path).name for r in (groceries_rules, small, groceries_rules, small)]
    assert len(set(builds)) == 4
    assert (rules_dir(tmp_path) / POINTER).read_text() == builds[-1]
    left = sorted(p.name for p in rules_dir(tmp_path).iterdir() if p.is_dir())
    assert left == sorted(builds[-2:])  # current and the one a reader may still hold
    assert len(load_rules(tmp_path)) == len(small)


def test_infinite_conviction_survives_parquet_and_is_none_in_json(tmp_path):
    result = mine_rules([["a", "b"], ["a", "b"], ["b"]], MiningParams(min_support=1, min_confidence=0, min_lift=0))
    save_rules(result, tmp_path)
    rule = next(r for r in load_rules(tmp_path).fired_rules(["a"]) if r.consequent == "b")
    assert rule.confidence == 1.0 and math.isinf(rule.conviction)
    as_json = json.loads(json.dumps(rule.to_dict(), allow_nan=False))
    assert as_json["conviction"] is None and as_json["antecedent"] == ["a"]


def test_fired_equals_brute_force_subset_check(groceries_rules, groceries):
    store = RuleStore.from_ruleset(groceries_rules)
    antecedents = [set(a) for a in groceries_rules.rules["antecedent"]]
    rng = np.random.default_rng(0)
    for k in rng.choice(len(groceries), size=60, replace=False):
        basket = set(groceries[k]) | {"not an item"}
        expected = [i for i, a in enumerate(antecedents) if a <= basket]
        assert store.fired(basket).tolist() == expected
    assert store.fired([]).size == 0 and store.fired(["nothing known"]).size == 0


def test_lookups_by_antecedent_item_and_consequent(groceries_rules):
    store = RuleStore.from_ruleset(groceries_rules)
    rules = groceries_rules.rules
    rows = store.with_antecedent_item("yogurt")
    assert rows.tolist() == [i for i, a in enumerate(rules["antecedent"]) if "yogurt" in a]
    assert rows.tolist() == sorted(rows.tolist())  # strongest first, like the store
    cons = store.with_consequent("whole milk")
    assert cons.tolist() == np.flatnonzero(rules["consequent"] == "whole milk").tolist()
    assert all(r.consequent == "whole milk" for r in store.rules(cons))
    assert store.with_consequent("no such item").size == 0


def test_empty_rule_set_round_trips(tmp_path):
    empty = mine_rules([["a"], ["b"]], MiningParams(min_support=1))
    save_rules(empty, tmp_path)
    store = load_rules(tmp_path)
    assert len(store) == 0 and store.fired(["a", "b"]).size == 0


def test_reload_of_100k_rules_is_well_under_a_second(tmp_path):
    ruleset = synthetic_rules(100_000, n_items=4000, seed=1)
    save_rules(ruleset, tmp_path)
    best = min(_timed(lambda: load_rules(tmp_path)) for _ in range(3))
    store = load_rules(tmp_path)
    assert len(store) == 100_000
    assert best < 1.0, f"reload took {best:.2f} s"
    basket = [f"i{k}" for k in range(0, 4000, 40)]
    assert _timed(lambda: store.fired(basket)) < 0.05


def synthetic_rules(n_rules: int, n_items: int, seed: int) -> RuleSet:
    rng = np.random.default_rng(seed)
    lengths = rng.integers(1, 4, size=n_rules)
    items = np.array([f"i{k}" for k in range(n_items)], dtype=object)
    ants = [tuple(sorted(rng.choice(items, size=k, replace=False))) for k in lengths]
    cons = items[rng.integers(0, n_items, size=n_rules)]
    a = rng.integers(50, 500, size=n_rules)
    ac = (a * rng.uniform(0.05, 1.0, size=n_rules)).astype(np.int64) + 1
    c = np.maximum(ac, rng.integers(50, 2000, size=n_rules))
    frame = rule_measures(np.minimum(ac, a), a, c, 20_000)
    frame.insert(0, "antecedent", pd.Series(ants, dtype=object))
    frame.insert(1, "consequent", pd.Series(cons, dtype=object))
    itemsets = itemsets_frame([(i,) for i in items], [100] * n_items, 20_000)
    return RuleSet(frame, itemsets, 20_000, 50, MiningParams(min_support=50), "synthetic")


def _timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started
