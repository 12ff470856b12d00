"""The one composition root of a `Retriever`: its parts in, the retriever out.

Serving (`loader.open_served`), training and evaluation (`ranking.fitting.fit_retriever`)
and the tests all assemble their retriever here, so the adapters between the parts (the
rule store as the rules source, the encoder as the question encoder, the ranker set over
the finished retriever's sources) are written once and every caller gets the same wiring.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

import numpy as np

from ..products import Catalogue
from ..rules.apply import score_consequents
from ..rules.store import RuleStore
from ..shop import ShopProfile
from ..vectors import ExactVectors
from .copurchase import CopurchaseModel
from .fusion import FusionWeights
from .item_neighbours import NeighbourTable
from .retriever import Retriever
from .sources import CandidateSource

if TYPE_CHECKING:  # the ranking layer sits above this one: type names only
    from ..ranking.ranker import Ranker


@dataclass
class RetrieverParts:
    """What a retriever is made of. `catalogue`'s popularity column is what the popularity
    source counts, and `n_baskets` how many baskets it was counted over."""

    catalogue: Catalogue
    vectors: ExactVectors
    n_baskets: int = 1
    rules: RuleStore | None = None  # None: no bought-together rules
    copurchase: CopurchaseModel | None = None
    encode_query: Callable[[str], np.ndarray] | None = None  # None: questions are not embedded
    weights: FusionWeights | None = None  # the default mix (None: the built-in one)
    discover_weights: FusionWeights | None = None  # the mix when owned items are excluded
    extra_sources: Sequence[CandidateSource] = ()
    shop: ShopProfile | None = None
    # How the retriever gets its vectors' neighbour table (None: the process's memo, else computed).
    neighbour_table: Callable[[ExactVectors], NeighbourTable] | None = None


def rules_apply_for(store: RuleStore):
    """Adapt the rule store to the rules source: (items, k, exclude) -> [(id, score, rule, features)],
    `rule` a function giving the strongest fired rule's `Rule.to_dict()` (built when quoted)."""

    def apply(items: Sequence[str], k: int, exclude: set[str]):
        return [(c.product_id, c.score, partial(_rule_dict, store, int(c.rows[0])),
                 {"rules_fired": float(c.n_rules), "rule_lift": c.max_lift, "rule_confidence": c.max_confidence})
                for c in score_consequents(store, items, k=k, exclude=exclude)]

    return apply


def _rule_dict(store: RuleStore, row: int) -> dict:
    return store.rule(row).to_dict()


def assemble_retriever(
    parts: RetrieverParts, ranker: Callable[[Retriever], Ranker | None] | None = None
) -> Retriever:
    """The retriever over `parts`; `ranker`, when given, makes the learned ranker over the
    assembled retriever's own sources (it needs them, so it comes last)."""
    retriever = Retriever(
        parts.catalogue,
        parts.vectors,
        encode_query=parts.encode_query,
        rules_apply=None if parts.rules is None else rules_apply_for(parts.rules),
        copurchase=parts.copurchase,
        n_baskets=parts.n_baskets,
        weights=parts.weights,
        discover_weights=parts.discover_weights,
        extra_sources=parts.extra_sources,
        shop=parts.shop,
        neighbour_table=parts.neighbour_table,
    )
    if ranker is not None:
        retriever.ranker = ranker(retriever)
    return retriever
