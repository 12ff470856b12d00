"""Product embeddings: encoders, product texts, and the Chroma-backed product index.

    from retrieval.index import build_index, open_index
    result = build_index(dataset.catalogue)          # embeds only what changed
    index = open_index()
    index.similar_items("85123A", k=10)              # -> [ScoredProduct(product_id, score, title)]
    index.query("tea for two", k=5)
"""

from ..vectors import ExactVectors, ScoredProduct
from .builder import BuildResult, build_index
from .builds import BuildInfo
from .encoder import Encoder, ModelInfo
from .product_index import ProductIndex, open_index
from .store import StoreSpec
from .text import DEFAULT_TEMPLATE, TextTemplate
from .transformers_encoder import DEFAULT_MODEL_NAME, TransformersEncoder, encoder_for

__all__ = [
    "DEFAULT_MODEL_NAME",
    "DEFAULT_TEMPLATE",
    "BuildInfo",
    "BuildResult",
    "Encoder",
    "ModelInfo",
    "ProductIndex",
    "ScoredProduct",
    "StoreSpec",
    "TextTemplate",
    "TransformersEncoder",
    "ExactVectors",
    "build_index",
    "encoder_for",
    "open_index",
]
