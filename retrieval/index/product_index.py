"""The live product index, opened for reading: nearest products to a text, a vector or a product."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from ..config import index_dir
from ..errors import IndexNotFoundError, ModelMismatchError, NotFoundError, StoreUnavailableError
from ..vectors import ExactVectors, ScoredProduct
from .builds import BuildInfo, build_folder, read_current
from .encoder import Encoder
from .store import connect, get_collection
from .transformers_encoder import encoder_for

log = logging.getLogger(__name__)

_REBUILD = "Run `shopassist build` to build it."
# A plain build trusts a live build whose files are all there (it never opens the live Chroma
# folder; see live.py), so damage inside Chroma needs a build that writes everything anew.
_REBUILD_FULL = "Run `shopassist build --full` to rebuild it."


class ProductIndex:
    """One build: its Chroma collection (store of record) and its exact numpy mirror."""

    def __init__(
        self,
        info: BuildInfo,
        folder: Path,
        collection,
        mirror: ExactVectors,
        encoder: Encoder | None = None,
    ) -> None:
        self.info = info
        self.folder = folder
        self.collection = collection
        self.mirror = mirror
        self._encoder = encoder

    def __len__(self) -> int:
        return len(self.mirror)

    def __contains__(self, product_id: object) -> bool:
        return product_id in self.mirror

    @property
    def ids(self) -> list[str]:
        return self.mirror.ids

    @property
    def encoder(self) -> Encoder:
        """The encoder for text queries: the index's own model, loaded on first use."""
        if self._encoder is None:
            encoder = encoder_for(self.info.model)
            _check_model(self.info, encoder, self.folder)
            self._encoder = encoder
        return self._encoder

    def vector(self, product_id: str) -> np.ndarray:
        return np.asarray(self.mirror.matrix[self.mirror.position(product_id)], dtype=np.float32)

    def metadata(self, product_id: str) -> dict:
        got = self.collection.get(ids=[product_id], include=["metadatas"])
        if not got["ids"]:
            raise NotFoundError(f"product {product_id!r} is not in the index")
        return dict(got["metadatas"][0] or {})

    def query(
        self,
        query: str | np.ndarray,
        k: int = 10,
        *,
        where: dict | None = None,
        exclude: Iterable[str] = (),
    ) -> list[ScoredProduct]:
        """The k products closest to a text or a unit vector, best first (cosine scores).

        `where` is a Chroma metadata filter, e.g. {"price": {"$lt": 5}}; for many filtered
        queries `mirror.search` with a boolean mask is exact and much faster.
        """
        vector = self.encoder.encode_query(query) if isinstance(query, str) else np.asarray(query, np.float32)
        excluded = set(exclude)
        n = min(len(self), k + len(excluded))
        if k <= 0 or n <= 0:
            return []
        found = self.collection.query(
            query_embeddings=[vector], n_results=n, where=where, include=["distances", "metadatas"]
        )
        out = [
            ScoredProduct(pid, 1.0 - float(distance), str((meta or {}).get("title", "")))
            for pid, distance, meta in zip(
                found["ids"][0], found["distances"][0], found["metadatas"][0], strict=True
            )
            if pid not in excluded
        ]
        return out[:k]

    def similar_items(
        self, product_ids: str | Sequence[str], k: int = 10, *, exclude: Iterable[str] = ()
    ) -> list[ScoredProduct]:
        """The k products most like one product (or like several together), never themselves."""
        ids = [product_ids] if isinstance(product_ids, str) else list(product_ids)
        if not ids:
            return []
        centre = np.mean([self.vector(pid) for pid in ids], axis=0)
        centre /= max(float(np.linalg.norm(centre)), 1e-12)
        return self.query(centre, k, exclude={*ids, *exclude})


def open_index(root: str | os.PathLike[str] | None = None, *, encoder: Encoder | None = None) -> ProductIndex:
    """Open the live build under the data root; `encoder` must be the model it was built with."""
    index_root = index_dir(root)
    try:
        info = read_current(index_root)
    except ValueError as exc:
        raise IndexNotFoundError(f"the product index pointer is damaged ({exc}). {_REBUILD}") from None
    if info is None:
        raise IndexNotFoundError(f"no product index under {index_root}. {_REBUILD}")
    folder = build_folder(index_root, info.build_id)
    if encoder is not None:
        _check_model(info, encoder, folder)
    try:
        mirror = ExactVectors.load(folder)
    except (OSError, ValueError) as exc:
        raise IndexNotFoundError(f"the product index in {folder} is incomplete ({exc}). {_REBUILD}") from None
    try:
        client = connect(info.store, folder / "chroma" if info.store.host is None else None)
        collection = get_collection(client, info.collection)
        stored = collection.count()
    except StoreUnavailableError:
        raise
    except Exception as exc:  # chromadb: NotFoundError, ValueError, InternalError (a damaged database)
        raise IndexNotFoundError(
            f"the collection {info.collection!r} of build {info.build_id} is missing or damaged in "
            f"{info.store.describe()} ({type(exc).__name__}: {exc}). {_REBUILD_FULL}"
        ) from None
    if not len(mirror) == stored == info.count:
        raise IndexNotFoundError(
            f"the product index in {folder} is incomplete ({len(mirror)} vectors, "
            f"{stored} in Chroma, {info.count} expected). {_REBUILD_FULL}"
        )
    return ProductIndex(info, folder, collection, mirror, encoder)


def _check_model(info: BuildInfo, encoder: Encoder, folder: Path) -> None:
    if not encoder.info.same_model(info.model):
        raise ModelMismatchError(
            f"the product index in {folder} was built with {info.model.describe()}, but the "
            f"encoder given is {encoder.info.describe()}. Query it with the same model, or "
            "rebuild it for this one with `shopassist build --model DIR --full`."
        )
