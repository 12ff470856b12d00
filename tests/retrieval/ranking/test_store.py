"""The served ranker and graph files: replaced atomically, no temp files left beside them."""

from __future__ import annotations

import json

import numpy as np
import pytest

from retrieval.ranking.model import RankerModel
from retrieval.ranking.store import (
    drop_other_graphs,
    graph_path,
    load_graph,
    load_ranker,
    save_graph,
    save_ranker,
)
from retrieval.recommend.graph import GraphModel

FEATURES = ["a", "b", "c"]


def _model(fingerprint: str, seed: int) -> RankerModel:
    import lightgbm as lgb

    rng = np.random.default_rng(seed)
    x, y = rng.random((200, 3)), rng.random(200)
    booster = lgb.train({"objective": "regression", "verbosity": -1, "num_threads": 1}, lgb.Dataset(x, y), 5)
    return RankerModel(FEATURES, fingerprint, {"all": booster}, {"seed": seed})


def test_saving_replaces_the_model_whole_and_leaves_only_its_file(tmp_path):
    save_ranker(_model("fp", 1), tmp_path)
    newer = _model("fp", 2)
    path = save_ranker(newer, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ranker.json"] and path == tmp_path / "ranker.json"
    loaded = load_ranker(tmp_path, "fp", FEATURES)
    assert loaded is not None and loaded.report == {"seed": 2}
    x = np.random.default_rng(0).random((4, 3))
    np.testing.assert_allclose(loaded.predict("all", x), newer.predict("all", x))


def test_a_save_that_fails_keeps_the_old_model(tmp_path):
    save_ranker(_model("old", 1), tmp_path)
    broken = _model("new", 2)
    broken.report = {"not json": object()}
    with pytest.raises(TypeError):
        save_ranker(broken, tmp_path)
    assert json.loads((tmp_path / "ranker.json").read_text())["fingerprint"] == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ranker.json"]


def test_graph_files_are_written_whole_under_their_own_name(tmp_path):
    graph = GraphModel(dim=4)
    path = save_graph(graph, tmp_path, "fp1")
    save_graph(GraphModel(dim=4), tmp_path, "fp2")
    assert path == graph_path(tmp_path, "fp1")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph-fp1.npz", "graph-fp2.npz"]
    loaded = load_graph(tmp_path, "fp1")
    assert loaded is not None and loaded.params == graph.params
    drop_other_graphs(tmp_path, "fp2")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph-fp2.npz"]
