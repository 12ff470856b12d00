"""Fusion weights tuned by `shopassist eval` are only served with the rule settings they were tuned with."""

from __future__ import annotations

from retrieval.baskets import Baskets
from retrieval.dataset import Dataset
from retrieval.evaluation.hybrid import EVAL_RULE_PARAMS
from retrieval.evaluation.tuning import TuningResult
from retrieval.recommend.fusion import FusionWeights
from retrieval.recommend.loader import load_weights, weights_fingerprint
from retrieval.rules import MiningParams

from .conftest import rhythm_lines


def test_weights_tuned_for_other_rule_settings_or_data_are_not_served(tmp_path, rhythm_catalogue):
    dataset = Dataset(rhythm_catalogue, Baskets(rhythm_lines(days=10, shoppers=5)))
    tuned = {"default": FusionWeights(repeat=2.0), "discover": FusionWeights(rules=1.5)}
    TuningResult(tuned, {}, {}, 1.0).save(tmp_path, weights_fingerprint(dataset, EVAL_RULE_PARAMS))
    assert load_weights(tmp_path, weights_fingerprint(dataset, EVAL_RULE_PARAMS)) == tuned
    # The served rules (the build's own settings) differ from the evaluation's: no weights.
    assert load_weights(tmp_path, weights_fingerprint(dataset, MiningParams())) == {}
    other = Dataset(rhythm_catalogue, Baskets(rhythm_lines(days=11, shoppers=5)))
    assert load_weights(tmp_path, weights_fingerprint(other, EVAL_RULE_PARAMS)) == {}
