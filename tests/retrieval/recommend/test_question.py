"""Price limits and product mentions come out of a shopper's words."""

from __future__ import annotations

import pytest

from retrieval.recommend.question import parse_question


@pytest.mark.parametrize(
    ("text", "lo", "hi"),
    [
        ("tea cups under £5", None, 5.0),
        ("a mug below 3 pounds", None, 3.0),
        ("something between 2 and 10 pounds", 2.0, 10.0),
        ("from £2 to £10 please", 2.0, 10.0),
        ("candles over £3", 3.0, None),
        ("at least 4.50 and no more than 8 quid", 4.5, 8.0),
        ("stickers under 50p", None, 0.5),
        ("set of 3 cake tins", None, None),
        ("cheaper than £4", None, 4.0),
    ],
)
def test_price_limits(text, lo, hi):
    q = parse_question(text)
    assert (q.min_price, q.max_price) == (lo, hi)


def test_price_phrase_is_removed_from_the_search_text():
    q = parse_question("tea cups under £5")
    assert q.search_text == "tea cups" and q.words == ("tea", "cups")


@pytest.mark.parametrize(
    ("text", "relation", "phrase"),
    [
        ("what goes with the white heart t-light holder?", "with", "white heart t-light holder"),
        ("something like the party bunting under 5 quid", "like", "party bunting"),
        ("anything cheaper than the regency cakestand", "cheaper_than", "regency cakestand"),
        ("tell me about the jumbo bag red retrospot", "details", "jumbo bag red retrospot"),
    ],
)
def test_mentions(text, relation, phrase):
    (m,) = parse_question(text).mentions
    assert (m.relation, m.phrase) == (relation, phrase)


def test_compare_names_two_products():
    q = parse_question("compare jumbo bag red retrospot and lunch bag red retrospot")
    assert [m.phrase for m in q.mentions] == ["jumbo bag red retrospot", "lunch bag red retrospot"]
