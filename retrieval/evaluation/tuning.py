"""Tuning the hybrid's fusion weights on the validation split (never the test split).

Each source's list is computed once per validation customer; then a coordinate ascent over
a grid of weights re-fuses those cached lists, which makes each trial cost milliseconds per
thousand customers instead of a full recommendation pass. Two mixes are tuned: "default"
(mode all: buy-again allowed) and "discover" (mode new: owned items excluded).
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

from tqdm.auto import tqdm

from ..config import data_root
from ..dataset import Dataset
from ..recommend.fusion import FusionWeights, fuse
from ..recommend.loader import WEIGHTS_FILE, load_weights, weights_fingerprint
from ..recommend.vectors import ExactVectors
from ..storage import write_json_atomic
from .cases import make_split, mode_cases
from .hybrid import EVAL_RULE_PARAMS, HybridRecommender
from .metrics import ndcg_at_k, recall_at_k

log = logging.getLogger(__name__)

GRID = (0.0, 0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0)
MODE_TO_MIX = {"all": "default", "new": "discover"}


@dataclass
class TuningResult:
    weights: dict[str, FusionWeights]
    validation: dict[
        str, dict[str, float]
    ]  # mix -> {"ndcg@10": .., "recall@10": ..} at the optimum
    start: dict[str, dict[str, float]]  # the same figures for the untuned defaults
    seconds: float

    def save(self, root: str | os.PathLike[str] | None = None, fingerprint: str = "") -> Path:
        path = data_root(root) / WEIGHTS_FILE
        data = {
            "dataset": fingerprint,
            "weights": {m: w.to_dict() for m, w in self.weights.items()},
            "validation": self.validation,
            "untuned": self.start,
            "seconds": self.seconds,
            "note": "tuned on the validation split (test period removed); objective ndcg@10 + recall@10",
        }
        # Serving reads this file at every start: never half of it.
        write_json_atomic(path, data)
        return path


def _score(cached, weights: FusionWeights, k: int) -> dict[str, float]:
    ndcg = recall = 0.0
    for lists, target in cached:
        ranked = [f.product_id for f in fuse(lists, weights, k)]
        ndcg += ndcg_at_k(ranked, target, k)
        recall += recall_at_k(ranked, target, k)
    n = max(1, len(cached))
    return {f"ndcg@{k}": ndcg / n, f"recall@{k}": recall / n}


def _objective(scores: dict[str, float]) -> float:
    return sum(scores.values())


def tune_fusion(
    dataset: Dataset,
    vectors: ExactVectors,
    *,
    k: int = 10,
    rounds: int = 2,
    max_users: int | None = 2000,
) -> TuningResult:
    started = time.perf_counter()
    split = make_split(dataset, "validation")
    hybrid = HybridRecommender(vectors).fit(split.train, dataset.catalogue)
    retriever = hybrid.retriever
    assert retriever is not None  # fit sets it
    tuned, figures, start_figures = {}, {}, {}
    for mode, mix in MODE_TO_MIX.items():
        histories, targets, excludes = mode_cases(split, mode)
        step = max(1, len(histories) // max_users) if max_users else 1
        cases = list(zip(histories, targets, excludes, strict=True))[::step]
        cached = []
        for history, target, exclude in tqdm(
            cases, desc=f"sources ({mode})", leave=False, disable=None
        ):
            request = hybrid.request(history, k, exclude)
            cached.append((retriever.source_lists(request, k * 3), set(target)))
        best = FusionWeights()
        best_scores = _score(cached, best, k)
        start_figures[mix] = best_scores
        names = [
            f.name for f in fields(FusionWeights) if not (mode == "new" and f.name == "repeat")
        ]
        for _ in range(rounds):
            for name in names:
                for value in GRID:
                    trial = replace(best, **{name: value})
                    scores = _score(cached, trial, k)
                    if _objective(scores) > _objective(best_scores) + 1e-9:
                        best, best_scores = trial, scores
        tuned[mix], figures[mix] = best, best_scores
        log.info(
            "tuned %s mix on %d validation users: %s -> %s",
            mix,
            len(cached),
            asdict(best),
            best_scores,
        )
    return TuningResult(tuned, figures, start_figures, round(time.perf_counter() - started, 1))


def tuned_weights(
    dataset: Dataset, vectors: ExactVectors, root: str | os.PathLike[str] | None = None
) -> dict[str, FusionWeights]:
    """Saved weights for this dataset, or tune them on its validation split now and save them."""
    # Tied to the rule settings they were tuned with too: serving with other settings
    # (the saved rules' own) must not pick these weights up.
    fingerprint = weights_fingerprint(dataset, EVAL_RULE_PARAMS)
    saved = load_weights(root, fingerprint)
    if saved:
        return saved
    result = tune_fusion(dataset, vectors)
    result.save(root, fingerprint)
    return result.weights
