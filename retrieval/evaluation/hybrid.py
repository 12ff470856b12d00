"""The shop's own recommender, evaluated like the baselines.

`HybridRecommender` fits what production uses on the split's train baskets only (rules
mined from them, popularity counted from them) and the catalogue's vectors, then answers
through the same `Retriever.recommend` the assistant calls. "rules-only" and
"semantic-only" are the same machinery with one source switched on (plus a faint
popularity fill so every list has k items).
"""

from __future__ import annotations

import logging
from collections.abc import Collection

import numpy as np

from ..baskets import Baskets
from ..products import Catalogue
from ..recommend import Filters, FusionWeights, Retriever
from ..recommend.copurchase import CopurchaseModel
from ..recommend.fusion import fuse
from ..recommend.loader import rules_apply_for
from ..recommend.vectors import ExactVectors
from ..rules import MiningParams, RuleStore, mine_rules
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
    ) -> None:
        self.vectors, self.params = vectors, params
        self.weights, self.discover_weights = weights, discover_weights
        self.retriever: Retriever | None = None

    def fit(self, train: Baskets, catalogue: Catalogue) -> HybridRecommender:
        ruleset = mine_rules(train, self.params)
        store = RuleStore.from_ruleset(ruleset)
        log.info("%s: %d rules from %d train baskets", self.name, len(store), len(train))
        # Popularity from the train part only: the full catalogue's counts include the future.
        frame = catalogue.frame.copy()
        frame["popularity"] = train.item_popularity().reindex(frame.index).fillna(0).astype("int64")
        copurchase = CopurchaseModel(frame.index.tolist(), train)
        self.retriever = Retriever(
            Catalogue(frame),
            self.vectors,
            rules_apply=rules_apply_for(store),
            copurchase=copurchase,
            n_baskets=len(train),
            weights=self.weights,
            discover_weights=self.discover_weights,
        )
        return self

    def request(self, history: History, k: int, exclude: Collection[str]):
        items = [item for basket in history.baskets for item in basket.items]
        owned = history.item_set
        exclude_owned = bool(exclude) and owned <= set(exclude)
        filters = Filters(exclude=tuple(sorted(set(exclude) - owned)), exclude_owned=exclude_owned)
        return self.retriever.prepare(history=items, k=k, filters=filters)

    def recommend(
        self, history: History, k: int, exclude: Collection[str] = frozenset()
    ) -> list[str]:
        if self.retriever is None:
            raise RuntimeError("fit first")
        request = self.request(history, k, exclude)
        mix = (self.discover_weights if request.filters.exclude_owned else self.weights) or self.retriever.weights
        lists = self.retriever.source_lists(request, k * 3, mix)
        return [f.product_id for f in fuse(lists, mix, k)]


def catalogue_vectors(catalogue: Catalogue, root=None) -> ExactVectors:
    """The catalogue's vectors: from the live index when it covers the catalogue, else encoded now."""
    from ..errors import IndexNotFoundError
    from ..index.product_index import open_index

    try:
        index = open_index(root)
        missing = set(catalogue.frame.index) - set(index.mirror.ids)
        if not missing:
            return ExactVectors(index.mirror.ids, index.mirror.vectors)
        log.info("the index lacks %d catalogue products; encoding the catalogue", len(missing))
    except IndexNotFoundError:
        log.info("no index built; encoding the catalogue for the evaluation")
    from ..index.records import catalogue_records
    from ..index.text import TextTemplate
    from ..index.transformers_encoder import TransformersEncoder

    encoder = TransformersEncoder()
    records = catalogue_records(catalogue, TextTemplate(), encoder.document_key)
    matrix = encoder.encode_documents(records.texts)
    return ExactVectors(records.ids, np.asarray(matrix, dtype=np.float32))
