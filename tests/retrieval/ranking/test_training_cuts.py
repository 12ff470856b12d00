"""Several inner cuts trained side by side in worker processes learn what one process learns."""

from __future__ import annotations

import pytest

from retrieval.errors import ConfigError
from retrieval.ranking.fitting import SourceFitter
from retrieval.ranking.ranker import RankerSettings
from retrieval.ranking.training import train_ranker, training_workers
from retrieval.recommend.graph import GraphParams
from retrieval.rules import MiningParams

PARAMS = MiningParams(min_support=0.01, min_confidence=0.05, max_len=2)
SETTINGS = RankerSettings(depth=20, label_months=1, cuts=2, max_shoppers=120, rounds=30)


def trees(model, mode):
    return model.boosters[mode].dump_model()["tree_info"]


def test_two_cuts_in_two_workers_give_the_model_one_process_gives(rhythm_baskets, rhythm_catalogue, rhythm_vectors):
    fit = SourceFitter(rhythm_catalogue, rhythm_vectors, PARAMS, GraphParams(epochs=2))
    ids = rhythm_catalogue.ids
    prices = rhythm_catalogue.frame["price"].to_numpy(dtype=float)
    args = (rhythm_baskets, fit, ids, prices, rhythm_vectors.matrix, "rhythm", SETTINGS)
    here = train_ranker(*args, workers=1)
    apart = train_ranker(*args, workers=2)
    assert len(here.report["cuts"]) == 2
    assert (here.report["processes"], apart.report["processes"]) == (1, 2)
    assert apart.report["cuts"] == here.report["cuts"]
    assert set(apart.boosters) == set(here.boosters) == {"all", "new"}
    for mode in here.boosters:
        assert {k: apart.report[mode][k] for k in ("shoppers", "rows")} == \
            {k: here.report[mode][k] for k in ("shoppers", "rows")}
        assert trees(apart, mode) == trees(here, mode)


def test_the_workers_are_the_cores_unless_asked(monkeypatch):
    monkeypatch.delenv("SHOPASSIST_RANKER_WORKERS", raising=False)
    assert training_workers() >= 1
    monkeypatch.setenv("SHOPASSIST_RANKER_WORKERS", "3")
    assert training_workers() == 3
    monkeypatch.setenv("SHOPASSIST_RANKER_WORKERS", "none")
    with pytest.raises(Exception, match="SHOPASSIST_RANKER_WORKERS"):
        training_workers()


def test_a_retailer_asks_for_more_cuts_from_the_environment_and_gets_another_model(monkeypatch):
    from retrieval.ranking.ranker import ranker_fingerprint

    monkeypatch.delenv("SHOPASSIST_RANKER_CUTS", raising=False)
    served = RankerSettings.from_env()
    assert served.cuts == RankerSettings().cuts == 1
    monkeypatch.setenv("SHOPASSIST_RANKER_CUTS", "2")
    two = RankerSettings.from_env()
    assert two.cuts == 2
    # The setting is in the fingerprint: a one-cut model is stale for a two-cut build.
    assert ranker_fingerprint("d", {}, served, ("repeat",)) != ranker_fingerprint("d", {}, two, ("repeat",))
    monkeypatch.setenv("SHOPASSIST_RANKER_CUTS", "0")
    with pytest.raises(ConfigError, match="SHOPASSIST_RANKER_CUTS"):
        RankerSettings.from_env()
