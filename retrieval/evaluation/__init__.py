"""Offline evaluation: a fixed temporal split, ranking metrics and baseline recommenders.

Plug a recommender in by subclassing `Recommender` and either passing it to `evaluate`
or registering a factory with `register_recommender`. Tune on `validation_split(...)`.
"""

from .baselines import (
    ALS,
    BM25ItemKNN,
    CooccurrenceKNN,
    Popularity,
    RepeatPurchases,
    RepeatThenPopular,
)
from .cases import make_split, make_splits, mode_cases
from .recommender import Recommender
from .registry import EvalContext, available, create, register_recommender
from .results import MODES, EvalResults, ModeResult, Timing
from .runner import DEFAULT_KS, evaluate, run_evaluation
from .split import (
    EvalCase,
    History,
    Split,
    cut_for,
    rolling_splits,
    temporal_split,
    validation_split,
)

__all__ = [
    "ALS",
    "BM25ItemKNN",
    "CooccurrenceKNN",
    "DEFAULT_KS",
    "EvalCase",
    "EvalContext",
    "EvalResults",
    "History",
    "MODES",
    "ModeResult",
    "Popularity",
    "Recommender",
    "RepeatPurchases",
    "RepeatThenPopular",
    "Split",
    "Timing",
    "available",
    "create",
    "cut_for",
    "evaluate",
    "make_split",
    "make_splits",
    "mode_cases",
    "register_recommender",
    "rolling_splits",
    "run_evaluation",
    "temporal_split",
    "validation_split",
]
