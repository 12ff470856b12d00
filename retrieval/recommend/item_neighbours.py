"""Every product's nearest products, computed once per set of vectors.

A shopper's "alternatives" start from the products they bought. Scanning
the whole matrix for them costs one pass over it per request: 0.8 ms on 3,790 products, but
~20 ms per pass over 100,000 x 384 float32 (153 MB read from memory each time; bench:
bench_ranker). So each product's `DEPTH` nearest neighbours are found once, in blocks, and a
request merges the lists of the products it starts from. A list that the filters leave too
short is answered by the exact scan (see `NeighbourSource`).

The table is keyed by the vectors it was computed from: in one process a second retriever
over the same vectors reuses it, and `shopassist build` saves it under `<root>/models`.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from ..vectors import ExactVectors
from .saved import saved_or_fitted, saved_path
from .threads import blas_threads

log = logging.getLogger(__name__)

# 100 neighbours per product: a list of k = 50 (the ranker's depth) stays exact while fewer
# than half of an anchor's neighbours are filtered out (owned, or the anchors themselves).
DEPTH = 100
BLOCK = 1024  # rows per matrix product while building (a 1024 x n float32 block at a time)


@dataclass(frozen=True)
class NeighbourTable:
    """Row r's nearest other rows, nearest first: `rows[r]` (int32) with cosines `sims[r]`.

    A product without a vector (an all-zero row) has no neighbours (-inf) and is no one's.
    """

    rows: np.ndarray
    sims: np.ndarray

    @property
    def depth(self) -> int:
        return int(self.rows.shape[1])

    def save(self, path: Path) -> None:
        np.savez(path, rows=self.rows, sims=self.sims)

    @classmethod
    def load(cls, path: Path) -> NeighbourTable:
        with np.load(path, allow_pickle=False) as data:
            return cls(data["rows"], data["sims"])

    @classmethod
    def build(cls, matrix: np.ndarray, depth: int = DEPTH, block: int = BLOCK) -> NeighbourTable:
        n = len(matrix)
        depth = max(0, min(depth, n - 1))
        rows = np.zeros((n, depth), dtype=np.int32)
        sims = np.full((n, depth), -np.inf, dtype=np.float32)
        if depth == 0:
            return cls(rows, sims)
        empty = ~matrix.any(axis=1)
        with blas_threads(os.cpu_count()):  # a build step: every core (serving keeps BLAS to one)
            cls._fill(matrix, rows, sims, empty, depth, block)
        sims[empty] = -np.inf
        return cls(rows, sims)

    @staticmethod
    def _fill(matrix, rows, sims, empty, depth: int, block: int) -> None:
        n = len(matrix)
        for start in tqdm(range(0, n, block), desc="product neighbours", leave=False, disable=None):
            stop = min(n, start + block)
            s = matrix[start:stop] @ matrix.T
            s[np.arange(stop - start), np.arange(start, stop)] = -np.inf  # never its own neighbour
            s[:, empty] = -np.inf
            part = np.argpartition(-s, depth - 1, axis=1)[:, :depth]
            got = np.take_along_axis(s, part, axis=1)
            # Nearest first; equal cosines lower row first (the vectors' one tie-break rule).
            order = np.lexsort((part, -got), axis=1)
            rows[start:stop] = np.take_along_axis(part, order, axis=1)
            sims[start:stop] = np.take_along_axis(got, order, axis=1)


def vectors_key(vectors: ExactVectors, depth: int = DEPTH) -> str:
    digest = hashlib.sha256(f"{depth}\n".encode())
    digest.update("\n".join(vectors.ids).encode())
    digest.update(np.ascontiguousarray(vectors.matrix).tobytes())
    return digest.hexdigest()[:16]


_memo: dict[str, NeighbourTable] = {}
_lock = threading.Lock()


def neighbour_table(
    vectors: ExactVectors, root: str | os.PathLike[str] | None = None, *, saved: bool = False
) -> NeighbourTable:
    """The table of `vectors` (rows in its order): from this process's memo, else from the
    saved file under `root` when `saved`, else computed (and saved when `saved`)."""
    key = vectors_key(vectors)
    with _lock:
        known = _memo.get(key)
        if saved and (known is None or not saved_path(root, "neighbours", key).exists()):
            table = saved_or_fitted(root, "neighbours", key,
                                    lambda: known if known is not None else NeighbourTable.build(vectors.matrix),
                                    NeighbourTable.save, NeighbourTable.load)
        else:
            table = known if known is not None else NeighbourTable.build(vectors.matrix)
        # One table per set of vectors is kept: evaluation and training reuse it across
        # their refits; a process serving one shop holds one.
        if table is not known:
            _memo.clear()
            _memo[key] = table
        return table



def known_tables() -> dict[str, NeighbourTable]:
    """This process's memo of tables, to hand to a worker process (see `remember_tables`)."""
    with _lock:
        return dict(_memo)


def remember_tables(tables: dict[str, NeighbourTable]) -> None:
    """Seed this process's memo with tables another process built for the same vectors."""
    with _lock:
        _memo.update(tables)
