"""The direct calls of `ShoppingAssistant` return the same dict shapes as the tools."""

from __future__ import annotations

import pytest

from retrieval.errors import ConfigError


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
    assert quick["item"]["product_id"] == "85123A"
    assert all(r["source"] == "rules" and r["confidence"] > 0 for r in quick["rules"])
    with pytest.raises(ConfigError):
        shop.rules()
    stored = make_shop(rule_store=RuleStore.from_ruleset(mine_rules(bundled_dataset.baskets)))
    top = stored.rules(k=5)["rules"]
    assert len(top) == 5 and [r["lift"] for r in top] == sorted((r["lift"] for r in top), reverse=True)
    assert "baskets with" in top[0]["text"]
    holder = stored.rules("85123A", k=3)["rules"]
    assert all("85123A" in r["antecedent"] for r in holder)
