"""Peers from the `implicit` package (an optional dependency: `pip install shopassist[eval]`).

Both fit on a customers x items matrix built from the train baskets, whose entries are
the number of the customer's baskets containing the item. At recommend time the
customer's row is rebuilt from their `History`, so a model never reads anything after
the cut, and a customer unseen in train still gets a list.

- `BM25ItemKNN` ranks with implicit's own `recommend`. Per-customer exclusions are applied
  after asking for k + |exclude| items, because implicit's `filter_items` is shared by
  every user in a batch.
- `ALS` scores user factors x item factors itself and ranks with the shared `top_k`: exact
  ties (e.g. a history with no known item, whose factors are all zero) then fall to the
  more popular item, and a batch ranks exactly as one customer at a time does.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np
from scipy import sparse

from ...baskets import Baskets
from ...products import Catalogue
from ..recommender import BatchRecommender, Excludes, exclusions
from ..split import History
from .matrix import BATCH, ItemSpace, ScoringRecommender

log = logging.getLogger(__name__)


def _threadpool_limits():
    try:
        import implicit  # noqa: F401
        from threadpoolctl import threadpool_limits
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "the implicit baselines need the eval extra: pip install 'shopassist[eval]'"
        ) from exc
    return threadpool_limits


class _ImplicitModel(Protocol):
    """What `_fit` calls on an implicit model (implicit ships no annotations)."""

    def fit(self, user_items: sparse.csr_matrix, show_progress: bool = True) -> None: ...


def _fit(make_model: Callable[[], _ImplicitModel], train: Baskets):
    """Build the item space and customer rows from `train`, fit a fresh implicit model."""
    space = ItemSpace.from_baskets(train)
    customers, matrix = space.user_matrix(train)
    # implicit runs its own threads; BLAS threads on top of them thrash (implicit warns).
    with _threadpool_limits()(1, "blas"), warnings.catch_warnings():
        # BM25Recommender hands its own COO matrix to its fit and warns about it.
        warnings.filterwarnings("ignore", message="Method expects CSR input")
        model = make_model()
        model.fit(matrix, show_progress=False)
    log.debug("fitted %s on %d customers x %d items", type(model).__name__, *matrix.shape)
    return space, {c: i for i, c in enumerate(customers)}, model


class BM25ItemKNN(BatchRecommender):
    """`implicit.nearest_neighbours.BM25Recommender`: item-item kNN on BM25-weighted counts.

    K1 and B are implicit's defaults; 100 neighbours instead of its 20 were chosen on the
    validation split (NDCG@10 all / new: K=20 0.266 / 0.102, K=100 0.282 / 0.105).
    """

    name = "bm25-knn"

    def __init__(
        self, neighbours: int = 100, k1: float = 1.2, b: float = 0.75, threads: int = 1
    ) -> None:
        self.neighbours, self.k1, self.b, self.threads = neighbours, k1, b, threads
        self.model = None
        self.space: ItemSpace | None = None

    def fit(self, train: Baskets, catalogue: Catalogue) -> BM25ItemKNN:
        from implicit.nearest_neighbours import BM25Recommender

        def make():
            return BM25Recommender(
                K=self.neighbours, K1=self.k1, B=self.b, num_threads=self.threads
            )

        self.space, _, self.model = _fit(make, train)
        return self

    def recommend_batch(self, histories: Sequence[History], k: int,
                        excludes: Excludes = None) -> list[list[str]]:
        if self.model is None or self.space is None:
            raise RuntimeError("fit the recommender before asking it to recommend")
        excludes = exclusions(histories, excludes)
        out: list[list[str]] = []
        for start in range(0, len(histories), BATCH):
            hs = histories[start : start + BATCH]
            exs = [set(self.space.columns(e)) for e in excludes[start : start + BATCH]]
            rows = self.space.history_matrix(hs, binary=False)
            n = min(k + max((len(e) for e in exs), default=0), len(self.space))
            # The user ids are not read: item-kNN scores straight from the rows given.
            ids, _ = self.model.recommend(
                np.arange(len(hs)), rows, N=n, filter_already_liked_items=False
            )
            out.extend(
                [self.space.ids[c] for c in row if c >= 0 and c not in ex][:k]
                for row, ex in zip(np.atleast_2d(ids).tolist(), exs, strict=True)
            )
        return out


class ALS(ScoringRecommender):
    """`implicit.cpu.als.AlternatingLeastSquares`, seeded, CPU, a few iterations.

    64 factors (validation NDCG@10 all / new: 32 0.253 / 0.098, 64 0.272 / 0.099,
    128 0.271 / 0.094); regularisation and 5-30 iterations barely move it.
    """

    name = "als"
    positive_only = False  # factor scores can be negative and still rank

    def __init__(
        self,
        factors: int = 64,
        iterations: int = 15,
        regularization: float = 0.05,
        alpha: float = 1.0,
        seed: int = 0,
        threads: int = 1,
    ) -> None:
        self.factors, self.iterations = factors, iterations
        self.regularization, self.alpha, self.seed = regularization, alpha, seed
        self.threads = threads
        self.model = None
        self.user_index: dict[str, int] = {}

    def fit(self, train: Baskets, catalogue: Catalogue) -> ALS:
        # The CPU class directly: the factory picks the GPU build where one exists, and
        # GPU results would not match CPU runs.
        from implicit.cpu.als import AlternatingLeastSquares

        def make():
            return AlternatingLeastSquares(
                factors=self.factors,
                regularization=self.regularization,
                alpha=self.alpha,
                iterations=self.iterations,
                random_state=self.seed,
                num_threads=self.threads,
            )

        self.space, self.user_index, self.model = _fit(make, train)
        return self

    def score(self, histories: Sequence[History]) -> np.ndarray:
        if self.model is None:
            raise RuntimeError("fit the recommender before asking it to recommend")
        users = np.zeros((len(histories), self.model.factors), dtype=np.float64)
        known = np.array([h.customer_id in self.user_index for h in histories], dtype=bool)
        if known.any():
            rows = [
                self.user_index[h.customer_id] for h, ok in zip(histories, known, strict=True) if ok
            ]
            users[known] = self.model.user_factors[rows]
        if (~known).any():
            # Unseen customer: solve their factors from the history row, items fixed.
            strangers = [h for h, ok in zip(histories, known, strict=True) if not ok]
            rows = sparse.csr_matrix(self.space.history_matrix(strangers, binary=False))
            with _threadpool_limits()(1, "blas"):
                users[~known] = self.model.recalculate_user(np.arange(len(strangers)), rows)
        return users @ np.asarray(self.model.item_factors, dtype=np.float64).T
