"""The learned ranker: one LightGBM LambdaRank model per mode, saved as text with its fingerprint.

Mode "all" ranks with buy-again allowed; mode "new" ranks when the shopper's own items are
excluded. A model is only ever used with the exact feature names and fingerprint it was
trained with; anything else is refused by the loader (see `serving.py`).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..storage import write_text_atomic

log = logging.getLogger(__name__)

MODES = ("all", "new")

PARAMS: dict[str, Any] = {
    "objective": "lambdarank",
    "metric": "ndcg",
    "eval_at": [10],
    # Small trees for mode "all": SHAP contributions cost grows with the leaves, and a
    # ranked request computes them for every product it shows. On the bundled training
    # rows (held-out NDCG@10 all / new; predict 275 rows + SHAP 10 rows, ms, all / new):
    # 15 leaves at 0.05: 0.339 / 0.177, 4.2 / 6.1 ms; 7 leaves at 0.1: 0.339 / 0.173,
    # 1.7 / 0.7 ms. Mode "new" keeps the larger trees (MODE_PARAMS), which it reads for
    # fewer requests: across three evaluations its NDCG@10 moved within run-to-run noise
    # (bundled 0.0928-0.0948, Complete Journey 0.0184-0.0196) whichever trees it had.
    "learning_rate": 0.1,
    "num_leaves": 7,
    "min_data_in_leaf": 50,
    "lambda_l2": 10.0,
    "feature_fraction": 0.7,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambdarank_truncation_level": 20,
    "verbosity": -1,
    "seed": 7,
    "deterministic": True,
    "force_row_wise": True,
}


MODE_PARAMS: dict[str, dict[str, Any]] = {"new": {"learning_rate": 0.05, "num_leaves": 15}}


@dataclass
class TrainingData:
    """Rows for one mode: features, 0/1 labels, and group sizes (one group per shopper)."""

    features: np.ndarray
    labels: np.ndarray
    groups: list[int]
    shoppers: int = 0
    recall: float = 0.0  # share of target items that made it into the candidate sets

    @classmethod
    def concat(cls, parts: list[TrainingData]) -> TrainingData:
        shoppers = sum(p.shoppers for p in parts)
        recall = sum(p.recall * p.shoppers for p in parts) / max(1, shoppers)
        return cls(np.vstack([p.features for p in parts]), np.concatenate([p.labels for p in parts]),
                   [g for p in parts for g in p.groups], shoppers, recall)


@dataclass
class RankerModel:
    feature_names: list[str]
    fingerprint: str
    boosters: dict[str, Any] = field(default_factory=dict)  # mode -> lightgbm.Booster
    report: dict[str, Any] = field(default_factory=dict)

    def has(self, mode: str) -> bool:
        return mode in self.boosters

    def predict(self, mode: str, features: np.ndarray) -> np.ndarray:
        return self.boosters[mode].predict(features, num_threads=1)

    def contributions(self, mode: str, features: np.ndarray) -> np.ndarray:
        """Per-feature contributions (SHAP values; the last column is the bias)."""
        return self.boosters[mode].predict(features, pred_contrib=True, num_threads=1)

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the model as one JSON file, atomically (a reader sees the old or the new)."""
        data = {
            "fingerprint": self.fingerprint,
            "feature_names": self.feature_names,
            "report": self.report,
            "models": {m: b.model_to_string() for m, b in self.boosters.items()},
        }
        return write_text_atomic(path, json.dumps(data))

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> RankerModel:
        import lightgbm as lgb

        data = json.loads(Path(path).read_text())
        boosters = {m: lgb.Booster(model_str=s) for m, s in data["models"].items()}
        return cls(data["feature_names"], data["fingerprint"], boosters, data.get("report", {}))


# One thread: on the shared 2-core machine LightGBM with 2 threads took 46.9 s where 1 took
# 17.8 s (88k rows, 300 rounds; bench/bench_ranker.py notes).
def fit_booster(data: TrainingData, rounds: int = 300, threads: int = 1, mode: str = "all",
                seed: int | None = None):
    """LambdaRank on `data`, early-stopped on a held-out fifth of the shoppers when there are
    enough of them for the held-out NDCG to mean something (else all `rounds` are run);
    `seed` (default PARAMS') picks the held-out fifth and LightGBM's own sampling."""
    import lightgbm as lgb

    groups = np.asarray(data.groups)
    starts = np.r_[0, np.cumsum(groups)]
    seed = PARAMS["seed"] if seed is None else seed
    rng = np.random.default_rng(seed)
    held = rng.random(len(groups)) < 1 / 5
    if held.sum() < 100:  # too few held-out shoppers to stop on: run every round
        held[:] = False
    def rows(which):
        return np.concatenate([np.arange(starts[i], starts[i + 1]) for i in np.flatnonzero(which)] or [np.zeros(0, int)])
    params = {**PARAMS, **MODE_PARAMS.get(mode, {}), "num_threads": threads, "seed": seed}
    train_rows = rows(~held)
    train = lgb.Dataset(data.features[train_rows], data.labels[train_rows], group=groups[~held],
                        free_raw_data=False)
    sets = [train]
    callbacks: list[Callable[..., Any]] = []  # lightgbm's own type for them
    if held.any():
        valid_rows = rows(held)
        sets.append(lgb.Dataset(data.features[valid_rows], data.labels[valid_rows], group=groups[held],
                                reference=train))
        callbacks.append(lgb.early_stopping(40, verbose=False))
    booster = lgb.train(params, train, num_boost_round=rounds, valid_sets=sets[1:] or None,
                        callbacks=callbacks)
    log.info("ranker: %d rounds on %d shoppers (%d rows)", booster.current_iteration(),
             int((~held).sum()), len(train_rows))
    return booster
