"""The shop's own recommender, evaluated like the baselines.

`HybridRecommender` fits what production uses on the split's train baskets only (rules
mined from them, popularity counted from them) and the catalogue's vectors, then answers
through the same `Retriever.recommend` the assistant calls. "rules-only" and
"semantic-only" are the same machinery with one source switched on (plus a faint
popularity fill so every list has k items).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Collection

import numpy as np

from ..baskets import Baskets
from ..config import data_root
from ..products import Catalogue
from ..ranking.fitting import SourceFitter, fitted_ranker, item_stats
from ..ranking.ranker import RankerSettings, day_after
from ..recommend import Filters, FusionWeights, Retriever
from ..recommend.retriever import Request
from ..recommend.threads import blas_threads
from ..rules import MiningParams
from ..storage import write_atomic
from ..vectors import ExactVectors
from .recommender import Recommender
from .split import History

log = logging.getLogger(__name__)

# Rules for ranking need more reach than rules for quoting: a lower support threshold, pairs
# only (wholesale invoices are long: with triples at this support the count passes 3 million).
EVAL_RULE_PARAMS = MiningParams(min_support=0.002, min_confidence=0.05, max_len=2)

RULES_ONLY = FusionWeights(semantic=0, repeat=0, rules=1, neighbours=0, profile=0, popularity=0.001)
SEMANTIC_ONLY = FusionWeights(
    semantic=1, repeat=0, rules=0, neighbours=1, profile=0.5, popularity=0.001
)


class HybridRecommender(Recommender):
    name = "hybrid"

    def __init__(
        self,
        vectors: ExactVectors,
        weights: FusionWeights | None = None,
        discover_weights: FusionWeights | None = None,
        params: MiningParams = EVAL_RULE_PARAMS,
        ranker: RankerSettings | None = None,
    ) -> None:
        self.vectors, self.params = vectors, params
        self.weights, self.discover_weights = weights, discover_weights
        self.ranker_settings = ranker
        self.retriever: Retriever | None = None
        self.now = None

    def fit(self, train: Baskets, catalogue: Catalogue) -> HybridRecommender:
        fit_sources = SourceFitter(catalogue, self.vectors, self.params, weights=self.weights,
                                   discover_weights=self.discover_weights)

        with blas_threads():  # as serving computes: one BLAS thread (see recommend.threads)
            stats = item_stats(train, catalogue)
            self.retriever = retriever = fit_sources(train, stats)
            self.now = day_after(train)
            if self.ranker_settings is not None:
                assert stats is not None  # a split's train baskets are all dated
                retriever.ranker = fitted_ranker(
                    train, retriever, fit_sources, self.ranker_settings, "evaluation", stats)
        return self

    def filters(self, history: History, exclude: Collection[str]) -> Filters:
        """The runner's exclusions as the retriever's filters: excluding every owned item is
        mode "new" (`exclude_owned`, which also switches to the discover mix)."""
        owned = history.item_set
        exclude_owned = bool(exclude) and owned <= set(exclude)
        return Filters(exclude=tuple(sorted(set(exclude) - owned)), exclude_owned=exclude_owned)

    def request(self, history: History, k: int, exclude: Collection[str]) -> Request:
        """The request `recommend` makes, for tuning that re-fuses its source lists."""
        if self.retriever is None:
            raise RuntimeError("fit first")
        return self.retriever.prepare(history=list(history.baskets), k=k, filters=self.filters(history, exclude),
                                      now=self.now)

    def recommend(
        self, history: History, k: int, exclude: Collection[str] = frozenset()
    ) -> list[str]:
        if self.retriever is None:
            raise RuntimeError("fit first")
        # The public call the assistant makes, so what is measured is what is served.
        with blas_threads():
            found = self.retriever.recommend(history=list(history.baskets), k=k,
                                             filters=self.filters(history, exclude), now=self.now)
        return found.ids


def catalogue_vectors(catalogue: Catalogue, root=None) -> ExactVectors:
    """The catalogue's vectors: from the live index when it covers the catalogue, else encoded now."""
    from ..errors import IndexNotFoundError
    from ..index.product_index import open_index

    try:
        index = open_index(root)
        missing = set(catalogue.frame.index) - set(index.mirror.ids)
        if not missing:
            return index.mirror
        log.info("the index lacks %d catalogue products; encoding the catalogue", len(missing))
    except IndexNotFoundError:
        log.info("no index built; encoding the catalogue for the evaluation")
    from ..index.records import catalogue_records
    from ..index.text import TextTemplate
    from ..index.transformers_encoder import TransformersEncoder

    encoder = TransformersEncoder()
    records = catalogue_records(catalogue, TextTemplate(), encoder.document_key)
    # Encoding a big catalogue takes minutes on a CPU; an evaluation run keeps its vectors
    # under the data root, keyed by the model and every product's text, for the next run.
    key = hashlib.sha256("\n".join([encoder.document_key, *records.ids, *records.texts]).encode()).hexdigest()[:16]
    cache = data_root(root) / "eval" / f"vectors-{key}.npz"
    if cache.exists():
        with np.load(cache, allow_pickle=False) as saved:
            log.info("catalogue vectors from %s", cache)
            return ExactVectors(saved["ids"].tolist(), saved["matrix"])
    # Shops without product names repeat texts (Complete Journey: 16k texts for 68k
    # products); each distinct text is encoded once.
    texts, inverse = np.unique(np.asarray(records.texts, dtype=object), return_inverse=True)
    matrix = np.asarray(encoder.encode_documents(list(texts)), dtype=np.float32)[inverse]
    write_atomic(cache, lambda tmp: np.savez(tmp, ids=np.asarray(records.ids, dtype=str), matrix=matrix))
    return ExactVectors(records.ids, matrix)
