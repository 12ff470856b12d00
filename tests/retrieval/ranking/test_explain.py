"""Reasons in plain words from the ranker's strongest contributions."""

from __future__ import annotations

import numpy as np
import pandas as pd

from retrieval.baskets import Basket, BasketLine
from retrieval.ranking.explain import explain, group_contributions, repeat_text
from retrieval.ranking.features import FeatureSpace
from retrieval.ranking.items import ItemStats
from retrieval.ranking.shopper import ShopperView
from retrieval.recommend.sources import Scored
from retrieval.recommend.types import Evidence

T0 = pd.Timestamp("2024-03-01 09:00")


def view(days: list[int], now_day: float) -> ShopperView:
    baskets = [Basket(f"b{d}", (BasketLine("tea"),), "c1", T0 + pd.Timedelta(days=d)) for d in days]
    return ShopperView.of(baskets, T0 + pd.Timedelta(days=now_day))


def stats() -> ItemStats:
    n = 3
    return ItemStats(["tea", "mug", "jam"], T0, 100, 20, np.array([40.0, 10, 5]), np.array([4.0, 9, 1]),
                     np.array([0.5, 4.5, 1.0]), np.ones(n), np.zeros(n), np.full(n, np.nan), np.ones(n))


def test_a_regular_purchase_is_told_as_its_rhythm():
    assert repeat_text("tea", view([0, 21, 42], 68)) == "you buy this about every 3 weeks; last time was 26 days ago"
    assert repeat_text("tea", view([0, 7, 14], 15)) == "you buy this about every 7 days; last time was 1 day ago"
    assert repeat_text("tea", view([0], 10)) == "you bought it once before, 10 days ago"
    assert repeat_text("tea", view([0], 98)) == "you bought it once before, 3 months ago"
    assert repeat_text("tea", view([0, 60], 755)) == "you buy this about every 60 days; last time was 23 months ago"
    assert repeat_text("tea", view([0, 365], 1100)) == "you buy this about every 12 months; last time was 2 years ago"
    assert repeat_text("mug", view([0], 10)) is None


def test_the_strongest_positive_group_sets_the_role_and_leads_the_evidence():
    space = FeatureSpace(("repeat", "rules"))
    names = space.names
    contrib = np.zeros(len(names) + 1)  # the last column is LightGBM's bias
    contrib[names.index("rules_score")] = 0.9
    contrib[names.index("rule_lift")] = 0.3
    contrib[names.index("days_since")] = 0.4
    contrib[names.index("popularity")] = -0.5
    contrib[names.index("shopper_baskets")] = 5.0  # context: never a reason
    contrib[-1] = 7.0
    groups = group_contributions(space, contrib)
    assert groups == {"repeat": 0.4, "rules": 1.2, "popularity": -0.5, "trending": 0.0, "neighbours": 0.0}
    rule = {"antecedent": ["tea"], "confidence": 0.42, "lift": 3.1, "rule_count": 42, "antecedent_count": 100}
    text = "bought together with Tea in 42% of the baskets that contain it (42 of 100), 3.1 times more often than chance"
    entries = {"rules": Scored("jam", 0.4, Evidence("rules", text, 0.4, rule=rule, related_to="tea"))}
    role, evidence = explain("tea", groups, entries, view([0, 7, 14], 21), stats(), 0)
    assert role == "add-on"
    assert [e.source for e in evidence] == ["rules", "repeat"]
    assert evidence[0].text == text and evidence[0].rule == rule
    assert evidence[1].text == "you buy this about every 7 days; last time was 7 days ago"


def test_shoppers_like_you_is_not_told_for_the_shoppers_own_item():
    space = FeatureSpace(("repeat", "tifu"))
    contrib = np.zeros(len(space.names) + 1)
    contrib[space.names.index("tifu_score")] = 0.8
    contrib[space.names.index("times_bought")] = 0.3
    groups = group_contributions(space, contrib)
    entries = {"tifu": Scored("tea", 0.5, Evidence("tifu", "a regular in your own recent baskets", 0.5))}
    role, evidence = explain("tea", groups, entries, view([0, 7, 14], 21), stats(), 0)
    assert [e.source for e in evidence] == ["repeat"] and role == "buy again"
    new = {"tifu": Scored("jam", 0.5, Evidence("tifu", "shoppers whose baskets look like yours buy it often", 0.5))}
    role, evidence = explain("jam", groups, new, view([0, 7, 14], 21), stats(), 2)
    assert evidence[0].text == "shoppers whose baskets look like yours buy it often" and role == "for you"


def test_trending_is_only_claimed_when_the_figures_say_so():
    space = FeatureSpace(())
    contrib = np.zeros(len(space.names) + 1)
    contrib[space.names.index("trend")] = 1.0
    groups = group_contributions(space, contrib)
    role, evidence = explain("mug", groups, {}, view([0], 5), stats(), 1)
    assert role == "popular"
    assert evidence[0].text == "trending: in 9 baskets over the last 4 weeks, 4.5 times its usual share"
    # The same push on an item that is not rising says nothing about trends.
    role, evidence = explain("tea", groups, {}, view([0], 5), stats(), 0)
    assert evidence == [] or all(e.source != "trending" for e in evidence)


def test_an_item_the_shopper_bought_says_so_even_when_their_rhythm_held_it_back():
    space = FeatureSpace(("repeat", "rules"))
    contrib = np.zeros(len(space.names) + 1)
    contrib[space.names.index("popularity")] = 0.6
    contrib[space.names.index("days_since")] = -0.8  # bought too recently to be due
    groups = group_contributions(space, contrib)
    role, evidence = explain("tea", groups, {}, view([0, 7, 14], 16), stats(), 0)
    assert role == "popular"
    assert [e.source for e in evidence] == ["popularity", "repeat"]
    assert evidence[1].text == "you buy this about every 7 days; last time was 2 days ago"
    assert evidence[1].score < 0 and evidence[1].times_bought == 3
    # Not for what they never bought.
    _, evidence = explain("mug", groups, {}, view([0, 7, 14], 16), stats(), 1)
    assert [e.source for e in evidence] == ["popularity"]
