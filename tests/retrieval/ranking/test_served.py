"""`shopassist build` trains the ranker; serving uses it only while it fits the data and rules."""

from __future__ import annotations

import logging

import pandas as pd
import pytest

from assistant.cli import main
from retrieval.baskets import Baskets
from retrieval.dataset import Dataset
from retrieval.recommend.loader import open_retriever

from .conftest import START, rhythm_lines
from .test_ranker import shopper

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built(tmp_path_factory, rhythm_catalogue):
    # 130 days, so the served inner cut (three months before the end) has two months before it.
    home = tmp_path_factory.mktemp("served")
    folder = home / "source"
    Dataset(rhythm_catalogue, Baskets(rhythm_lines(days=130, shoppers=140))).save(folder)
    assert main(["build", "--dataset", str(folder), "--home", str(home), "--min-support", "0.01",
                 "--device", "cpu"]) == 0
    return home


def test_build_trains_the_ranker_and_serving_uses_it(built, capsys):
    retriever = open_retriever(built)
    assert retriever.ranker is not None
    assert (built / "ranker.json").exists() and list(built.glob("graph-*.npz"))
    due = retriever.recommend(history=shopper(35), k=5, now=START + pd.Timedelta(days=35))
    assert due.ids[0] == "S0" and due.candidates[0].role == "buy again"
    assert due.candidates[0].evidence[0].text.startswith("you buy this about every 7 days")
    # A second build of the same data and rules keeps the model.
    assert main(["build", "--home", str(built), "--min-support", "0.01", "--device", "cpu"]) == 0
    assert "learned ranker up to date" in capsys.readouterr().out


def test_other_rule_settings_make_the_model_stale_and_the_fusion_answers(built, caplog):
    # Rules re-mined with another support: the saved model was trained with the old ones.
    assert main(["build", "--home", str(built), "--min-support", "0.02", "--no-ranker", "--device", "cpu"]) == 0
    with caplog.at_level(logging.INFO):
        retriever = open_retriever(built)
    assert retriever.ranker is None
    assert "fusion" in caplog.text
    fused = retriever.recommend(history=shopper(35), k=5, now=START + pd.Timedelta(days=35))
    assert len(fused) == 5
    # Building again with those settings trains a model that fits them.
    assert main(["build", "--home", str(built), "--min-support", "0.02", "--device", "cpu"]) == 0
    assert open_retriever(built).ranker is not None
