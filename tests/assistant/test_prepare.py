"""What `make run` does before serving: ingest, index, rules and the ranker, each only when needed."""

from __future__ import annotations

import pytest

from assistant.cli import main
from assistant.prepare import prepare
from retrieval.config import dataset_dir
from retrieval.rules import load_rules

pytestmark = pytest.mark.slow


def test_prepare_builds_everything_once_then_reuses_it(_isolated_home, capsys, monkeypatch):
    # The real `make run` path on the bundled data, with the ranker's smaller build (fewer
    # training shoppers, a shorter graph budget): the same steps in a fraction of the time.
    # 100 shoppers (~90 per mode) and one graph epoch leave the ranker step mostly its fixed
    # costs (LightGBM's 300 rounds, the sources' fits): 28 s against 61 s for 300 and 5 s.
    monkeypatch.setenv("SHOPASSIST_RANKER_SHOPPERS", "100")
    monkeypatch.setenv("SHOPASSIST_RANKER_GRAPH_SECONDS", "1")
    first = prepare()
    assert (dataset_dir() / "products.parquet").exists()
    assert any("3,790 embedded now" in s for s in first.steps)
    assert any("association rules" in s for s in first.steps)
    store = load_rules()
    assert store.meta.fingerprint == first.dataset.fingerprint() and len(store) > 10_000
    assert any(s.startswith("learned ranker trained") for s in first.steps), first.steps

    again = prepare()
    assert any("0 embedded now" in s for s in again.steps)
    assert "association rules up to date" in again.steps
    assert "learned ranker up to date (same baskets, same rule settings)" in again.steps
    # Other ranker settings are another model: the saved one no longer counts as current.
    monkeypatch.setenv("SHOPASSIST_RANKER_SHOPPERS", "101")
    from assistant.prepare import ensure_ranker
    from retrieval.ranking.serving import saved_is_current
    from retrieval.rules import MiningParams

    assert not saved_is_current(first.dataset, MiningParams.from_dict(store.meta.params), None)
    monkeypatch.setenv("SHOPASSIST_RANKER_SHOPPERS", "100")
    assert ensure_ranker(first.dataset).startswith("learned ranker up to date")

    # `shopassist build` on the same root embeds nothing and keeps the rules.
    assert main(["build"]) == 0
    out = capsys.readouterr().out
    assert "nothing embedded" in out and "rules up to date" in out and "learned ranker up to date" in out
