"""An exact numpy copy of a build's vectors, saved beside the Chroma collection.

Chroma stays the store of record, but its `where` filters cost 10-150 ms and HNSW misses
neighbours; a product-count x dimension float32 matrix answers filtered top-k exactly in
well under a millisecond at catalogue sizes (see STACK.md), so the retrieval layer uses this.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import NotFoundError

VECTORS_FILE = "vectors.npy"
IDS_FILE = "ids.json"


@dataclass(frozen=True)
class ScoredProduct:
    """A product with its cosine similarity to whatever was asked (higher is closer)."""

    product_id: str
    score: float
    title: str = ""


@dataclass
class VectorMirror:
    ids: list[str]
    vectors: np.ndarray  # (n, dimension) float32, unit rows, row i belongs to ids[i]
    _position: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if len(self.ids) != len(self.vectors):
            raise ValueError(f"{len(self.ids)} ids for {len(self.vectors)} vectors")
        self._position = {pid: i for i, pid in enumerate(self.ids)}

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, product_id: object) -> bool:
        return product_id in self._position

    def position(self, product_id: str) -> int:
        try:
            return self._position[product_id]
        except KeyError:
            raise NotFoundError(f"product {product_id!r} is not in the index") from None

    def vector(self, product_id: str) -> np.ndarray:
        return self.vectors[self.position(product_id)]

    def search(
        self,
        query: np.ndarray,
        k: int,
        *,
        allowed: np.ndarray | None = None,
        exclude: Iterable[str] = (),
    ) -> list[ScoredProduct]:
        """Exact top-k by cosine. `allowed`: a boolean mask over rows (a metadata filter)."""
        scores = self.vectors @ np.asarray(query, dtype=np.float32)
        keep = np.ones(len(scores), dtype=bool) if allowed is None else allowed.copy()
        for pid in exclude:
            if pid in self._position:
                keep[self._position[pid]] = False
        candidates = np.flatnonzero(keep)
        if k <= 0 or len(candidates) == 0:
            return []
        k = min(k, len(candidates))
        top = candidates[np.argpartition(-scores[candidates], k - 1)[:k]]
        # Ties broken by id so equal scores come back in a stable order.
        top = sorted(top, key=lambda i: (-scores[i], self.ids[i]))
        return [ScoredProduct(self.ids[i], float(scores[i])) for i in top]

    def save(self, folder: str | os.PathLike[str]) -> None:
        folder = Path(folder)
        _replace(folder / VECTORS_FILE, lambda f: np.save(f, self.vectors.astype(np.float32)))
        _replace(folder / IDS_FILE, lambda f: f.write(json.dumps(self.ids).encode()))

    @classmethod
    def load(cls, folder: str | os.PathLike[str]) -> VectorMirror:
        folder = Path(folder)
        ids = json.loads((folder / IDS_FILE).read_text())
        # Memory-mapped: opening an index costs nothing until vectors are read.
        vectors = np.load(folder / VECTORS_FILE, mmap_mode="r")
        return cls(ids, vectors)


def _replace(path: Path, write) -> None:
    """Write to a temporary name, flush to disk, then rename over the target."""
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as f:
        write(f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
