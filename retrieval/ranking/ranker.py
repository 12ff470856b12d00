"""The learned ranker at work: candidates from every source, features, LightGBM, reasons.

`Ranker.rank` serves a model (trained by `training.train_ranker` on inner cuts) over
sources fitted on all the baskets; `RankerSettings` are what both sides agree on.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..baskets import Baskets
from ..config import positive_env
from ..recommend.sources import Context, Scored
from ..recommend.types import Evidence, Role
from .explain import by_source, explain, group_contributions
from .features import FeatureSpace, build_features, list_candidates
from .items import ItemStats
from .model import RankerModel
from .shopper import ShopperView

log = logging.getLogger(__name__)

FEATURES_VERSION = 1


@dataclass(frozen=True)
class RankerSettings:
    depth: int = 50  # each source's list length; the candidates are their union
    label_months: int = 3  # the (latest) inner cut sits this long before the last basket
    # Inner cuts, a month apart; each refits every source, and the cuts run side by side.
    # Two measured ahead of one at three test cuts (NDCG@10 all +1.2% on the bundled shop and
    # on Complete Journey, mode new +3.6% bundled, level there; bench/RESULTS.md, "Ranker
    # settings"); a third would refit every source once more for no core left to run it on.
    cuts: int = 2
    max_shoppers: int = 2500  # training shoppers per mode and cut (a spread sample beyond this)
    rounds: int = 300
    graph_seconds: float = 60.0  # LightGCN's training budget per fit (two fits per build)

    def key(self) -> dict:
        return {**asdict(self), "features": FEATURES_VERSION}

    @classmethod
    def from_env(cls) -> RankerSettings:
        """The defaults, with a smaller, quicker build where the environment asks for one:
        SHOPASSIST_RANKER_SHOPPERS (training shoppers per mode) and
        SHOPASSIST_RANKER_GRAPH_SECONDS (the graph model's budget) and SHOPASSIST_RANKER_CUTS
        (inner cuts a month apart to learn from: 1 trains on half the rows, for about 1% less
        NDCG@10). They are part of the fingerprint, so a model trained with other values is
        refused, never mixed up."""
        values: dict[str, Any] = {}  # max_shoppers and cuts ints, graph_seconds a float
        for name, key, kind in (("SHOPASSIST_RANKER_SHOPPERS", "max_shoppers", int),
                                ("SHOPASSIST_RANKER_CUTS", "cuts", int),
                                ("SHOPASSIST_RANKER_GRAPH_SECONDS", "graph_seconds", float)):
            value = positive_env(name, kind)
            if value is not None:
                values[key] = value
        return cls(**values)


DEFAULT_SETTINGS = RankerSettings()


@dataclass
class Ranked:
    product_id: str
    score: float
    role: Role
    evidence: list[Evidence]


def ranker_fingerprint(dataset_fp: str, rules_key: dict, settings: RankerSettings, sources: Sequence[str]) -> str:
    """What a model is only valid for: these baskets, these rule settings, these candidates."""
    blob = json.dumps({"data": dataset_fp, "rules": rules_key, "settings": settings.key(),
                       "sources": list(sources)}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def day_after(baskets: Baskets) -> pd.Timestamp:
    """Midnight after the last basket: 'now' for a model or a stats snapshot of these baskets."""
    return pd.Timestamp(baskets.lines["timestamp"].max()).normalize() + pd.Timedelta(days=1)


class Ranker:
    def __init__(self, model: RankerModel, space: FeatureSpace, stats: ItemStats,
                 vectors: np.ndarray | None, settings: RankerSettings) -> None:
        self.model, self.space, self.stats, self.vectors, self.settings = model, space, stats, vectors, settings

    def features(self, ctx: Context, lists: dict[str, list[Scored]]) -> tuple[list[str], np.ndarray, ShopperView]:
        return candidate_features(self.space, self.stats, self.vectors, ctx, lists)

    def rank(self, ctx: Context, lists: dict[str, list[Scored]], mode: str, k: int) -> list[Ranked]:
        candidates, x, view = self.features(ctx, lists)
        if not candidates:
            return []
        scores = self.model.predict(mode, x)
        order = np.lexsort((np.array(candidates), -scores))[:k]
        contrib = self.model.contributions(mode, x[order])
        entries = by_source(lists, {candidates[i] for i in order})
        out = []
        for j, i in enumerate(order):
            pid = candidates[i]
            groups = group_contributions(self.space, contrib[j])
            role, evidence = explain(pid, groups, entries.get(pid, {}), view, self.stats, ctx.position[pid])
            out.append(Ranked(pid, float(scores[i]), role, evidence))
        return out


def candidate_features(
    space: FeatureSpace, stats: ItemStats, vectors: np.ndarray | None, ctx: Context,
    lists: dict[str, list[Scored]],
) -> tuple[list[str], np.ndarray, ShopperView]:
    """The candidates (every source's union) and their feature rows, for ranking or training."""
    view = ShopperView.of(ctx.baskets, ctx.now or stats.as_of)
    listed = list_candidates(lists, ctx.mask, ctx.position)
    x = build_features(space, listed, lists, view, stats, ctx.position, vectors)
    return listed.ids, x, view
