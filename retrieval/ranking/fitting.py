"""Fit every candidate source on one set of baskets: the one recipe training and evaluation share.

The ranker is trained over sources fitted on the baskets before its inner cut and then
served over sources fitted on all of them; both go through `fit_retriever`, so the
features a model learned from are computed the same way when it answers.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from ..baskets import Baskets
from ..errors import DataError
from ..products import Catalogue
from ..recommend.assemble import RetrieverParts, assemble_retriever
from ..recommend.copurchase import CopurchaseModel
from ..recommend.ease import EaseModel, EaseSource
from ..recommend.factors import FactorModel, FactorSource
from ..recommend.fusion import FusionWeights
from ..recommend.graph import GraphModel, GraphParams
from ..recommend.neighbourhood import GraphSource, TifuSource
from ..recommend.retriever import Retriever
from ..recommend.tifu import TifuModel
from ..recommend.trending import TrendingSource
from ..recommend.vectors import ExactVectors
from ..rules import MiningParams, RuleStore, mine_rules
from .features import FeatureSpace
from .items import ItemStats
from .ranker import Ranker, RankerSettings, day_after
from .training import train_ranker

log = logging.getLogger(__name__)


# The ranked sources of a retriever built by `fit_retriever` or `open_retriever` (with rules
# and co-purchase), in its order: the retriever's own, then `personal_sources`'.
SERVED_SOURCES = ("repeat", "neighbours", "profile", "popularity", "rules", "copurchase",
                  "trending", "tifu", "ease", "factors", "graph")

# LightGCN's budget inside the ranker: it is trained twice per build (inner cut and all
# baskets), so fewer epochs than the standalone peer (whose figures are in RESULTS.md).
GRAPH_PARAMS = GraphParams(epochs=25, max_seconds=60.0)


def personal_sources(baskets: Baskets, ids: list[str], stats: ItemStats, graph: GraphModel | None,
                     ease: EaseModel | None = None, factors: FactorModel | None = None) -> list:
    """The sources that learn from whole shopper histories (beyond the retriever's own);
    `ease`, `factors`: the EASE and ALS models already fitted on `baskets` (else fitted here)."""
    out = [TrendingSource(stats.recent, stats.trend), TifuSource(TifuModel(ids).fit(baskets), ids),
           EaseSource(ease if ease is not None else EaseModel(ids, baskets)),
           FactorSource(factors if factors is not None else FactorModel(ids).fit(baskets))]
    if graph is not None:
        out.append(GraphSource(graph))
    return out


def item_stats(baskets: Baskets, catalogue: Catalogue, as_of=None) -> ItemStats | None:
    """Item figures over `catalogue` as of `as_of` (default: the day after the last basket);
    None when the baskets have no dates."""
    if not len(baskets.lines) or baskets.lines["timestamp"].isna().all():
        return None
    ids = [str(i) for i in catalogue.frame.index]
    when = as_of if as_of is not None else day_after(baskets)
    return ItemStats.compute(baskets, ids, catalogue.frame["price"].to_numpy(dtype=float), when)


def personal_sources_for(baskets: Baskets, catalogue: Catalogue, stats: ItemStats | None,
                         graph: GraphModel | None = None, ease=None, factors=None) -> list:
    """`personal_sources` for serving, from the item figures `stats` (None: no dates, no
    such sources), the graph model `shopassist build` saved (None: no graph source) and
    `ease` / `factors`, callables giving the saved EASE and ALS models (None: fitted here)."""
    if stats is None:
        return []
    return personal_sources(baskets, [str(i) for i in catalogue.frame.index], stats, graph,
                            ease() if ease is not None else None, factors() if factors is not None else None)


def fit_graph(baskets: Baskets, ids: list[str], params: GraphParams = GRAPH_PARAMS) -> GraphModel:
    return GraphModel(params).fit(baskets, ids)


def graph_params(settings: RankerSettings) -> GraphParams:
    """GRAPH_PARAMS within the settings' time budget."""
    return replace(GRAPH_PARAMS, max_seconds=min(GRAPH_PARAMS.max_seconds, settings.graph_seconds))


def fit_retriever(
    train: Baskets,
    catalogue: Catalogue,
    vectors: ExactVectors,
    params: MiningParams,
    *,
    stats: ItemStats | None = None,
    weights: FusionWeights | None = None,
    discover_weights: FusionWeights | None = None,
    graph: GraphParams = GRAPH_PARAMS,
) -> Retriever:
    """A retriever whose every source (rules, popularity, co-purchase, ...) saw `train` only;
    `stats`: the item figures the caller already has for `train` (else computed here)."""
    store = RuleStore.from_ruleset(mine_rules(train, params))
    log.info("%d rules from %d baskets", len(store), len(train))
    # Popularity from these baskets only: the catalogue's own counts include the future.
    frame = catalogue.frame.copy()
    frame["popularity"] = train.item_popularity().reindex(frame.index).fillna(0).astype("int64")
    ids = [str(i) for i in frame.index]
    stats = stats if stats is not None else item_stats(train, catalogue)
    if stats is None:  # TIFU-KNN, EASE and trending all read dated histories
        raise DataError("the personal sources need dated baskets; these baskets have no dates")
    return assemble_retriever(RetrieverParts(
        Catalogue(frame), vectors, n_baskets=len(train), rules=store,
        copurchase=CopurchaseModel(ids, train), weights=weights, discover_weights=discover_weights,
        extra_sources=personal_sources(train, ids, stats, fit_graph(train, ids, graph)),
    ))


@dataclass(frozen=True)
class SourceFitter:
    """`fit_retriever` with everything but the baskets fixed: what `train_ranker` refits at
    each inner cut. A picklable value, not a closure, so the cuts can go to worker processes."""

    catalogue: Catalogue
    vectors: ExactVectors
    params: MiningParams
    graph: GraphParams = GRAPH_PARAMS
    weights: FusionWeights | None = None
    discover_weights: FusionWeights | None = None

    def __call__(self, baskets: Baskets, stats: ItemStats | None = None) -> Retriever:
        return fit_retriever(baskets, self.catalogue, self.vectors, self.params, stats=stats,
                             weights=self.weights, discover_weights=self.discover_weights, graph=self.graph)


def fitted_ranker(
    train: Baskets, retriever: Retriever, fit_sources, settings: RankerSettings, fingerprint: str,
    stats: ItemStats,
) -> Ranker:
    """Train the ranker on inner cuts of `train` and set it over `retriever`'s sources
    (which `fit_sources` fitted on `train`, with the item figures `stats`)."""
    model = train_ranker(train, fit_sources, retriever.ids, retriever.prices, retriever.vectors.matrix,
                         fingerprint=fingerprint, settings=settings)
    return serving_ranker(model, stats, retriever, settings)


def serving_ranker(model, stats: ItemStats, retriever: Retriever, settings: RankerSettings) -> Ranker:
    """`model` over `retriever`'s sources, with the item figures its sources were built from."""
    return Ranker(model, FeatureSpace.of(retriever), stats, retriever.vectors.matrix, settings)
