"""The product vectors as one exact numpy matrix: the one class that the index saves beside
each build's Chroma collection (its "mirror") and that every exact search runs over (index,
retriever, evaluation). It sits below both `index` and `recommend` so neither imports the other.

Chroma stays the store of record, but its `where` filters cost 10-150 ms and lose recall,
and HNSW misses neighbours (bench: STACK.md section 2b), while a masked numpy product over a
few thousand to 100k normalised vectors is exact and takes 0.03-7 ms. So queries run here.

One tie-break rule for every top-k (`top_k`): equal scores come back lower row first, at
the cut too (which of several tied rows makes the k-th place is decided by row, not by
the partition's luck). A build's rows are in its records' order and the retriever's in
catalogue order, so lists are reproducible run to run and machine to machine.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import NotFoundError
from .storage import write_atomic, write_bytes_atomic

VECTORS_FILE = "vectors.npy"
IDS_FILE = "ids.json"


@dataclass(frozen=True)
class ScoredProduct:
    """A product with its cosine similarity to whatever was asked (higher is closer)."""

    product_id: str
    score: float
    title: str = ""


@dataclass
class ExactVectors:
    """Row i of `matrix` (L2-normalised float32) is the vector of product `ids[i]`."""

    ids: list[str]
    matrix: np.ndarray
    _rows: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.matrix.shape[0] != len(self.ids):
            raise ValueError(f"{len(self.ids)} ids for {self.matrix.shape[0]} vectors")
        # No copy for a float32 C-ordered array, so a memory-mapped file stays mapped.
        self.matrix = np.ascontiguousarray(self.matrix, dtype=np.float32)
        self._rows = {pid: i for i, pid in enumerate(self.ids)}

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, product_id: object) -> bool:
        return product_id in self._rows

    def position(self, product_id: str) -> int:
        """The row of `product_id`; NotFoundError when it has none."""
        try:
            return self._rows[product_id]
        except KeyError:
            raise NotFoundError(f"product {product_id!r} is not in the index") from None

    def vector(self, product_id: str) -> np.ndarray | None:
        """The product's vector, or None when it has none."""
        at = self._rows.get(product_id)
        return None if at is None else self.matrix[at]

    def aligned_to(self, ids: Sequence[str]) -> ExactVectors:
        """The same vectors in the order of `ids`; products without a vector get zeros."""
        out = np.zeros((len(ids), self.matrix.shape[1]), dtype=np.float32)
        for row, pid in enumerate(ids):
            at = self._rows.get(pid)
            if at is not None:
                out[row] = self.matrix[at]
        return ExactVectors(list(ids), out)

    def scores(self, query: np.ndarray) -> np.ndarray:
        return self.matrix @ np.asarray(query, dtype=np.float32)

    def top(self, query: np.ndarray, k: int, mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Rows and cosine scores of the k best rows allowed by `mask`, best first (exact)."""
        return top_k(self.scores(query), k, mask)

    def search(
        self, query: np.ndarray, k: int, *, allowed: np.ndarray | None = None, exclude: Iterable[str] = ()
    ) -> list[ScoredProduct]:
        """Exact top-k by cosine as products. `allowed`: a boolean mask over rows (a metadata filter)."""
        keep = np.ones(len(self), dtype=bool) if allowed is None else np.array(allowed, dtype=bool)
        for pid in exclude:
            at = self._rows.get(pid)
            if at is not None:
                keep[at] = False
        rows, scores = self.top(query, k, keep)
        return [ScoredProduct(self.ids[r], float(s)) for r, s in zip(rows, scores, strict=True)]

    def save(self, folder: str | os.PathLike[str]) -> None:
        folder = Path(folder)
        # The temporary file keeps the ".npy" suffix, so np.save writes to it as named.
        write_atomic(folder / VECTORS_FILE, lambda tmp: np.save(tmp, self.matrix))
        write_bytes_atomic(folder / IDS_FILE, json.dumps(self.ids).encode())

    @classmethod
    def load(cls, folder: str | os.PathLike[str]) -> ExactVectors:
        folder = Path(folder)
        ids = json.loads((folder / IDS_FILE).read_text())
        # Memory-mapped: opening an index costs nothing until vectors are read.
        return cls(ids, np.load(folder / VECTORS_FILE, mmap_mode="r"))


def top_k(scores: np.ndarray, k: int, mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Indices and values of the k largest finite scores where mask is True, best first.

    Equal scores: lower index first, at the cut too (the module's one tie-break rule).
    """
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    finite = np.isfinite(scores)
    k = min(k, int(finite.sum()))
    if k <= 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=scores.dtype)
    if k < len(scores):
        # Every row that ties the k-th best stays in the running, so the sort below, not
        # the partition, picks among them.
        kth = scores[np.argpartition(-scores, k - 1)[k - 1]]
        part = np.flatnonzero(finite & (scores >= kth))
    else:
        part = np.flatnonzero(finite)
    order = np.lexsort((part, -scores[part]))[:k]
    rows = part[order]
    return rows, scores[rows]


class StaticRanking:
    """Fixed scores sorted once (best first, equal scores lower row first, as `top_k`): the
    top k under a mask walks that order until k rows pass, instead of scanning every row."""

    def __init__(self, scores: np.ndarray) -> None:
        self.scores = np.asarray(scores)
        finite = np.flatnonzero(np.isfinite(self.scores))
        self.order = finite[np.lexsort((finite, -self.scores[finite]))]

    def top(self, k: int, mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        if mask is None:
            rows = self.order[:k]
            return rows, self.scores[rows]
        found, count, start, step = [], 0, 0, max(64, 4 * k)
        while start < len(self.order) and count < k:
            chunk = self.order[start:start + step]
            passed = chunk[mask[chunk]]
            found.append(passed)
            count += len(passed)
            start, step = start + step, step * 4
        rows = np.concatenate(found)[:k] if found else np.empty(0, dtype=np.int64)
        return rows, self.scores[rows]
