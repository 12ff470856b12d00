"""The learned ranker on a shop whose answers are known by construction (see conftest)."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

from retrieval.baskets import Basket, BasketLine, Baskets
from retrieval.ranking.fitting import fit_retriever, fitted_ranker, item_stats
from retrieval.ranking.items import ItemStats
from retrieval.ranking.ranker import RankerSettings
from retrieval.ranking.shopper import ShopperView
from retrieval.ranking.store import load_ranker, save_ranker
from retrieval.rules import MiningParams

from .conftest import FILLERS, START

PARAMS = MiningParams(min_support=0.01, min_confidence=0.05, max_len=2)
# One inner cut, so the recording fitter below sees every refit in this process
# (test_training_cuts.py covers the served two).
SETTINGS = RankerSettings(depth=30, label_months=1, cuts=1, max_shoppers=400, rounds=80)


@pytest.fixture(scope="module")
def trained(rhythm_baskets, rhythm_catalogue, rhythm_vectors):
    seen: list[pd.Timestamp] = []

    def fit(baskets: Baskets, stats=None):
        seen.append(pd.Timestamp(baskets.lines["timestamp"].max()))
        return fit_retriever(baskets, rhythm_catalogue, rhythm_vectors, PARAMS, stats=stats)

    stats = item_stats(rhythm_baskets, rhythm_catalogue)
    retriever = fit(rhythm_baskets, stats)
    retriever.ranker = fitted_ranker(rhythm_baskets, retriever, fit, SETTINGS, "rhythm", stats)
    return retriever, seen


def shopper(days: int, staple_every: int = 7) -> list[Basket]:
    """A new shopper's daily baskets for `days` days, the staple S0 on every 7th day from day 0
    and two fillers a day drawn like everyone else's."""
    rng = np.random.default_rng(11)
    out = []
    for day in range(days):
        lines = [BasketLine(f"F{f}") for f in rng.choice(FILLERS, 2, replace=False)]
        if day % staple_every == 0:
            lines.append(BasketLine("S0"))
        out.append(Basket(f"n-{day}", tuple(lines), "new-shopper", START + pd.Timedelta(days=day, hours=10)))
    return out


def test_the_staple_is_offered_when_due_and_not_the_day_after(trained):
    retriever, _ = trained
    # Last staple on day 28. On day 35 it is due again; on day 29 it was bought yesterday.
    due = retriever.recommend(history=shopper(35), k=5, now=START + pd.Timedelta(days=35))
    fresh = retriever.recommend(history=shopper(29), k=5, now=START + pd.Timedelta(days=29))
    assert due.ids[0] == "S0"
    assert "S0" not in fresh.ids
    top = due.candidates[0]
    assert top.role == "buy again"
    assert top.evidence[0].text == "you buy this about every 7 days; last time was 7 days ago"


def test_the_model_was_trained_before_an_inner_cut_and_reads_nothing_after_it(trained, rhythm_baskets):
    retriever, seen = trained
    report = retriever.ranker.model.report
    cut = pd.Timestamp(report["cuts"][0])
    # Served sources saw everything; the training sources only the baskets before the cut.
    assert seen[0] == rhythm_baskets.lines["timestamp"].max()
    assert seen[1] < cut
    assert report["all"]["shoppers"] > 50 and 0 < report["all"]["candidate_recall"] <= 1


def test_no_feature_reads_past_the_cut(trained, rhythm_baskets):
    retriever, _ = trained
    lines = rhythm_baskets.lines
    cut = START + pd.Timedelta(days=40)
    before = Baskets(lines[lines["timestamp"] < cut])
    ids, prices = retriever.ids, retriever.prices
    full, past = ItemStats.compute(rhythm_baskets, ids, prices, cut), ItemStats.compute(before, ids, prices, cut)
    for name in ("popularity", "recent", "trend", "buyers", "repurchase_rate", "interval_days"):
        np.testing.assert_array_equal(getattr(full, name), getattr(past, name), err_msg=name)
    assert full.baskets == past.baskets and full.recent_baskets == past.recent_baskets
    # The shopper's own rhythm and the whole feature matrix ignore baskets at or after `now`.
    history = shopper(60)
    earlier = [b for b in history if b.timestamp < cut]
    assert ShopperView.of(history, cut) == ShopperView.of(earlier, cut)
    ranker = retriever.ranker
    a = retriever.prepare(history=history, k=10, now=cut)
    b = retriever.prepare(history=earlier, k=10, now=cut)
    ca, xa, _ = ranker.features(a.ctx, retriever.source_lists(a, SETTINGS.depth))
    cb, xb, _ = ranker.features(b.ctx, retriever.source_lists(b, SETTINGS.depth))
    assert ca == cb
    np.testing.assert_array_equal(xa, xb)


def test_a_stale_or_foreign_model_is_refused_and_the_fusion_answers(trained, tmp_path, caplog):
    retriever, _ = trained
    model = retriever.ranker.model
    save_ranker(model, tmp_path)
    names = model.feature_names
    assert load_ranker(tmp_path, "rhythm", names) is not None
    with caplog.at_level(logging.WARNING):
        assert load_ranker(tmp_path, "other-data", names) is None
    assert "trained on other data or settings" in caplog.text
    assert load_ranker(tmp_path, "rhythm", names[:-1]) is None
    (tmp_path / "ranker.json").write_text("{broken")
    assert load_ranker(tmp_path, "rhythm", names) is None
    # Without the model the same request is answered by the fusion, with its own evidence.
    ranker, retriever.ranker = retriever.ranker, None
    try:
        fused = retriever.recommend(history=shopper(35), k=5, now=START + pd.Timedelta(days=35))
    finally:
        retriever.ranker = ranker
    assert len(fused) == 5
    assert all(c.evidence and c.evidence[0].text.startswith(("you bought", "bought together", "customers", "popular",
                                                              "similar", "close", "trending"))
               for c in fused)


def test_a_question_or_an_undated_history_is_left_to_the_fusion(trained):
    retriever, _ = trained
    undated = [Basket(b.basket_id, b.lines, b.customer_id, None) for b in shopper(35)]
    request = retriever.prepare(history=undated, k=5)
    assert retriever.ranked_mode(request) is None
    dated = retriever.prepare(history=shopper(35), k=5, now=START + pd.Timedelta(days=35))
    assert retriever.ranked_mode(dated) == "all"
