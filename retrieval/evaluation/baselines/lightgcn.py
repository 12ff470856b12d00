"""LightGCN as an evaluated peer: the graph model of `retrieval.recommend.graph`.

Items are the train items in popularity order (the shared `ItemSpace`), so exact score
ties, including a history with no known item (every score 0), fall to the more popular
item: the list is padded with popularity, and a batch ranks exactly as one customer at a
time does. A test customer seen in train is scored with their own final embedding; anyone
else is folded in from their history's items (see `GraphModel.user_vector`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ...baskets import Baskets
from ...products import Catalogue
from ...recommend.graph import GraphModel, GraphParams
from ..split import History
from .matrix import ItemSpace, ScoringRecommender


class LightGCN(ScoringRecommender):
    """BPR-trained LightGCN on the customer-item graph (defaults: `GraphParams`)."""

    name = "lightgcn"
    positive_only = False  # dot products can be negative and still rank

    def __init__(self, params: GraphParams | None = None, **overrides: object) -> None:
        self._params, self._overrides = params, overrides
        self.model: GraphModel | None = None

    def fit(self, train: Baskets, catalogue: Catalogue) -> LightGCN:
        self.space = ItemSpace.from_baskets(train)
        self.model = GraphModel(self._params, **self._overrides).fit(train, self.space.ids)
        return self

    def score(self, histories: Sequence[History]) -> np.ndarray:
        if self.model is None:
            raise RuntimeError("fit the recommender before asking it to recommend")
        return self.model.scores_batch([(h.items, h.customer_id) for h in histories])
