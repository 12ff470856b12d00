"""Recommenders by name, so `shopassist eval --only NAMES` and the runner find them.

A factory takes no argument and returns an unfitted `Recommender`; the runner fits it on the
split's train part. To add one (the hybrid, rules-only, semantic-only):

    from retrieval.evaluation import register_recommender
    register_recommender("hybrid", lambda: HybridRecommender(...))

Registration must happen before `available()` is read, e.g. from a module that
`registry.py` imports at the bottom, or by the caller before `run_evaluation`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ..errors import ConfigError
from .recommender import Recommender

Factory = Callable[[], Recommender]

_FACTORIES: dict[str, Factory] = {}


def register_recommender(name: str, factory: Factory, *, replace: bool = False) -> None:
    """Make `factory` available under `name` (its instances are renamed to `name`)."""
    if name in _FACTORIES and not replace:
        raise ValueError(f"a recommender named {name!r} is already registered")
    _FACTORIES[name] = factory


def available() -> list[str]:
    """Registered names, in registration order (the order tables list them)."""
    return list(_FACTORIES)


def create(names: Iterable[str] | None = None) -> dict[str, Recommender]:
    """Fresh unfitted recommenders for `names` (all registered ones when None)."""
    chosen = list(names) if names is not None else available()
    unknown = [n for n in chosen if n not in _FACTORIES]
    if unknown:
        raise ConfigError(
            f"unknown recommender(s) {', '.join(unknown)}; choose from {', '.join(available())}"
        )
    out: dict[str, Recommender] = {}
    for name in chosen:
        rec = _FACTORIES[name]()
        rec.name = name
        out[name] = rec
    return out


def _register_baselines() -> None:
    from .baselines import (
        ALS,
        BM25ItemKNN,
        CooccurrenceKNN,
        Popularity,
        RepeatPurchases,
        RepeatThenPopular,
    )

    register_recommender("popularity", Popularity)
    register_recommender("repeat", RepeatPurchases)
    register_recommender("repeat+popular", RepeatThenPopular)
    register_recommender("cooc-knn", CooccurrenceKNN)
    register_recommender("bm25-knn", BM25ItemKNN)
    register_recommender("als", ALS)


_register_baselines()
