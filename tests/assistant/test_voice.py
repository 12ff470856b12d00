"""The service console reads the retriever's reasons about the customer: "they", never "you"."""

from __future__ import annotations

import re

import pandas as pd

from assistant.voice import third_person
from retrieval.baskets import Baskets
from retrieval.ranking.explain import repeat_text
from retrieval.ranking.shopper import ShopperView

YOU = re.compile(r"\byou(?:r|rs)?\b")


def test_the_shoppers_you_is_said_as_they_with_the_figures_kept():
    t0 = pd.Timestamp("2024-01-01")
    lines = pd.DataFrame({"basket_id": ["a", "b", "c"], "customer_id": "c1", "product_id": "tea",
                          "timestamp": [t0, t0 + pd.Timedelta(days=21), t0 + pd.Timedelta(days=42)],
                          "quantity": 1.0})
    view = ShopperView.of(list(Baskets(lines).history("c1")), t0 + pd.Timedelta(days=68))
    texts = {
        repeat_text("tea", view): "they buy this about every 3 weeks; last time was 26 days ago",
        "you bought it 3 times before": "they bought it 3 times before",
        "often bought by shoppers who buy what you buy": "often bought by shoppers who buy what they buy",
        "close to the things you usually buy (similarity 0.71)": "close to the things they usually buy (similarity 0.71)",
        "close to your purchases in the graph of who buys what": "close to their purchases in the graph of who buys what",
        "close to what you have picked (similarity 0.68)": "close to what they have picked (similarity 0.68)",
        "shoppers whose baskets look like yours buy it often": "shoppers whose baskets look like theirs buy it often",
        "a regular in your own recent baskets": "a regular in their own recent baskets",
        "popular with shoppers like you": "popular with shoppers like them",
    }
    for said, meant in texts.items():
        assert third_person(said) == meant
    for kept in ("bought together with X in 42% of the baskets", "similar to I LOVE YOU MUG (similarity 0.70)",
                 "customers who bought Thank You Cards also bought it (4 of 9)"):
        assert third_person(kept) == kept
    assert not [m for m in texts.values() if YOU.search(m)]


def test_the_console_never_tells_the_agent_you(make_shop):
    service = make_shop(role="service")
    for cid in ("12347", "17850", "13047"):
        panel = service.customer(cid, k=10)
        texts = [e["text"] for p in panel["products"] for e in p["evidence"]]
        for ask in ("what should we recommend to them?", "anything new they might like?"):
            reply = service.chat(f"v{cid}", ask, customer_id=cid)
            texts += [e["text"] for p in reply.products for e in p["evidence"]]
        assert texts and not [t for t in texts if YOU.search(t)], cid
        assert any("they bought it" in t for t in texts), cid  # the buy-again reasons were there
