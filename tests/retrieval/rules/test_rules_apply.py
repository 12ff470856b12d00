"""Applying rules to a basket: a ranking whose right answer is known by construction."""

from __future__ import annotations

import pytest

from retrieval.baskets import Basket, BasketLine
from retrieval.errors import ConfigError
from retrieval.rules import MiningParams, RuleStore, apply_rules, apply_rules_to_history, mine_rules

ALL_RULES = MiningParams(min_support=5, min_confidence=0.0, min_lift=0.0, max_len=None)


@pytest.fixture(scope="module")
def store() -> RuleStore:
    # By construction (n = 350):
    #   a -> x: 50/100 = 0.5     b -> x: 20/100 = 0.2     b -> y: 20/100 = 0.2
    #   c -> z: 10/100 = 0.1     d -> p: 20/40 = 0.5 (lift 8.75)   d -> q: 20/40 = 0.5 (lift 5.8)
    baskets = (
        [["a", "x"]] * 50 + [["a"]] * 50
        + [["b", "x"]] * 20 + [["b", "y"]] * 20 + [["b"]] * 60
        + [["c", "z"]] * 10 + [["c"]] * 90
        + [["d", "p"]] * 20 + [["d", "q"]] * 20 + [["q"]] * 10  # q is more common than p
    )
    assert len(baskets) == 350
    return RuleStore.from_ruleset(mine_rules(baskets, ALL_RULES))


def test_noisy_or_ranks_products_backed_by_more_rules_first(store):
    ranked = apply_rules(store, ["a", "b"])
    assert [c.product_id for c in ranked] == ["x", "y"]
    x, y = ranked
    assert x.score == pytest.approx(1 - (1 - 0.5) * (1 - 0.2))  # 0.6
    assert y.score == pytest.approx(0.2)
    assert [(r.antecedent, r.confidence) for r in x.evidence] == [(("a",), 0.5), (("b",), 0.2)]
    assert (x.n_rules, x.max_confidence) == (2, 0.5)
    first = x.evidence[0]
    assert (first.rule_count, first.antecedent_count, first.consequent_count, first.n_baskets) == (50, 100, 70, 350)


def test_equal_scores_break_ties_on_lift(store):
    ranked = apply_rules(store, ["d"])
    assert [c.product_id for c in ranked] == ["p", "q"]
    assert ranked[0].score == ranked[1].score == pytest.approx(0.5)
    assert ranked[0].max_lift == pytest.approx(0.5 / (20 / 350))
    assert ranked[0].max_lift > ranked[1].max_lift


def test_basket_items_exclude_and_restrict_are_respected(store):
    assert [c.product_id for c in apply_rules(store, ["a", "b", "x"])] == ["y"]
    assert [c.product_id for c in apply_rules(store, ["a", "b"], exclude=["x"])] == ["y"]
    assert [c.product_id for c in apply_rules(store, ["a", "b"], restrict=["y", "z"])] == ["y"]
    assert [c.product_id for c in apply_rules(store, ["a", "b"], k=1)] == ["x"]
    assert [c.product_id for c in apply_rules(store, ["a", "b"], min_confidence=0.3)] == ["x"]
    assert apply_rules(store, ["unknown item"]) == []
    assert len(apply_rules(store, ["a", "b"], max_evidence=1)[0].evidence) == 1


def test_a_more_specific_rule_replaces_its_generalisations():
    # a -> x 0.5, b -> x 0.6, {a, b} -> x 0.75: with a and b in the basket only the last counts.
    baskets = [["a", "b", "x"]] * 30 + [["a", "b"]] * 10 + [["a", "x"]] * 20 + [["a"]] * 40 + [["b"]] * 10
    store = RuleStore.from_ruleset(mine_rules(baskets, ALL_RULES))
    x = next(c for c in apply_rules(store, ["a", "b"]) if c.product_id == "x")
    assert x.score == pytest.approx(0.75) and x.n_rules == 1
    assert [r.antecedent for r in x.evidence] == [("a", "b")]
    only_a = next(c for c in apply_rules(store, ["a"]) if c.product_id == "x")
    assert only_a.score == pytest.approx(0.5)


def test_history_pools_items_of_all_baskets(store):
    history = [Basket("1", (BasketLine("a"),)), ["b"]]
    assert apply_rules_to_history(store, history) == apply_rules(store, ["a", "b"])


def test_bad_k_is_a_config_error(store):
    with pytest.raises(ConfigError):
        apply_rules(store, ["a"], k=0)


def test_evidence_reads_as_a_sentence(store):
    rule = apply_rules(store, ["a"])[0].evidence[0]
    text = rule.describe({"a": "Apple", "x": "Xylophone"})
    assert text.startswith("50 of the 100 baskets with Apple also had Xylophone (confidence 50%")


def test_hashed_generalisation_check_agrees_with_set_comparison(groceries):
    # Real rules with antecedents of up to three items, fired by real baskets merged in
    # threes (long histories fire many nested antecedents with one consequent).
    import numpy as np

    from retrieval.rules.apply import _generalisations, _generalisations_pairwise

    store = RuleStore.from_ruleset(mine_rules(groceries, MiningParams(min_support=0.002, min_confidence=0.05,
                                                                      min_lift=1.0, max_len=4)))
    assert store.antecedent_lengths(np.arange(len(store))).max() == 3
    dropped = 0
    for i in range(0, 600, 3):
        history = {item for basket in groceries[i:i + 3] for item in basket}
        rows = store.fired(history)
        if not len(rows):
            continue
        cons = store.consequent_codes(rows)
        hashed = _generalisations(store, rows, cons)
        assert (hashed == _generalisations_pairwise(store, rows, cons)).all()
        dropped += int(hashed.sum())
    assert dropped > 100  # the check was exercised, not vacuously equal


def test_the_rules_source_builds_a_rule_only_for_the_candidates_it_quotes(store, monkeypatch):
    # The ranker reads every candidate's figures but shows a few: the rule objects (and
    # their sentences) are made for those alone, and they are the ones apply_rules gives.
    import numpy as np

    from retrieval.recommend.assemble import rules_apply_for
    from retrieval.recommend.sources import Context, RulesSource

    built = []
    original = RuleStore.rule
    monkeypatch.setattr(RuleStore, "rule", lambda self, row: built.append(row) or original(self, row))
    ids = ["a", "b", "c", "d", "p", "q", "x", "y", "z"]
    ctx = Context(ids=ids, titles={"a": "Apples", "b": "Bread"}, mask=np.ones(len(ids), dtype=bool),
                  history=["a", "b", "d"])
    listed = RulesSource(rules_apply_for(store)).candidates(ctx, 10)
    assert [s.product_id for s in listed] == ["x", "p", "q", "y"] and built == []
    x = next(s for s in listed if s.product_id == "x")
    assert x.features == {"rules_fired": 2.0, "rule_lift": pytest.approx(x.features["rule_lift"]),
                          "rule_confidence": 0.5}
    rule = x.evidence.rule
    assert len(built) == 1  # x's, on first reading its evidence
    assert x.evidence.text.startswith("bought together with Apples in 50% of the baskets")
    want = apply_rules(store, ["a", "b", "d"])
    assert [c.product_id for c in want] == [s.product_id for s in listed]
    assert rule == next(c for c in want if c.product_id == "x").evidence[0].to_dict()
