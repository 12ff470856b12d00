"""Open a ready `Retriever` from the data root: the cleaned data, the index and the rules."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Sequence

from ..config import data_root, dataset_dir
from ..dataset import Dataset
from ..errors import IndexNotFoundError
from ..index.encoder import Encoder
from ..index.product_index import open_index
from ..rules.apply import apply_rules
from ..rules.store import RuleStore, load_rules
from .copurchase import CopurchaseModel
from .fusion import FusionWeights
from .retriever import Retriever

log = logging.getLogger(__name__)

WEIGHTS_FILE = "fusion_weights.json"


def rules_apply_for(store: RuleStore):
    """Adapt the rule store to the rules source: (items, k, exclude) -> [(id, score, [rule dicts])]."""

    def apply(items: Sequence[str], k: int, exclude: set[str]):
        # The rules source quotes one rule per candidate: the strongest.
        found = apply_rules(store, items, k=k, exclude=exclude, max_evidence=1)
        return [(c.product_id, c.score, [r.to_dict() for r in c.evidence],
                 {"rules_fired": float(c.n_rules), "rule_lift": c.max_lift}) for c in found]

    return apply


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


def open_retriever(
    root: str | os.PathLike[str] | None = None,
    *,
    dataset: Dataset | None = None,
    encoder: Encoder | None = None,
) -> Retriever:
    dataset = dataset or Dataset.load(dataset_dir(root))
    index = open_index(root, encoder=encoder)
    from ..ranking.fitting import item_stats, personal_sources_for
    from ..ranking.serving import open_ranker, served_graph
    from ..rules import MiningParams

    params = None
    try:
        store = load_rules(root)
        rules_apply = rules_apply_for(store)
        params = MiningParams.from_dict(store.meta.params)
    except IndexNotFoundError as exc:
        log.warning("no association rules (%s); recommending without bought-together", exc)
        rules_apply = None
    weights = load_weights(root, weights_fingerprint(dataset, params))
    stats = item_stats(dataset.baskets, dataset.catalogue)  # once, for the sources and the ranker
    retriever = Retriever(
        dataset.catalogue,
        index.mirror,
        encode_query=lambda text: index.encoder.encode_query(text),
        rules_apply=rules_apply,
        copurchase=copurchase_for(dataset),
        n_baskets=len(dataset.baskets),
        weights=weights.get("default"),
        discover_weights=weights.get("discover"),
        extra_sources=personal_sources_for(dataset.baskets, dataset.catalogue, stats,
                                           served_graph(dataset, params, root)),
        shop=dataset.shop,
    )
    retriever.ranker = open_ranker(retriever, dataset, params, stats, root)
    return retriever


def weights_fingerprint(dataset: Dataset, params) -> str:
    """Fusion weights are valid for one dataset mined with one set of rule settings."""
    rules = json.dumps(params.to_dict(), sort_keys=True, default=str) if params is not None else "no rules"
    return f"{dataset.fingerprint()}:{hashlib.sha256(rules.encode()).hexdigest()[:12]}"


def copurchase_for(dataset: Dataset) -> CopurchaseModel | None:
    """Customers-also-bought over the dataset's baskets (about a second), or None without
    the `implicit` package: the tuned weights expect this source, so serve it when we can."""
    if not len(dataset.baskets):
        return None
    try:
        return CopurchaseModel(dataset.catalogue.ids, dataset.baskets)
    except ImportError as exc:
        log.warning("no co-purchase source (%s); pip install 'shopassist[eval]' adds it", exc)
        return None
