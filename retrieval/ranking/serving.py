"""The served ranker: trained by `shopassist build`, opened with the retriever.

Training refits every source on the saved baskets before each inner cut with the saved
rules' own settings; the fingerprint ties the model to those baskets, those settings and
that set of sources, so `open_ranker` can tell a model it may use from a stale one.
"""

from __future__ import annotations

import logging
import os

from ..dataset import Dataset
from ..recommend.item_neighbours import neighbour_table
from ..recommend.retriever import Retriever
from ..recommend.vectors import ExactVectors
from ..rules import MiningParams
from .features import FeatureSpace
from .fitting import (
    SERVED_SOURCES,
    SourceFitter,
    fit_graph,
    graph_params,
    serving_ranker,
)
from .items import ItemStats
from .model import RankerModel
from .ranker import Ranker, RankerSettings, ranker_fingerprint
from .store import drop_other_graphs, load_graph, load_ranker, save_graph, save_ranker
from .training import train_ranker

log = logging.getLogger(__name__)


MIN_RETURNING = 50


def can_rank(dataset: Dataset) -> str | None:
    """Why a learned ranker cannot be trained on `dataset`, or None when it can: it needs
    dates and enough shoppers who came back (who bought what, when, and again)."""
    lines = dataset.baskets.lines
    if not len(lines) or lines["timestamp"].isna().any():
        return "the baskets have no dates"
    known = lines.dropna(subset=["customer_id"]).drop_duplicates("basket_id")
    returning = int((known.groupby("customer_id").size() >= 2).sum())
    if returning < MIN_RETURNING:
        return f"only {returning} shoppers have two or more baskets (at least {MIN_RETURNING} are needed)"
    return None


def fingerprint_for(dataset: Dataset, params: MiningParams, sources, settings: RankerSettings) -> str:
    return ranker_fingerprint(dataset.fingerprint(), params.to_dict(), settings, tuple(sources))


def saved_is_current(dataset: Dataset, params: MiningParams, root, settings: RankerSettings | None = None) -> bool:
    """Whether the saved model was trained on exactly these baskets and rule settings."""
    settings = settings or RankerSettings.from_env()
    from .store import ranker_path

    path = ranker_path(root)
    if not path.exists():
        return False
    try:
        fingerprint = RankerModel.load(path).fingerprint
    except (OSError, ValueError, KeyError):
        return False
    return fingerprint == fingerprint_for(dataset, params, SERVED_SOURCES, settings)


def train_served_ranker(
    dataset: Dataset,
    vectors: ExactVectors,
    params: MiningParams,
    root: str | os.PathLike[str] | None = None,
    settings: RankerSettings | None = None,
) -> RankerModel:
    """Train on the dataset's own baskets and save it beside the index (replacing the old one)."""
    settings = settings or RankerSettings.from_env()
    catalogue = dataset.catalogue
    graph = graph_params(settings)
    fit_sources = SourceFitter(catalogue, vectors, params, graph)
    ids = [str(i) for i in catalogue.frame.index]
    prices = catalogue.frame["price"].to_numpy(dtype=float)
    aligned = vectors.aligned_to(ids)
    # The products' neighbour table, saved for serving; every refit below reuses it.
    neighbour_table(aligned, root, saved=True)
    fingerprint = fingerprint_for(dataset, params, SERVED_SOURCES, settings)
    model = train_ranker(dataset.baskets, fit_sources, ids, prices, aligned.matrix, fingerprint, settings)
    if model.feature_names != FeatureSpace(SERVED_SOURCES).names:
        raise RuntimeError("the training sources differ from the served ones")
    # The served graph is trained on every basket; it is written before the model that
    # needs it, and the model file's replacement is the switch.
    save_graph(fit_graph(dataset.baskets, ids, graph), root, fingerprint)
    save_ranker(model, root)
    drop_other_graphs(root, fingerprint)
    return model


def served_graph(dataset: Dataset, params: MiningParams | None, root, settings: RankerSettings | None = None):
    """The graph model saved with the ranker for these baskets and rules, if any."""
    if params is None:
        return None
    settings = settings or RankerSettings.from_env()
    return load_graph(root, fingerprint_for(dataset, params, SERVED_SOURCES, settings))


def open_ranker(
    retriever: Retriever,
    dataset: Dataset,
    params: MiningParams | None,
    stats: ItemStats | None,
    root: str | os.PathLike[str] | None = None,
    settings: RankerSettings | None = None,
) -> Ranker | None:
    """The saved model over `retriever`'s sources (built from the item figures `stats`), or
    None (logged) when it does not fit them."""
    if params is None or stats is None or can_rank(dataset) is not None:
        return None
    settings = settings or RankerSettings.from_env()
    sources = FeatureSpace.of(retriever).sources
    expected = fingerprint_for(dataset, params, sources, settings)
    model = load_ranker(root, expected, FeatureSpace(sources).names)
    if model is None:
        return None
    return serving_ranker(model, stats, retriever, settings)
