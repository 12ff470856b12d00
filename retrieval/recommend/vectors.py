"""Exact cosine search over the product vectors, with a boolean mask for filters.

Chroma is the store of record, but its `where` filters cost 10-150 ms and lose recall
(bench: STACK.md section 2b), while a masked numpy product over a few thousand to 100k
normalised vectors is exact and takes 0.03-7 ms. So queries run here, over the mirror of the
vectors that each index build saves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass
class ExactVectors:
    """Row i of `matrix` (L2-normalised float32) is the vector of product `ids[i]`."""

    ids: list[str]
    matrix: np.ndarray

    def __post_init__(self) -> None:
        if self.matrix.shape[0] != len(self.ids):
            raise ValueError("one vector per id")
        self.matrix = np.ascontiguousarray(self.matrix, dtype=np.float32)
        self.position = {pid: i for i, pid in enumerate(self.ids)}

    def aligned_to(self, ids: Sequence[str]) -> ExactVectors:
        """The same vectors in the order of `ids`; products without a vector get zeros."""
        out = np.zeros((len(ids), self.matrix.shape[1]), dtype=np.float32)
        for row, pid in enumerate(ids):
            at = self.position.get(pid)
            if at is not None:
                out[row] = self.matrix[at]
        return ExactVectors(list(ids), out)

    def vector(self, product_id: str) -> np.ndarray | None:
        at = self.position.get(product_id)
        return None if at is None else self.matrix[at]

    def scores(self, query: np.ndarray) -> np.ndarray:
        return self.matrix @ np.asarray(query, dtype=np.float32)

    def top(self, query: np.ndarray, k: int, mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Rows and cosine scores of the k best rows allowed by `mask`, best first (exact)."""
        scores = self.scores(query)
        return top_k(scores, k, mask)


def top_k(scores: np.ndarray, k: int, mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Indices and values of the k largest scores where mask is True, sorted descending.

    Ties break by index so results are deterministic.
    """
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    allowed = int(np.isfinite(scores).sum())
    k = min(k, allowed)
    if k <= 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
    part = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
    order = np.lexsort((part, -scores[part]))
    rows = part[order]
    rows = rows[np.isfinite(scores[rows])]
    return rows, scores[rows]
