"""Several inner cuts trained side by side in worker processes learn what one process learns."""

from __future__ import annotations

import pandas as pd
import pytest

from retrieval.baskets import Baskets
from retrieval.errors import ConfigError
from retrieval.ranking.fitting import SourceFitter
from retrieval.ranking.ranker import RankerSettings
from retrieval.ranking.training import train_ranker, training_workers
from retrieval.recommend.graph import GraphParams
from retrieval.rules import MiningParams

from .conftest import rhythm_lines

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


def test_each_cut_refits_its_sources_on_the_baskets_before_it_only(rhythm_baskets, rhythm_catalogue, rhythm_vectors):
    seen = []
    fitter = SourceFitter(rhythm_catalogue, rhythm_vectors, PARAMS, GraphParams(epochs=2))

    def recording(baskets, stats=None):
        seen.append(pd.Timestamp(baskets.lines["timestamp"].max()))
        return fitter(baskets, stats)

    ids = rhythm_catalogue.ids
    prices = rhythm_catalogue.frame["price"].to_numpy(dtype=float)
    model = train_ranker(rhythm_baskets, recording, ids, prices, rhythm_vectors.matrix, "rhythm", SETTINGS, workers=1)
    cuts = [pd.Timestamp(c) for c in model.report["cuts"]]
    assert len(seen) == len(cuts) == 2 and cuts[1] < cuts[0]
    assert all(last < cut for last, cut in zip(seen, cuts, strict=True))


def test_the_workers_are_the_cores_unless_asked(monkeypatch):
    monkeypatch.delenv("SHOPASSIST_RANKER_WORKERS", raising=False)
    assert training_workers() >= 1
    monkeypatch.setenv("SHOPASSIST_RANKER_WORKERS", "3")
    assert training_workers() == 3
    monkeypatch.setenv("SHOPASSIST_RANKER_WORKERS", "none")
    with pytest.raises(Exception, match="SHOPASSIST_RANKER_WORKERS"):
        training_workers()


def test_two_cuts_are_served_and_a_retailer_may_ask_for_one_from_the_environment(monkeypatch):
    from retrieval.ranking.ranker import ranker_fingerprint

    monkeypatch.delenv("SHOPASSIST_RANKER_CUTS", raising=False)
    served = RankerSettings.from_env()
    assert served.cuts == RankerSettings().cuts == 2
    monkeypatch.setenv("SHOPASSIST_RANKER_CUTS", "1")
    one = RankerSettings.from_env()
    assert one.cuts == 1
    # The setting is in the fingerprint: a one-cut model is stale for a two-cut build.
    assert ranker_fingerprint("d", {}, served, ("repeat",)) != ranker_fingerprint("d", {}, one, ("repeat",))
    monkeypatch.setenv("SHOPASSIST_RANKER_CUTS", "0")
    with pytest.raises(ConfigError, match="SHOPASSIST_RANKER_CUTS"):
        RankerSettings.from_env()


def test_a_shop_whose_baskets_do_not_reach_the_second_cut_trains_on_the_first(rhythm_catalogue, rhythm_vectors, caplog):
    # 45 days of baskets: the latest cut (a month before the end) has two weeks before it,
    # the second (two months before the end) has none.
    short = Baskets(rhythm_lines(days=45))
    fit = SourceFitter(rhythm_catalogue, rhythm_vectors, PARAMS, GraphParams(epochs=2))
    ids = rhythm_catalogue.ids
    prices = rhythm_catalogue.frame["price"].to_numpy(dtype=float)
    with caplog.at_level("WARNING", logger="retrieval.ranking.training"):
        model = train_ranker(short, fit, ids, prices, rhythm_vectors.matrix, "short", SETTINGS, workers=2)
    assert model.report["cuts"] == ["2024-01-14 00:00:00"]
    assert model.report["processes"] == 1
    assert set(model.boosters) == {"all", "new"}
    assert "training on 1 of the 2 inner cuts" in caplog.text
