"""TIFU-KNN as an evaluated peer: the model in `retrieval.recommend.tifu`, fitted on train.

Defaults are the paper's (Hu et al., SIGIR 2020): K = 300 neighbours, within-group decay
r_b = 0.9, group decay r_g = 0.7, alpha = 0.7, m = 7 groups. A test customer's history is
part of train, so the customer is excluded from their own neighbours (else the nearest
neighbour would be the customer, and the kNN part would only echo the repeat part).
Items are ranked by TIFU score; when fewer than k items score above zero (the customer's
items and their neighbours' run out, or the history holds no known item) the list is
padded with the most popular items, so every peer answers with k items where it can.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np

from ...baskets import Baskets
from ...products import Catalogue
from ...recommend.tifu import TifuModel, TifuParams
from ..recommender import Excludes, exclusions
from ..split import History
from .matrix import ItemSpace, ScoringRecommender


class PaddedScoringRecommender(ScoringRecommender):
    """A `ScoringRecommender` whose short lists are topped up with popular items."""

    def recommend_batch(self, histories: Sequence[History], k: int,
                        excludes: Excludes = None) -> list[list[str]]:
        excludes = exclusions(histories, excludes)
        lists = super().recommend_batch(histories, k, excludes)
        return [
            pad_with_popular(got, k, ex, self.space)
            for got, ex in zip(lists, excludes, strict=True)
        ]


def pad_with_popular(
    got: list[str], k: int, exclude: Collection[str], space: ItemSpace
) -> list[str]:
    """`got` followed by the most popular train items neither in it nor excluded, up to k."""
    if len(got) >= k:
        return got
    skip = set(got) | set(exclude)
    out = list(got)
    for item in space.ids:  # popularity order
        if item not in skip:
            out.append(item)
            if len(out) == k:
                break
    return out


class TifuKNN(PaddedScoringRecommender):
    """TIFU-KNN scores over the train items, padded with popular items."""

    name = "tifu-knn"

    def __init__(self, params: TifuParams = TifuParams()) -> None:  # noqa: B008 - frozen
        self.params = params
        self.model: TifuModel | None = None

    def fit(self, train: Baskets, catalogue: Catalogue) -> TifuKNN:
        self.space = ItemSpace.from_baskets(train)
        self.model = TifuModel(self.space.ids, self.params).fit(train)
        return self

    def score(self, histories: Sequence[History]) -> np.ndarray:
        if self.model is None:
            raise RuntimeError("fit the recommender before asking it to recommend")
        return self.model.scores_batch(
            [[b.items for b in h.baskets] for h in histories], [h.customer_id for h in histories]
        )
