"""Popularity: the same list for everyone, items ranked by how many train baskets hold them."""

from __future__ import annotations

from collections.abc import Collection

from ...baskets import Baskets
from ...products import Catalogue
from ..recommender import Recommender
from ..split import History
from .matrix import popularity


class Popularity(Recommender):
    """Most-bought items first (count of distinct train baskets; ties by product id)."""

    name = "popularity"

    def __init__(self) -> None:
        self.ranking: list[str] = []

    def fit(self, train: Baskets, catalogue: Catalogue) -> Popularity:
        self.ranking = popularity(train).index.tolist()
        return self

    def recommend(
        self, history: History, k: int, exclude: Collection[str] = frozenset()
    ) -> list[str]:
        skip = set(exclude)
        out: list[str] = []
        for item in self.ranking:
            if item not in skip:
                out.append(item)
                if len(out) == k:
                    break
        return out
