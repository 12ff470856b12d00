"""The encoder role: texts in, unit-length float32 vectors out.

An implementation writes one method, `_embed_batch`. Batching, length sorting, prefixes,
device choice, progress and bookkeeping live here, so every encoder gets them the same way.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
from tqdm.auto import tqdm

from ..errors import ConfigError
from .device import resolve_device

log = logging.getLogger(__name__)

# Below this many texts a progress bar is noise (a query, a handful of changed products).
PROGRESS_MIN_TEXTS = 1000


@dataclass(frozen=True)
class ModelInfo:
    """What an index records about the model that made its vectors."""

    name: str
    dimension: int
    fingerprint: str  # changes when the weights or config change, even under the same name
    path: str | None = None  # where to load it again for queries; None for non-file models

    def same_model(self, other: ModelInfo) -> bool:
        return (self.name, self.dimension, self.fingerprint) == (
            other.name,
            other.dimension,
            other.fingerprint,
        )

    def describe(self) -> str:
        return f"{self.name} ({self.dimension}-d, fingerprint {self.fingerprint[:12]})"

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> ModelInfo:
        return cls(**d)


class Encoder(ABC):
    """Base class for sentence encoders. Subclasses implement `_embed_batch` and `info`."""

    def __init__(
        self,
        *,
        device: str | None = "auto",
        batch_size: int = 64,
        query_prefix: str = "",
        document_prefix: str = "",
        progress: bool | None = None,
    ) -> None:
        if batch_size < 1:
            raise ConfigError(f"batch size must be at least 1, got {batch_size}")
        self._requested_device = device
        self._device: str | None = None
        self.batch_size = batch_size
        # Asymmetric models (e5, bge) want "query: " / "passage: "; MiniLM wants nothing.
        self.query_prefix = query_prefix
        self.document_prefix = document_prefix
        self.progress = progress  # None: only for long inputs
        self.texts_encoded = 0  # what a rebuild actually paid for; tests read it too
        self.batches_encoded = 0

    @property
    def device(self) -> str:
        if self._device is None:
            self._device = resolve_device(self._requested_device)
        return self._device

    @property
    @abstractmethod
    def info(self) -> ModelInfo:
        """Name, dimension and fingerprint, available without loading the weights."""

    @property
    def dimension(self) -> int:
        return self.info.dimension

    @property
    def document_key(self) -> str:
        """Everything besides the text that shapes a document vector (for content hashes)."""
        info = self.info
        return f"{info.name}|{info.fingerprint}|{self.document_prefix}"

    @abstractmethod
    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        """Embed one batch: an (n, dimension) float32 array of unit-length rows."""

    def _lengths(self, texts: Sequence[str]) -> Sequence[int]:
        """Sizes to sort by, so each batch holds texts of similar length (little padding).

        Characters by default; token-based encoders should count tokens, which tracks the
        padded batch shape far better (upper-case retail titles split into many tokens).
        """
        return [len(t) for t in texts]

    def encode_query(self, text: str) -> np.ndarray:
        return self.encode_queries([text])[0]

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.encode(texts, prefix=self.query_prefix, desc="queries")

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self.encode(texts, prefix=self.document_prefix, desc="embedding")

    def encode(self, texts: Sequence[str], *, prefix: str = "", desc: str = "embedding") -> np.ndarray:
        """Embed `texts` in input order, batching texts of similar length together."""
        if isinstance(texts, str):
            raise TypeError("encode takes a sequence of texts; use encode_query for one string")
        texts = list(texts)  # a pandas Series would index by label below
        n = len(texts)
        out = np.empty((n, self.dimension), dtype=np.float32)
        if n == 0:
            return out
        lengths = self._lengths([prefix + t for t in texts])
        order = sorted(range(n), key=lengths.__getitem__)
        show = self.progress if self.progress is not None else n >= PROGRESS_MIN_TEXTS
        with tqdm(total=n, desc=desc, unit="text", disable=not show, leave=False) as bar:
            for start in range(0, n, self.batch_size):
                chunk = order[start : start + self.batch_size]
                vectors = self._embed_batch([prefix + texts[i] for i in chunk])
                if vectors.shape != (len(chunk), self.dimension):
                    raise RuntimeError(
                        f"{type(self).__name__}._embed_batch returned shape {vectors.shape}, "
                        f"expected {(len(chunk), self.dimension)}"
                    )
                out[chunk] = vectors
                self.batches_encoded += 1
                bar.update(len(chunk))
        self.texts_encoded += n
        return out
