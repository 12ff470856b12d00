"""Peers from the `implicit` package (an optional dependency: `pip install shopassist[eval]`).

Both fit on a customers x items matrix built from the train baskets, whose entries are
the number of the customer's baskets containing the item. At recommend time the
customer's history row is rebuilt from their `History`, so a model never reads anything
after the cut. Per-customer exclusions are applied after asking implicit for
k + |exclude| items, because implicit's own `filter_items` is shared by every user.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence

import numpy as np
from scipy import sparse

from ...baskets import Baskets
from ...products import Catalogue
from ..recommender import Recommender, _check_lengths
from ..split import History
from .matrix import BATCH, ItemSpace

log = logging.getLogger(__name__)


def _implicit():
    try:
        import implicit  # noqa: F401
        from threadpoolctl import threadpool_limits
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "the implicit baselines need the eval extra: pip install 'shopassist[eval]'"
        ) from exc
    return threadpool_limits


class _ImplicitRecommender(Recommender):
    """Shared fit/recommend plumbing; subclasses build the model in `make_model`."""

    #: Recompute a user's factors from their history row (needed by factor models for
    #: customers the model was not trained on).
    needs_user_factors = False

    def __init__(self, threads: int = 1) -> None:
        self.threads = threads
        self.model = None
        self.space: ItemSpace | None = None
        self.user_index: dict[str, int] = {}

    def make_model(self):
        raise NotImplementedError

    def fit(self, train: Baskets, catalogue: Catalogue) -> _ImplicitRecommender:
        threadpool_limits = _implicit()
        self.space = ItemSpace.from_baskets(train)
        customers, matrix = self.space.user_matrix(train)
        self.user_index = {c: i for i, c in enumerate(customers)}
        self.model = self.make_model()
        # implicit runs its own threads; BLAS threads on top of them thrash (implicit warns).
        with threadpool_limits(1, "blas"):
            self.model.fit(matrix, show_progress=False)
        log.debug("%s fitted on %d customers x %d items", self.name, *matrix.shape)
        return self

    def recommend(
        self, history: History, k: int, exclude: Collection[str] = frozenset()
    ) -> list[str]:
        return self.recommend_batch([history], k, [exclude])[0]

    def recommend_batch(
        self,
        histories: Sequence[History],
        k: int,
        excludes: Sequence[Collection[str]] | None = None,
    ) -> list[list[str]]:
        if self.model is None or self.space is None:
            raise RuntimeError("fit the recommender before asking it to recommend")
        excludes = excludes if excludes is not None else [frozenset()] * len(histories)
        _check_lengths(histories, excludes)
        out: list[list[str]] = []
        for start in range(0, len(histories), BATCH):
            hs = histories[start : start + BATCH]
            exs = [set(self.space.columns(e)) for e in excludes[start : start + BATCH]]
            out.extend(self._batch(hs, exs, k))
        return out

    def _batch(self, histories: Sequence[History], excludes: list[set[int]], k: int):
        threadpool_limits = _implicit()
        rows = self.space.history_matrix(histories, binary=False)
        n = min(k + max((len(e) for e in excludes), default=0), len(self.space))
        ids = np.full((len(histories), n), -1, dtype=np.int64)
        known = np.array([h.customer_id in self.user_index for h in histories])
        with threadpool_limits(1, "blas"):
            for mask, recalc in ((known, False), (~known, True)):
                if not mask.any():
                    continue
                if recalc and not self.needs_user_factors:
                    recalc = False  # item-kNN scores straight from the history row
                users = np.array(
                    [self.user_index.get(h.customer_id, 0) for h in histories], dtype=np.int32
                )[mask]
                got, _ = self.model.recommend(
                    users,
                    sparse.csr_matrix(rows[mask]),
                    N=n,
                    filter_already_liked_items=False,
                    recalculate_user=recalc,
                )
                ids[mask, : got.shape[1]] = got
        return [
            [self.space.ids[c] for c in row if c >= 0 and c not in ex][:k]
            for row, ex in zip(ids.tolist(), excludes, strict=True)
        ]


class BM25ItemKNN(_ImplicitRecommender):
    """`implicit.nearest_neighbours.BM25Recommender`: item-item kNN on BM25-weighted counts."""

    name = "bm25-knn"

    def __init__(self, neighbours: int = 20, k1: float = 1.2, b: float = 0.75, threads: int = 1):
        super().__init__(threads)
        self.neighbours, self.k1, self.b = neighbours, k1, b

    def make_model(self):
        from implicit.nearest_neighbours import BM25Recommender

        return BM25Recommender(K=self.neighbours, K1=self.k1, B=self.b, num_threads=self.threads)


class ALS(_ImplicitRecommender):
    """`implicit.cpu.als.AlternatingLeastSquares`, seeded, CPU, a few iterations."""

    name = "als"
    needs_user_factors = True

    def __init__(
        self,
        factors: int = 64,
        iterations: int = 15,
        regularization: float = 0.05,
        alpha: float = 1.0,
        seed: int = 0,
        threads: int = 1,
    ) -> None:
        super().__init__(threads)
        self.factors, self.iterations = factors, iterations
        self.regularization, self.alpha, self.seed = regularization, alpha, seed

    def make_model(self):
        # The CPU class directly: the factory would pick the GPU build where one exists,
        # and GPU results would not match CPU runs bit for bit.
        from implicit.cpu.als import AlternatingLeastSquares

        return AlternatingLeastSquares(
            factors=self.factors,
            regularization=self.regularization,
            alpha=self.alpha,
            iterations=self.iterations,
            random_state=self.seed,
            num_threads=self.threads,
        )
