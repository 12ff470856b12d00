"""Where callers of the recommend layer have always found the vectors: the one class and
top-k rule live in `retrieval.vectors`, shared with the index; this name stays for them."""

from __future__ import annotations

from ..vectors import ExactVectors, top_k

__all__ = ["ExactVectors", "top_k"]
