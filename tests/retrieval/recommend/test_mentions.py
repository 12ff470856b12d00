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
