"""Implicit-feedback matrix factorisation (ALS; Hu, Koren & Volinsky, ICDM 2008) as a source.

Customers x items counts (the number of a customer's baskets holding the item) are factored
by `implicit`'s CPU ALS, the same model as the evaluation's `als` peer. A known customer is
scored from their trained factors; anyone else (a guest's basket) from factors solved for
their items with the item factors fixed, as `implicit` does for a new user.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Sequence
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse
from threadpoolctl import threadpool_limits

from ..baskets import Baskets
from ..vectors import top_k
from .sources import CandidateSource, Context, Scored
from .types import Evidence

log = logging.getLogger(__name__)

# Only the most bought items are scored: a 100,000 x 64 scan is memory-bound (~3 ms here), and
# on Complete Journey (68,260 products) the 20,000 most bought hold 99.96% of the full scan's
# top 50 over 400 customers. Every item keeps its factors for solving a guest's.
MAX_SCORED = 20_000


class FactorModel:
    """ALS factors over catalogue ids, in catalogue order; the `max_scored` most bought items
    are the ones a request scores."""

    def __init__(self, ids: Sequence[str], factors: int = 64, iterations: int = 15,
                 regularization: float = 0.05, alpha: float = 1.0, seed: int = 0,
                 max_scored: int = MAX_SCORED) -> None:
        self.ids = list(ids)
        self.position = {pid: i for i, pid in enumerate(self.ids)}
        self.params = dict(factors=factors, iterations=iterations, regularization=regularization,
                           alpha=alpha, random_state=seed)
        # Unfitted: no factors, nothing scored (what `fit` or `load` then sets, with `_derive`).
        self.items = np.zeros((len(self.ids), factors), dtype=np.float32)
        self.users = np.zeros((0, factors), dtype=np.float32)
        self.user_index: dict[str, int] = {}
        self.max_scored = max_scored
        self.scored = np.zeros(0, dtype=np.int64)  # catalogue rows a request scores
        self.scored_items = np.zeros((0, factors), dtype=np.float32)
        self.gram = regularization * np.eye(factors)  # Y'Y + lambda I with Y all zeros

    def _derive(self) -> None:
        """What requests read, worked out once from the factors: the Gram matrix of the
        new-user step and a contiguous copy of the scored items' factors."""
        y = self.items.astype(np.float64)
        self.gram = y.T @ y + self.params["regularization"] * np.eye(y.shape[1])
        self.scored_items = np.ascontiguousarray(self.items[self.scored])

    def fit(self, baskets: Baskets) -> FactorModel:
        # The CPU class: the factory would pick a GPU build where one exists.
        from implicit.cpu.als import AlternatingLeastSquares

        lines = baskets.lines.dropna(subset=["customer_id"])
        lines = lines[lines["product_id"].isin(self.position)]
        counts = lines.drop_duplicates(["basket_id", "product_id"]).groupby(["customer_id", "product_id"]).size()
        rows, customers = pd.factorize(counts.index.get_level_values(0).astype(str))  # first seen first
        self.user_index = {c: i for i, c in enumerate(customers)}
        cols = pd.Index(self.ids).get_indexer(counts.index.get_level_values(1))
        matrix = sparse.csr_matrix((counts.to_numpy(np.float32), (rows, cols)),
                                   shape=(len(self.user_index), len(self.ids)))
        with threadpool_limits(1, "blas"):  # implicit's own threads; BLAS threads on top thrash
            model = AlternatingLeastSquares(num_threads=1, **self.params)
            model.fit(matrix, show_progress=False)
        self.items = np.asarray(model.item_factors, dtype=np.float32)
        self.users = np.asarray(model.user_factors, dtype=np.float32)
        bought = np.bincount(cols, weights=counts.to_numpy(np.float64), minlength=len(self.ids))
        self.scored = np.sort(np.argsort(-bought, kind="stable")[: self.max_scored])
        self._derive()
        log.info("ALS factors: %d customers x %d items", *matrix.shape)
        return self

    def key(self, baskets: Baskets) -> str:
        """A hash of everything the factors are fitted from: who bought what in which basket,
        the items, the settings."""
        h = hashlib.sha256(f"als v1 {json.dumps(self.params, sort_keys=True)} {self.max_scored}\n".encode())
        lines = baskets.lines[["basket_id", "customer_id", "product_id"]].astype(str)
        h.update(pd.util.hash_pandas_object(lines, index=False).to_numpy().tobytes())
        h.update("\n".join(self.ids).encode())
        return h.hexdigest()[:16]

    def save(self, path: Path) -> None:
        np.savez(path, items=self.items, users=self.users, customers=np.array(list(self.user_index), dtype=str),
                 scored=self.scored, params=np.array(json.dumps({**self.params, "max_scored": self.max_scored})))

    def load(self, path: str | os.PathLike[str]) -> FactorModel:
        """These ids' factors as saved (same settings, else ValueError): no refit."""
        with np.load(path, allow_pickle=False) as saved:
            params = {**self.params, "max_scored": self.max_scored}
            if json.loads(str(saved["params"])) != params or saved["items"].shape[0] != len(self.ids):
                raise ValueError("the saved factors were fitted with other settings or items")
            self.items, self.users, self.scored = saved["items"], saved["users"], saved["scored"]
            self.user_index = {str(c): i for i, c in enumerate(saved["customers"])}
        self._derive()
        return self

    def user(self, customer_id: str | None, history: Sequence[str]) -> np.ndarray | None:
        """The customer's factors: trained ones if known, else solved from `history`."""
        if customer_id is not None and customer_id in self.user_index:
            return self.users[self.user_index[customer_id]]
        cols, counts = np.unique([self.position[p] for p in history if p in self.position], return_counts=True)
        if not len(cols):
            return None
        # ALS's user step with the items fixed (what implicit's recalculate_user solves):
        # (Y'Y + Y_u'(C_u - 1)Y_u + lambda I) x = Y_u' C_u p_u, confidence alpha x count.
        y = self.items[cols].astype(np.float64)
        c = self.params["alpha"] * counts
        a = self.gram + (y.T * (c - 1.0)) @ y
        return np.linalg.solve(a, y.T @ c).astype(np.float32)


class FactorSource(CandidateSource):
    """For you: the items whose factors score highest against the shopper's."""

    name, role = "factors", "for you"

    def __init__(self, model: FactorModel) -> None:
        self.model = model

    def candidates(self, ctx: Context, k: int) -> list[Scored]:
        user = self.model.user(ctx.customer_id, ctx.history)
        if user is None:
            return []
        model = self.model
        scores = model.scored_items @ user
        local, values = top_k(scores, k, ctx.mask[model.scored] & (scores > 0))
        return [Scored(ctx.ids[r], float(v), partial(_factor_evidence, float(v)))
                for r, v in zip(model.scored[local].tolist(), values, strict=True)]


def _factor_evidence(score: float) -> Evidence:
    return Evidence("factors", "shoppers with tastes like yours tend to buy it", score)
