"""EASE item-item weights (Steck, WWW 2019) as a candidate source: "goes with what you buy".

B = I - P / diag(P), P = (X^T X + lambda I)^-1, diag(B) = 0, X = customers x items (bought
or not). A history scores x @ B. The inverse is dense, so only the `max_items` most popular
items take part (the rest are never scored by this source). The evaluation's EASE peer
(`retrieval.evaluation.baselines.ease`) documents the lambda sweep and shares `spd_inverse`.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Sequence
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.linalg import lapack
from threadpoolctl import threadpool_limits

from ..baskets import Baskets
from ..vectors import top_k
from .sources import CandidateSource, Context, Scored
from .types import Evidence

log = logging.getLogger(__name__)

DEFAULT_LAMBDA = 250.0
DEFAULT_MAX_ITEMS = 10_000


def spd_inverse(gram: np.ndarray, block: int = 1024) -> np.ndarray:
    """The inverse of a symmetric positive definite C-ordered matrix, written over it.

    Cholesky (LAPACK potrf + potri): a third of the work of a general inverse and no second
    n x n copy. Callers keep BLAS to one thread: on a busy 2-core machine two OpenBLAS
    threads made potri 30x slower.
    """
    # gram.T is the same symmetric matrix in Fortran order, so LAPACK works in place.
    factor, info = lapack.spotrf(gram.T, lower=False, overwrite_a=True, clean=False)
    if info == 0:
        inverse, info = lapack.spotri(factor, lower=False, overwrite_c=True)
    if info != 0:
        raise np.linalg.LinAlgError(f"EASE Gram matrix is not positive definite (info {info})")
    # potri fills the upper triangle only: mirror it, a block of rows at a time.
    n = inverse.shape[0]
    for s in range(0, n, block):
        e = min(s + block, n)
        inverse[s:e, :s] = inverse[:s, s:e].T
        diag = inverse[s:e, s:e]
        inverse[s:e, s:e] = np.triu(diag) + np.triu(diag, 1).T
    return np.ascontiguousarray(inverse.T)  # symmetric: the C-ordered view, no copy


def ease_weights(x: sparse.csr_matrix, lam: float, blas_threads: int | None = 1) -> np.ndarray:
    """B for a binary customers x items matrix."""
    gram = (x.T @ x).toarray().astype(np.float32)
    gram[np.diag_indices(gram.shape[0])] += lam
    with threadpool_limits(blas_threads, "blas"):
        p = spd_inverse(gram)
    p /= -np.diag(p)[None, :]  # B = I - P / diag(P): column j divided by P_jj
    np.fill_diagonal(p, 0.0)
    return p


class EaseModel:
    """EASE over the most popular items of some baskets, aligned to catalogue ids."""

    def __init__(self, ids: Sequence[str], baskets: Baskets, lam: float = DEFAULT_LAMBDA,
                 max_items: int = DEFAULT_MAX_ITEMS) -> None:
        t0 = time.perf_counter()
        position = {pid: i for i, pid in enumerate(ids)}
        lines = baskets.lines.dropna(subset=["customer_id"]).drop_duplicates(["customer_id", "product_id"])
        lines = lines[lines["product_id"].isin(position)]
        popular = lines["product_id"].value_counts().index[:max_items]
        self.items = np.array([position[p] for p in popular], dtype=np.int64)  # catalogue rows
        column = {p: j for j, p in enumerate(popular)}
        lines = lines[lines["product_id"].isin(column)]
        users, rows = np.unique(lines["customer_id"].to_numpy(dtype=str), return_inverse=True)
        cols = lines["product_id"].map(column).to_numpy()
        x = sparse.csr_matrix((np.ones(len(cols), np.float32), (rows, cols)), shape=(len(users), len(popular)))
        self.weights = ease_weights(x, lam) if len(popular) else np.zeros((0, 0), np.float32)
        self.n_catalogue = len(ids)
        log.info("EASE source: %d customers x %d items in %.1f s", len(users), len(popular), time.perf_counter() - t0)

    @staticmethod
    def key(ids: Sequence[str], baskets: Baskets, lam: float = DEFAULT_LAMBDA,
            max_items: int = DEFAULT_MAX_ITEMS) -> str:
        """A hash of everything the weights are fitted from: who bought what, the items, the settings."""
        h = hashlib.sha256(f"ease v1 lambda={lam!r} max_items={max_items}\n".encode())
        lines = baskets.lines[["customer_id", "product_id"]].astype(str)
        h.update(pd.util.hash_pandas_object(lines, index=False).to_numpy().tobytes())
        h.update("\n".join(ids).encode())
        return h.hexdigest()[:16]

    def save(self, path: Path) -> None:
        np.savez(path, items=self.items, n_catalogue=np.asarray(self.n_catalogue), weights=self.weights)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> EaseModel:
        model = cls.__new__(cls)  # the fitted weights as they were saved: no refit
        with np.load(path, allow_pickle=False) as saved:
            model.items, model.weights = saved["items"], saved["weights"]
            model.n_catalogue = int(saved["n_catalogue"])
        if model.weights.shape != (len(model.items),) * 2:
            raise ValueError("the saved EASE weights do not match its items")
        return model

    def scores(self, rows: Sequence[int]) -> np.ndarray:
        """Catalogue-aligned scores for a history given as catalogue rows (NaN: not scored)."""
        out = np.full(self.n_catalogue, np.nan, dtype=np.float32)
        local = np.flatnonzero(np.isin(self.items, np.asarray(rows, dtype=np.int64)))
        out[self.items] = self.weights[local].sum(axis=0) if len(local) else 0.0
        return out


class EaseSource(CandidateSource):
    name, role = "ease", "for you"

    def __init__(self, model: EaseModel) -> None:
        self.model = model

    def candidates(self, ctx: Context, k: int) -> list[Scored]:
        owned = [ctx.position[p] for p in dict.fromkeys([*ctx.history, *ctx.seeds]) if p in ctx.position]
        if not owned:
            return []
        scores = self.model.scores(owned)
        allowed = ctx.mask & ~np.isnan(scores) & (np.nan_to_num(scores) > 0)
        allowed[owned] = False
        rows, values = top_k(np.nan_to_num(scores), k, allowed)
        text = "often bought by shoppers who buy what you buy"
        return [Scored(ctx.ids[r], float(v), partial(Evidence, "ease", text, float(v))) for r, v in zip(rows, values, strict=True)]
