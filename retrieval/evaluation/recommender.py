"""The one base class every evaluated recommender implements.

A recommender is fitted on the train baskets of a split (never anything after the cut) and
the catalogue, then asked for a ranked list per customer given that customer's `History`.
Implement `fit` and `recommend`; override `recommend_batch` when scoring many customers at
once is faster (matrix models). The hybrid recommender plugs in the same way: subclass,
then register a factory in `registry.py`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Sequence

from tqdm.auto import tqdm

from ..baskets import Baskets
from ..products import Catalogue
from .split import History

# Per history, the items its list must leave out (None: nothing excluded).
Excludes = Sequence[Collection[str]] | None


class Recommender(ABC):
    """Ranks items for a customer from their purchase history."""

    #: Short name used in tables, JSON and `--only`; instances may override it.
    name: str = "recommender"

    @abstractmethod
    def fit(self, train: Baskets, catalogue: Catalogue) -> Recommender:
        """Learn from `train` (baskets before the cut only); return self."""

    @abstractmethod
    def recommend(
        self, history: History, k: int, exclude: Collection[str] = frozenset()
    ) -> list[str]:
        """Up to `k` distinct product ids, best first, none of them in `exclude`."""

    def recommend_batch(self, histories: Sequence[History], k: int,
                        excludes: Excludes = None) -> list[list[str]]:
        """One list per history; the default loops over `recommend`."""
        excludes = exclusions(histories, excludes)
        return [
            self.recommend(h, k, ex)
            for h, ex in tqdm(
                list(zip(histories, excludes, strict=True)),
                desc=self.name,
                unit="user",
                leave=False,
                disable=True if len(histories) < 500 else None,  # None: off unless a TTY
            )
        ]

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


class BatchRecommender(Recommender):
    """A recommender that scores whole batches (matrix models): implement `recommend_batch`;
    one customer is a batch of one, so both calls always agree."""

    def recommend(
        self, history: History, k: int, exclude: Collection[str] = frozenset()
    ) -> list[str]:
        return self.recommend_batch([history], k, [exclude])[0]

    @abstractmethod
    def recommend_batch(self, histories: Sequence[History], k: int,
                        excludes: Excludes = None) -> list[list[str]]: ...


def exclusions(histories: Sequence[History], excludes: Excludes) -> Sequence[Collection[str]]:
    """`excludes` (nothing excluded when None), checked to hold one set per history."""
    excludes = excludes if excludes is not None else [frozenset()] * len(histories)
    if len(histories) != len(excludes):
        raise ValueError(f"{len(histories)} histories but {len(excludes)} exclude sets")
    return excludes
