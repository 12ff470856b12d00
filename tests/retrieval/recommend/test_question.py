"""Price limits and product mentions come out of a shopper's words."""

from __future__ import annotations

import pytest

from retrieval.money import Money
from retrieval.recommend.question import parse_question

GBP = Money("GBP", "en_GB")


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
    q = parse_question(text, GBP)
    assert (q.min_price, q.max_price) == (lo, hi)


def test_price_phrase_is_removed_from_the_search_text():
    q = parse_question("tea cups under £5", GBP)
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


@pytest.mark.parametrize(
    ("currency", "locale", "text", "lo", "hi"),
    [
        ("USD", "en_US", "a stapler under $20", None, 20.0),
        ("USD", "en_US", "desk lamps under 20 bucks", None, 20.0),
        ("USD", "en_US", "a chair for 150 USD or less", None, 150.0),
        ("USD", "en_US", "bookcases from 100 to 300 dollars", 100.0, 300.0),
        ("USD", "en_US", "labels under 99 cents", None, 0.99),
        ("EUR", "de_DE", "less than 15 euros", None, 15.0),
        ("EUR", "de_DE", "candles under 3,50 € please", None, 3.5),
        ("BRL", "pt_BR", "R$ 50 or more", 50.0, None),
        ("GBP", "en_GB", "twenty pounds max", None, 20.0),
        ("USD", "en_US", "3 or more mugs", None, None),  # a count, not money
    ],
)
def test_prices_in_the_shops_currency(currency, locale, text, lo, hi):
    q = parse_question(text, Money(currency, locale))
    assert (q.min_price, q.max_price) == (lo, hi)
    assert not set(q.words) & {"usd", "dollars", "bucks", "euros", "cents", "pounds"}


def test_another_currencys_words_are_not_this_shops_money():
    # In a US shop "pounds" is a weight: "a 5 pounds dumbbell" carries no price limit.
    q = parse_question("a dumbbell of 5 pounds", Money("USD", "en_US"))
    assert (q.min_price, q.max_price) == (None, None)


@pytest.mark.parametrize(("text", "cheap"), [
    ("got any cheap office chairs?", True), ("the cheapest binders", True), ("budget headphones", True),
    ("something cheaper than the teapot", False), ("office chairs", False), ("cheaper", False),
])
def test_asking_for_the_cheap_end_without_a_figure(text, cheap):
    assert parse_question(text).cheapest_first is cheap


@pytest.mark.parametrize(("text", "words"), [
    ("what's popular right now?", ()), ("your best sellers", ()), ("what do people buy most", ()),
    ("what are your most popular candles?", ("candles",)), ("top selling mugs", ("mugs",)),
    ("what lunch bags do other customers get", ("lunch", "bags")), ("what's trending this week", ()),
])
def test_asking_for_what_sells_most(text, words):
    """The asking is cut from the words to search: "sellers", "people" name no product."""
    parsed = parse_question(text)
    assert parsed.popular_first and parsed.words == words


@pytest.mark.parametrize("text", ["hot water bottle", "popcorn box", "people figurines", "lunch bags"])
def test_product_words_are_not_asking_for_best_sellers(text):
    assert not parse_question(text).popular_first
