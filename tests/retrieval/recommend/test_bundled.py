"""The retriever on the real bundled data: real vectors, real rules, real co-purchase."""

from __future__ import annotations

import pytest

from retrieval.errors import NotFoundError
from retrieval.recommend import Filters

pytestmark = pytest.mark.slow


def test_question_with_a_price_limit(bundled_retriever):
    rec = bundled_retriever.recommend("tea cups under £5", k=5)
    assert len(rec) == 5 and rec.relaxed == []
    for c in rec:
        assert c.product.price <= 5.0 and c.role == "match"
    assert sum("TEA" in c.product.title for c in rec) >= 3


def test_bought_together_quotes_the_rule(bundled_retriever):
    rec = bundled_retriever.bought_together("22697", k=5)  # GREEN REGENCY TEACUP AND SAUCER
    assert "22697" not in rec.ids
    top = rec.candidates[0]
    assert top.role == "add-on" and top.evidence[0].source == "rules"
    rule = top.evidence[0].rule
    assert rule["antecedent"] == ["22697"] and rule["consequent"] == top.product_id
    assert f"{rule['confidence']:.0%} of the baskets" in top.evidence[0].text
    assert "TEACUP" in top.product.title  # the other colours of the same set


def test_similar_items_share_distinctive_words(bundled_retriever):
    rec = bundled_retriever.similar_items("85099B", k=10)  # JUMBO BAG RED RETROSPOT
    assert "85099B" not in rec.ids
    assert all(c.role == "alternative" for c in rec)
    assert sum("JUMBO" in c.product.title or "RETROSPOT" in c.product.title for c in rec) >= 7


def test_history_puts_buy_again_first_and_explains_it(bundled_retriever):
    history = ["85123A", "85123A", "85123A", "22423", "47566"]
    rec = bundled_retriever.recommend(history=history, k=10)
    assert rec.candidates[0].product_id == "85123A"
    assert rec.candidates[0].evidence[0].times_bought == 3
    roles = {c.role for c in rec}
    assert "buy again" in roles and roles & {"add-on", "alternative", "for you"}


def test_discover_excludes_owned(bundled_retriever):
    rec = bundled_retriever.recommend(history=["85123A", "22423"], k=10, filters=Filters(exclude_owned=True))
    assert not {"85123A", "22423"} & set(rec.ids)


def test_unknown_anchor_is_a_clear_error(bundled_retriever):
    with pytest.raises(NotFoundError, match="unknown product id"):
        bundled_retriever.similar_items("NOPE")


def test_similar_needs_only_the_catalogue_and_the_vectors(bundled_retriever, bundled_dataset, bundled_vectors):
    """`shopassist similar` assembles a retriever of the catalogue and vectors alone: its
    answer must be the full retriever's (what chat and HTTP say), evidence and order."""
    from retrieval.recommend.assemble import RetrieverParts, assemble_retriever

    light = assemble_retriever(RetrieverParts(
        bundled_dataset.catalogue, bundled_vectors, n_baskets=len(bundled_dataset.baskets)))
    for pid in ("85123A", "22386", "23206"):
        full, alone = bundled_retriever.similar_items(pid, k=10), light.similar_items(pid, k=10)
        assert len(full) == 10 and pid not in full.ids
        assert alone.ids == full.ids
        assert [c.evidence for c in alone] == [c.evidence for c in full]
