"""The direct calls of `ShoppingAssistant` return the same dict shapes as the tools."""

from __future__ import annotations

import pytest

from retrieval.errors import AccessDeniedError, ConfigError, NotFoundError
from retrieval.rules import mine_rules
from retrieval.rules.store import RuleStore


def test_recommend_and_related_share_the_tool_shapes(shop):
    found = shop.recommend("candles", max_price=3, k=4)
    assert len(found["products"]) == 4 and all(p["price"] <= 3 for p in found["products"])
    assert set(found["products"][0]) >= {"product_id", "title", "price", "role", "evidence"}
    together = shop.related("85123A", kind="together", k=3)
    assert together["anchors"][0]["product_id"] == "85123A" and len(together["products"]) == 3
    similar = shop.related("85123A", kind="similar", k=3)
    assert similar["anchor"]["product_id"] == "85123A"
    with pytest.raises(ConfigError):
        shop.related("85123A", kind="nope")


def test_rules_from_the_retriever_and_from_a_store(shop, make_shop, bundled_dataset):
    from retrieval.rules import RuleStore, mine_rules

    quick = shop.rules("85123A", k=3)
    assert quick["item"]["product_id"] == "85123A" and quick["matched"] == len(quick["rules"]) > 0
    assert all(r["antecedent"] and r["confidence"] > 0 and r["text"] for r in quick["rules"])
    with pytest.raises(ConfigError):
        shop.rules()
    stored = make_shop(rule_store=RuleStore.from_ruleset(mine_rules(bundled_dataset.baskets)))
    # One shape, with a rule store or without one.
    assert set(stored.rules("85123A", k=3)["rules"][0]) == set(quick["rules"][0])
    assert set(stored.rules("85123A", k=3)) == set(quick) == {"item", "matched", "rules"}
    top = stored.rules(k=5)["rules"]
    assert len(top) == 5 and [r["lift"] for r in top] == sorted((r["lift"] for r in top), reverse=True)
    assert "baskets with" in top[0]["text"]
    holder = stored.rules("85123A", k=3)["rules"]
    assert all("85123A" in r["antecedent"] for r in holder)


def test_basket_add_remove_and_what_goes_with_it(shop):
    basket = shop.add_to_basket("s", "85123A", 2)
    assert basket["items"] == 2 and basket["basket"][0]["product_id"] == "85123A"
    goes_with = shop.basket_recommendations("s", k=4)["products"]
    assert len(goes_with) == 4 and "85123A" not in {p["product_id"] for p in goes_with}
    assert all(e["source"] in ("rules", "copurchase", "semantic", "popularity")
               for p in goes_with for e in p["evidence"])
    bestsellers = shop.basket_recommendations("empty", k=4)["products"]
    assert [p["role"] for p in bestsellers] == ["popular"] * 4
    assert {p["product_id"] for p in goes_with} != {p["product_id"] for p in bestsellers}
    assert shop.remove_from_basket("s", "85123A")["items"] == 0
    with pytest.raises(NotFoundError, match="not in the basket"):
        shop.remove_from_basket("s", "85123A")
    with pytest.raises(NotFoundError, match="NOPE"):
        shop.add_to_basket("s", "NOPE")
    with pytest.raises(ConfigError, match="at least 1"):
        shop.add_to_basket("s", "85123A", 0)


def test_customer_lookup_is_for_the_service_role_only(shop, bundled_dataset):
    with pytest.raises(AccessDeniedError):
        shop.customer("12347")
    service = shop.as_role("service")
    assert service.retriever is shop.retriever and service.sessions is not shop.sessions
    found = service.customer("12347", k=5)
    history = bundled_dataset.baskets.history("12347")
    assert found["orders"] == len(history) and len(found["products"]) == 5
    assert {line["product_id"] for line in found["lines"]} == {p for b in history for p in b.items}
    assert all(p["evidence"] and p["role"] for p in found["products"])
    with pytest.raises(NotFoundError, match="no orders"):
        service.customer("no-such-customer")


def test_rules_filter_by_thresholds_and_side(make_shop, bundled_dataset):
    stored = make_shop(rule_store=RuleStore.from_ruleset(mine_rules(bundled_dataset.baskets)))
    anywhere = stored.rules("85123A", k=1000, side="any", min_lift=2)
    assert anywhere["rules"] and all(r["lift"] >= 2 for r in anywhere["rules"])
    assert all("85123A" in (*r["antecedent"], r["consequent"]) for r in anywhere["rules"])
    assert any(r["consequent"] == "85123A" for r in anywhere["rules"])
    strict = stored.rules("85123A", k=1000, side="any", min_lift=2, min_confidence=0.5)
    assert 0 < strict["matched"] < anywhere["matched"]
    with pytest.raises(ConfigError, match="side"):
        stored.rules("85123A", side="left")


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -1.0, "2"])
def test_a_price_bound_that_is_no_price_is_refused(shop, bad):
    with pytest.raises(ConfigError, match="max_price"):
        shop.recommend("mugs", max_price=bad)
