"""Repeat purchases: the customer's own past items, most habitual first.

Pure by design: it never suggests anything the customer has not bought, so in the "new"
evaluation mode (past items excluded) it returns nothing and scores 0. `RepeatThenPopular`
pads the same list with popular items, which is what a deployed fallback would do.
"""

from __future__ import annotations

import math
from collections.abc import Collection

from ...baskets import Baskets
from ...products import Catalogue
from ..recommender import Recommender
from ..split import History
from .popularity import Popularity


class RepeatPurchases(Recommender):
    """Rank past items by basket frequency, then by recency.

    With `half_life_days=None` the rank is lexicographic: number of the customer's baskets
    holding the item, ties to the most recently bought. With a half-life, each past basket
    counts 0.5 ** (age / half_life) instead of 1, where age is measured in days back from the
    customer's latest basket: a habit that stopped long ago fades, a steady one stays on
    top. Remaining ties go to the more recent item, then the product id.
    """

    name = "repeat"

    def __init__(self, half_life_days: float | None = None) -> None:
        if half_life_days is not None and half_life_days <= 0:
            raise ValueError("half_life_days must be positive")
        self.half_life_days = half_life_days

    def fit(self, train: Baskets, catalogue: Catalogue) -> RepeatPurchases:
        return self  # nothing to learn: the history is the model

    def scores(self, history: History) -> dict[str, float]:
        if self.half_life_days is None:
            return {item: float(n) for item, n in history.counts.items()}
        end = history.end
        out: dict[str, float] = {}
        for basket in history.baskets:
            age = (end - basket.timestamp).total_seconds() / 86400.0
            weight = math.pow(0.5, age / self.half_life_days)
            for item in dict.fromkeys(basket.items):
                out[item] = out.get(item, 0.0) + weight
        return out

    def recommend(
        self, history: History, k: int, exclude: Collection[str] = frozenset()
    ) -> list[str]:
        scores = self.scores(history)
        last = history.last_seen
        skip = set(exclude)
        ranked = sorted(
            (item for item in scores if item not in skip),
            key=lambda item: (-scores[item], -last[item].timestamp(), item),
        )
        return ranked[:k]


class RepeatThenPopular(Recommender):
    """Repeat purchases first, then the most popular items not already listed."""

    name = "repeat+popular"

    def __init__(self, half_life_days: float | None = None) -> None:
        self.repeat = RepeatPurchases(half_life_days)
        self.popular = Popularity()

    def fit(self, train: Baskets, catalogue: Catalogue) -> RepeatThenPopular:
        self.repeat.fit(train, catalogue)
        self.popular.fit(train, catalogue)
        return self

    def recommend(
        self, history: History, k: int, exclude: Collection[str] = frozenset()
    ) -> list[str]:
        own = self.repeat.recommend(history, k, exclude)
        if len(own) == k:
            return own
        pad = self.popular.recommend(history, k, set(exclude) | set(own))
        return own + pad[: k - len(own)]
