"""Mentions resolve to catalogue ids on the real bundled titles, with a runner-up."""

from __future__ import annotations

import pytest

from retrieval.recommend.mentions import MentionResolver


@pytest.fixture(scope="module")
def resolver(bundled_dataset):
    f = bundled_dataset.catalogue.frame
    return MentionResolver(f.index.tolist(), f["title"].tolist(), popularity=f["popularity"].to_numpy())


@pytest.mark.parametrize(
    ("phrase", "product_id"),
    [
        ("the white heart t-light holder", "85123A"),
        ("regency cakestand", "22423"),
        ("jumbo bag red retrospot", "85099B"),
        ("PARTY BUNTING", "47566"),
        ("85123A", "85123A"),
    ],
)
def test_resolves_to_the_right_product(resolver, phrase, product_id):
    found = resolver.resolve(phrase)
    assert found is not None and found.product_id == product_id
    assert found.confidence >= 0.8


def test_close_call_is_flagged_ambiguous_with_its_runner_up(resolver):
    found = resolver.resolve("lunch bag")
    assert found.title.startswith("LUNCH BAG") and found.runner_up[1].startswith("LUNCH BAG")
    assert found.ambiguous


def test_nonsense_resolves_to_nothing(resolver):
    assert resolver.resolve("xyzzy plugh") is None


def test_a_long_title_holding_every_word_beats_short_titles_sharing_two():
    """Superstore's titles are long and many share the brand: WRatio gives two dozen Logitech
    titles the same 85.5 for "logitech m325 mouse", and the one holding "m325" fell outside
    its shortlist. Here, the real Superstore titles of the shop's Logitech mice."""
    titles = [
        "Logitech G500s Laser Gaming Mouse with Adjustable Weight Tuning",
        "Logitech G600 MMO Gaming Mouse", "Logitech Trackman Marble Mouse",
        "Logitech Wireless Performance Mouse MX for PC and Mac", "Logitech M510 Wireless Mouse",
        "Logitech MX Performance Wireless Mouse", "Logitech G602 Wireless Gaming Mouse",
        *[f"Logitech G{n} Programmable Gaming Keyboard" for n in range(10, 40)],
        "Logitech 910-002974 M325 Wireless Mouse for Web Scrolling",
    ]
    resolver = MentionResolver([f"TEC-{i}" for i in range(len(titles))], titles, shortlist=20)
    for phrase in ("logitech m325 mouse", "the logitech m325 mouse"):
        assert resolver.resolve(phrase).title.startswith("Logitech 910-002974 M325"), phrase
