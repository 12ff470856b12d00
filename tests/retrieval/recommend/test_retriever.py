"""Each source and the fusion on a six-product catalogue whose answer is known by construction.

Vectors are hand-made (a deterministic stand-in for the encoder: only plumbing is tested
here; the real encoder's semantics are tested with the index).
"""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.errors import ConfigError
from retrieval.products import Catalogue, Product
from retrieval.recommend import Filters, FusionWeights, Retriever
from retrieval.recommend.vectors import ExactVectors, top_k
from retrieval.shop import ShopProfile

# Two "directions": tea things (axis 0) and candles (axis 1); axis 2 is a bag.
PRODUCTS = [
    ("TEA", "TEAPOT", 8.0, 50, [1.0, 0.0, 0.0]),
    ("CUP", "TEA CUP", 3.0, 40, [0.9, 0.1, 0.0]),
    ("MUG", "TEA MUG", 2.0, 30, [0.8, 0.2, 0.0]),
    ("CAN", "CANDLE", 1.5, 60, [0.0, 1.0, 0.0]),
    ("HLD", "CANDLE HOLDER", 4.0, 20, [0.1, 0.9, 0.0]),
    ("BAG", "JUMBO BAG", 2.5, 90, [0.0, 0.0, 1.0]),
]
WORDS = {"tea": [1.0, 0.0, 0.0], "candle": [0.0, 1.0, 0.0], "bag": [0.0, 0.0, 1.0]}


def _unit(v):
    v = np.asarray(v, dtype=np.float32)
    return v / np.linalg.norm(v)


def encode_query(text: str) -> np.ndarray:
    vec = sum((np.asarray(v) for w, v in WORDS.items() if w in text.lower()), np.zeros(3))
    return _unit(vec) if vec.any() else np.zeros(3, dtype=np.float32)


def rules_apply(items, k, exclude):
    # TEAPOT -> CUP (conf 0.6) and TEAPOT -> CANDLE (conf 0.3): what a rule store would return.
    out = []
    if "TEA" in items:
        for cons, conf in (("CUP", 0.6), ("CAN", 0.3)):
            if cons not in exclude:
                rule = {"antecedent": ["TEA"], "consequent": cons, "confidence": conf, "lift": 2.0,
                        "rule_count": int(conf * 10), "antecedent_count": 10, "support": 0.1}
                out.append((cons, conf, [rule]))
    return out[:k]


@pytest.fixture()
def retriever():
    cat = Catalogue.from_products(Product(pid, title, price=price, popularity=pop) for pid, title, price, pop, _ in PRODUCTS)
    vectors = ExactVectors([p[0] for p in PRODUCTS], np.stack([_unit(p[4]) for p in PRODUCTS]))
    return Retriever(cat, vectors, encode_query=encode_query, rules_apply=rules_apply, n_baskets=100,
                     shop=ShopProfile("a tea shop", currency="GBP", locale="en_GB"))


def ids(rec):
    return [c.product_id for c in rec]


def test_cold_start_is_popularity(retriever):
    rec = retriever.recommend(k=3)
    assert ids(rec) == ["BAG", "CAN", "TEA"]
    assert {c.role for c in rec} == {"popular"}
    assert "in 90 baskets (90.0% of all)" in rec.candidates[0].evidence[0].text


def test_question_ranks_titles_with_its_words_first_then_by_meaning(retriever):
    rec = retriever.recommend("tea", k=3)
    # TEAPOT is nearest in meaning, but TEA CUP and TEA MUG hold the word the shopper wrote.
    assert ids(rec) == ["CUP", "MUG", "TEA"]
    first, last = rec.candidates[0], rec.candidates[2]
    assert first.role == "match"
    # Whole words only: TEAPOT does not contain the word "tea", TEA CUP does.
    assert first.evidence[0].matched_words == ("tea",) and "matches 'tea'" in first.evidence[0].text
    assert last.evidence[0].matched_words == ()
    # The evidence quotes the cosine similarity, not the boosted rank score.
    assert last.evidence[0].similarity > first.evidence[0].similarity


def test_price_filter_from_the_question(retriever):
    rec = retriever.recommend("tea under £5", k=2)
    assert ids(rec) == ["CUP", "MUG"]
    assert rec.filters.max_price == 5.0 and rec.relaxed == []


def test_prices_are_read_and_told_in_the_shops_currency(retriever):
    us = Retriever(retriever.catalogue, retriever.vectors, encode_query=encode_query, n_baskets=100,
                   shop=ShopProfile("a US tea shop", currency="USD", locale="en_US"))
    rec = us.recommend("tea under 2 dollars", k=4)
    assert rec.relaxed == ["widened the price range to up to $2.50", "widened the price range to up to $3"]
    # "£" is not this shop's money: the words are searched, no price limit is read
    assert us.recommend("tea under £2", k=4).filters.max_price is None


def test_relaxation_is_step_by_step_and_said(retriever):
    rec = retriever.recommend("tea under £2", k=4)
    # MUG and CANDLE cost <= 2; x1.25 (2.50) adds BAG; x1.5 (3.00) adds CUP: four, so stop.
    assert rec.relaxed == ["widened the price range to up to £2.50", "widened the price range to up to £3"]
    assert ids(rec)[:2] == ["CUP", "MUG"] and set(ids(rec)) == {"CUP", "MUG", "CAN", "BAG"}
    assert rec.filters.max_price == 3.0
    assert any(e.source == "filter" and "loosening" in e.text for e in rec.candidates[0].evidence)


def test_history_gives_repeat_addons_and_alternatives(retriever):
    rec = retriever.recommend(history=["TEA", "TEA", "HLD"], k=6)
    by_id = {c.product_id: c for c in rec}
    assert rec.candidates[0].product_id == "TEA" and rec.candidates[0].role == "buy again"
    assert by_id["TEA"].evidence[0].times_bought == 2
    assert by_id["CUP"].role == "add-on"
    assert "60% of the baskets" in by_id["CUP"].evidence[0].text
    assert by_id["CAN"].role in {"add-on", "alternative"}


def test_exclude_owned_drops_repeats(retriever):
    rec = retriever.recommend(history=["TEA", "HLD"], k=4, filters=Filters(exclude_owned=True))
    assert "TEA" not in ids(rec) and "HLD" not in ids(rec)
    assert ids(rec)[0] == "CUP"


def test_weights_change_the_fusion(retriever):
    heavy_rules = FusionWeights(repeat=0.0, rules=5.0)
    rec = retriever.recommend(history=["TEA"], k=2, weights=heavy_rules)
    assert ids(rec) == ["CUP", "CAN"]


def test_mention_anchors_alternatives_and_excludes_itself(retriever):
    rec = retriever.recommend("something like the teapot", k=2)
    assert "TEA" not in ids(rec)
    assert ids(rec)[0] == "CUP"


def test_bad_k(retriever):
    with pytest.raises(ConfigError, match="k must be"):
        retriever.recommend("tea", k=0)


def test_top_k_is_exact_and_respects_the_mask():
    scores = np.array([0.1, 0.9, 0.5, 0.9, 0.2])
    rows, vals = top_k(scores, 3, np.array([True, True, True, False, True]))
    assert rows.tolist() == [1, 2, 4] and vals.tolist() == [0.9, 0.5, 0.2]


def test_words_against_punctuation_in_a_composed_title_still_match():
    """Complete Journey's titles are composed with commas ("Ground Coffee, National, 11.5 OZ"):
    "coffee," is the word coffee, so the evidence names it and "cheap coffee" orders by it."""
    from retrieval.recommend.sources import _matched_words

    assert _matched_words(("coffee", "national"), "Ground Coffee, National, 11.5 OZ") == ("coffee", "national")
    assert _matched_words(("light",), "WHITE HANGING HEART T-LIGHT HOLDER") == ("light",)
    assert _matched_words(("tea",), "Teapot (red)") == ()
