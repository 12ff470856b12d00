"""Open a ready `Retriever` from the data root: the cleaned data, the index, the rules and the
models saved beside them (through the one composition root, `assemble`)."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass
from functools import partial

from ..config import data_root, dataset_dir
from ..dataset import Dataset
from ..errors import IndexNotFoundError
from ..index.encoder import Encoder
from ..index.product_index import open_index
from ..rules.store import RuleStore, load_rules
from .assemble import RetrieverParts, assemble_retriever
from .copurchase import CopurchaseModel
from .ease import EaseModel
from .factors import FactorModel
from .fusion import FusionWeights
from .item_neighbours import neighbour_table
from .retriever import Retriever
from .saved import saved_or_fitted

log = logging.getLogger(__name__)

WEIGHTS_FILE = "fusion_weights.json"


def load_weights(
    root: str | os.PathLike[str] | None = None, fingerprint: str | None = None
) -> dict[str, FusionWeights]:
    """Tuned fusion weights per mix ("default", "discover"), if the evaluation saved some.

    With `fingerprint`, weights tuned on another dataset count as none.
    """
    path = data_root(root) / WEIGHTS_FILE
    if not path.exists():
        return {}
    data = json.loads(path.read_text())
    if fingerprint is not None and data.get("dataset") != fingerprint:
        return {}
    return {mode: FusionWeights(**w) for mode, w in data.get("weights", {}).items()}


@dataclass
class Served:
    """What serving opens: the retriever and the rule store it answers from (None: no rules),
    read once for both the rules source and the assistant's `rules()`."""

    retriever: Retriever
    rules: RuleStore | None


def open_served(
    root: str | os.PathLike[str] | None = None,
    *,
    dataset: Dataset | None = None,
    encoder: Encoder | None = None,
) -> Served:
    """The retriever over what `shopassist build` saved under the data root, and its rules."""
    dataset = dataset or Dataset.load(dataset_dir(root))
    index = open_index(root, encoder=encoder)
    from ..ranking.fitting import item_stats, personal_sources_for
    from ..ranking.serving import open_ranker, served_graph
    from ..rules import MiningParams

    params = store = None
    try:
        store = load_rules(root)
        params = MiningParams.from_dict(store.meta.params)
    except IndexNotFoundError as exc:
        log.warning("no association rules (%s); recommending without bought-together", exc)
    weights = load_weights(root, weights_fingerprint(dataset, params))
    stats = item_stats(dataset.baskets, dataset.catalogue)  # once, for the sources and the ranker
    parts = RetrieverParts(
        dataset.catalogue,
        index.mirror,
        n_baskets=len(dataset.baskets),
        rules=store,
        copurchase=copurchase_for(dataset, root),
        # The index loads its encoder on the first question, not at open.
        encode_query=lambda text: index.encoder.encode_query(text),
        weights=weights.get("default"),
        discover_weights=weights.get("discover"),
        extra_sources=personal_sources_for(dataset.baskets, dataset.catalogue, stats,
                                           served_graph(dataset, params, root),
                                           ease=lambda: ease_for(dataset, root),
                                           factors=lambda: factors_for(dataset, root)),
        shop=dataset.shop,
        neighbour_table=partial(neighbour_table, root=root, saved=True),
    )
    retriever = assemble_retriever(
        parts, ranker=lambda retriever: open_ranker(retriever, dataset, params, stats, root))
    return Served(retriever, store)


def open_retriever(
    root: str | os.PathLike[str] | None = None,
    *,
    dataset: Dataset | None = None,
    encoder: Encoder | None = None,
) -> Retriever:
    """`open_served`'s retriever alone."""
    return open_served(root, dataset=dataset, encoder=encoder).retriever


def open_catalogue_retriever(root: str | os.PathLike[str] | None = None) -> Retriever:
    """A retriever over the saved catalogue and the index alone, for `similar_items`.

    `similar_items` reads only the neighbours and (as a faint fill) the catalogue's
    popularity, so this answers it exactly as the served retriever does, without fitting
    the sources that learn from baskets (seconds at every start).
    """
    from ..datasets import resolve_dataset

    index = open_index(root)  # first: without an index there is nothing to say
    dataset = resolve_dataset(root=root).dataset
    return assemble_retriever(RetrieverParts(
        dataset.catalogue, index.mirror, n_baskets=len(dataset.baskets), shop=dataset.shop,
        neighbour_table=partial(neighbour_table, root=root, saved=True)))


def weights_fingerprint(dataset: Dataset, params) -> str:
    """Fusion weights are valid for one dataset mined with one set of rule settings."""
    rules = json.dumps(params.to_dict(), sort_keys=True, default=str) if params is not None else "no rules"
    return f"{dataset.fingerprint()}:{hashlib.sha256(rules.encode()).hexdigest()[:12]}"


def copurchase_for(dataset: Dataset, root: str | os.PathLike[str] | None = None) -> CopurchaseModel | None:
    """Customers-also-bought over the dataset's baskets, or None without the `implicit`
    package: the tuned weights expect this source, so serve it when we can. Fitted once
    (seconds) and saved under the data root; later starts load it."""
    if not len(dataset.baskets):
        return None
    ids = dataset.catalogue.ids
    try:
        return saved_or_fitted(root, "copurchase", CopurchaseModel.key(ids, dataset.baskets),
                               lambda: CopurchaseModel(ids, dataset.baskets),
                               CopurchaseModel.save, CopurchaseModel.load)
    except ImportError as exc:
        log.warning("no co-purchase source (%s); pip install 'shopassist[eval]' adds it", exc)
        return None


def ease_for(dataset: Dataset, root: str | os.PathLike[str] | None = None) -> EaseModel:
    """The EASE source's weights over the dataset's baskets: fitted once (seconds, a dense
    item x item inverse) and saved under the data root; later starts load them."""
    ids = [str(i) for i in dataset.catalogue.frame.index]
    return saved_or_fitted(root, "ease", EaseModel.key(ids, dataset.baskets),
                           lambda: EaseModel(ids, dataset.baskets), EaseModel.save, EaseModel.load)


def factors_for(dataset: Dataset, root: str | os.PathLike[str] | None = None) -> FactorModel:
    """The ALS source's factors over the dataset's baskets: fitted once (seconds) and saved
    under the data root; later starts load them."""
    model = FactorModel([str(i) for i in dataset.catalogue.frame.index])
    return saved_or_fitted(root, "factors", model.key(dataset.baskets), lambda: model.fit(dataset.baskets),
                           FactorModel.save, model.load)
