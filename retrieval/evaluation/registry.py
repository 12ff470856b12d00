"""Recommenders by name, so `shopassist eval --only NAMES` and the runner find them.

A factory takes an `EvalContext` (the dataset being evaluated, the data root and a cache
shared by every factory of one run) and returns an unfitted `Recommender`; the runner fits
it on the split's train part. Factories run only for the names chosen, so a heavy one
(the hybrid encoding the catalogue) costs nothing when it is left out. To add one:

    from retrieval.evaluation import register_recommender

    def hybrid(ctx):
        vectors = ctx.shared("vectors", lambda: catalogue_vectors(ctx.dataset.catalogue, ctx.home))
        return HybridRecommender(vectors)

    register_recommender("hybrid", hybrid)

Registration must happen before `available()` is read: add the call to `_register_all`
at the bottom of this module (where the baselines are registered).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..dataset import Dataset
from ..errors import ConfigError
from .recommender import Recommender


@dataclass
class EvalContext:
    """What a factory may need beyond its own parameters."""

    dataset: Dataset | None = None
    home: Path | None = None
    cache: dict[str, Any] = field(default_factory=dict)

    def shared(self, key: str, build: Callable[[], Any]) -> Any:
        """`build()` once per run, so several factories can share a heavy object."""
        if key not in self.cache:
            self.cache[key] = build()
        return self.cache[key]


Factory = Callable[[EvalContext], Recommender]

_FACTORIES: dict[str, Factory] = {}


def register_recommender(name: str, factory: Factory, *, replace: bool = False) -> None:
    """Make `factory` available under `name` (its instances are renamed to `name`)."""
    if name in _FACTORIES and not replace:
        raise ValueError(f"a recommender named {name!r} is already registered")
    _FACTORIES[name] = factory


def available() -> list[str]:
    """Registered names, in registration order (the order tables list them)."""
    return list(_FACTORIES)


def create(
    names: Iterable[str] | None = None, context: EvalContext | None = None
) -> dict[str, Recommender]:
    """Fresh unfitted recommenders for `names` (all registered ones when None)."""
    chosen = list(names) if names is not None else available()
    unknown = [n for n in chosen if n not in _FACTORIES]
    if unknown:
        raise ConfigError(
            f"unknown recommender(s) {', '.join(unknown)}; choose from {', '.join(available())}"
        )
    context = context if context is not None else EvalContext()
    out: dict[str, Recommender] = {}
    for name in chosen:
        rec = _FACTORIES[name](context)
        rec.name = name
        out[name] = rec
    return out


def _register_all() -> None:
    from .baselines import (
        ALS,
        EASE,
        BM25ItemKNN,
        CooccurrenceKNN,
        LightGCN,
        Popularity,
        RepeatPurchases,
        RepeatThenPopular,
        TifuKNN,
    )

    # Baselines need no context: their defaults are the documented, validation-chosen ones.
    for name, cls in (
        ("popularity", Popularity),
        ("repeat", RepeatPurchases),
        ("repeat+popular", RepeatThenPopular),
        ("cooc-knn", CooccurrenceKNN),
        ("bm25-knn", BM25ItemKNN),
        ("als", ALS),
        ("tifu-knn", TifuKNN),
        ("ease", EASE),
        ("lightgcn", LightGCN),
    ):
        register_recommender(name, _baseline(cls))

    # The shop's own recommender and its one-source variants share the vectors and weights.
    register_recommender("rules-only", lambda ctx: _hybrid(ctx, "rules-only"))
    register_recommender("semantic-only", lambda ctx: _hybrid(ctx, "semantic-only"))
    register_recommender("fusion", lambda ctx: _hybrid(ctx, "fusion"))
    register_recommender("hybrid", lambda ctx: _hybrid(ctx, "hybrid"))


def _baseline(cls: type[Recommender]) -> Factory:
    """A factory of `cls` with its defaults."""

    def factory(ctx: EvalContext) -> Recommender:
        return cls()

    return factory


def _hybrid(ctx: EvalContext, variant: str) -> Recommender:
    from ..ranking.ranker import RankerSettings
    from .hybrid import RULES_ONLY, SEMANTIC_ONLY, HybridRecommender, catalogue_vectors
    from .tuning import tuned_weights

    if ctx.dataset is None:
        raise ConfigError("the hybrid recommenders need the dataset in the evaluation context")
    dataset = ctx.dataset
    vectors = ctx.shared("vectors", lambda: catalogue_vectors(dataset.catalogue, ctx.home))
    if variant == "rules-only":
        return HybridRecommender(vectors, RULES_ONLY, RULES_ONLY)
    if variant == "semantic-only":
        return HybridRecommender(vectors, SEMANTIC_ONLY, SEMANTIC_ONLY)
    if variant == "hybrid":
        # What serving answers personal recommendations with: the learned ranker over every
        # source (trained inside the split's train part, both modes, so no fusion weights).
        return HybridRecommender(vectors, ranker=RankerSettings())
    # "fusion": the tuned weighted sum alone, the reference the ranker replaced.
    weights = ctx.shared("fusion", lambda: tuned_weights(dataset, vectors, ctx.home))
    return HybridRecommender(vectors, weights.get("default"), weights.get("discover"))


_register_all()
