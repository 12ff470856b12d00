"""The learned ranker at work: candidates from every source, features, LightGBM, reasons.

`train_ranker` fits it the only way that cannot leak: the sources are refitted on the
baskets before an inner cut, features are computed as of that cut, and the labels are each
shopper's next basket after it (the evaluation's protocol, moved back by `label_months`).
`Ranker.rank` then serves it over sources fitted on all the baskets.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from ..baskets import Baskets
from ..config import positive_env
from ..errors import DataError
from ..recommend.sources import Context, Scored
from ..recommend.types import Evidence, Filters, Role
from .explain import by_source, explain, group_contributions
from .features import FeatureSpace, build_features, list_candidates
from .items import ItemStats
from .model import MODES, RankerModel, TrainingData, fit_booster
from .shopper import ShopperView

log = logging.getLogger(__name__)

FEATURES_VERSION = 1


@dataclass(frozen=True)
class RankerSettings:
    depth: int = 50  # each source's list length; the candidates are their union
    label_months: int = 3  # the (latest) inner cut sits this long before the last basket
    cuts: int = 1  # inner cuts, a month apart; each refits every source
    # Training shoppers per mode (a spread sample beyond this). Measured on the validation
    # split of the bundled data: a second cut (twice the shoppers) moved NDCG@10 by
    # -0.002 (all) / +0.003 (new) for 1.5x the training time, so one cut is the default.
    max_shoppers: int = 2500
    rounds: int = 300
    graph_seconds: float = 60.0  # LightGCN's training budget per fit (two fits per build)

    def key(self) -> dict:
        return {**asdict(self), "features": FEATURES_VERSION}

    @classmethod
    def from_env(cls) -> RankerSettings:
        """The defaults, with a smaller, quicker build where the environment asks for one:
        SHOPASSIST_RANKER_SHOPPERS (training shoppers per mode) and
        SHOPASSIST_RANKER_GRAPH_SECONDS (the graph model's budget). They are part of the
        fingerprint, so a model trained with other values is refused, never mixed up."""
        values: dict[str, Any] = {}  # max_shoppers an int, graph_seconds a float
        for name, key, kind in (("SHOPASSIST_RANKER_SHOPPERS", "max_shoppers", int),
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


def training_rows(
    retriever, cases: Sequence[tuple], mode: str, space: FeatureSpace, stats: ItemStats,
    now: pd.Timestamp, depth: int, vectors: np.ndarray | None, desc: str = "ranker rows",
) -> TrainingData:
    """Features and labels for (history, target) cases; shoppers with no positive are dropped."""
    xs, ys, groups = [], [], []
    found = total = 0
    for history, target in tqdm(cases, desc=f"{desc} ({mode})", leave=False, disable=None):
        request = request_context(retriever, history.baskets, now, mode, depth)
        lists = retriever.source_lists(request, depth)
        candidates, x, _ = candidate_features(space, stats, vectors, request.ctx, lists)
        wanted = set(target)
        y = np.array([c in wanted for c in candidates], dtype=np.float32)
        total += len(wanted)
        found += int(y.sum())
        if y.sum() == 0:
            continue
        xs.append(x)
        ys.append(y)
        groups.append(len(candidates))
    if not groups:
        raise DataError("no training shopper has a next-basket item among the candidates")
    return TrainingData(np.vstack(xs), np.concatenate(ys), groups, len(groups), found / max(1, total))


def request_context(retriever, baskets, now, mode: str, depth: int):
    """The retriever's prepared request for a dated history (the same one serving builds)."""
    filters = Filters(exclude_owned=mode == "new")
    return retriever.prepare(history=list(baskets), k=min(depth, 200), filters=filters, now=now)


def train_ranker(
    baskets: Baskets,
    fit_sources: Callable[[Baskets, ItemStats], object],
    catalogue_ids: Sequence[str],
    prices: np.ndarray,
    vectors: np.ndarray | None,
    fingerprint: str,
    settings: RankerSettings = DEFAULT_SETTINGS,
) -> RankerModel:
    """Fit both modes' LambdaRank models on an inner cut of `baskets` (see the module docstring)."""
    from ..evaluation.cases import mode_cases
    from ..evaluation.split import temporal_split

    started = time.perf_counter()
    model = RankerModel([], fingerprint)
    rows: dict[str, list[TrainingData]] = {m: [] for m in MODES}
    cuts = []
    for i in range(settings.cuts):
        # Each cut a month earlier than the last: more shoppers' next baskets to learn from.
        split = temporal_split(baskets, settings.label_months + i, name="ranker")
        cuts.append(str(split.cut))
        # One snapshot of the item figures, as of the cut, for the sources and the features.
        stats = ItemStats.compute(split.train, catalogue_ids, prices, split.cut)
        retriever = fit_sources(split.train, stats)
        space = FeatureSpace.of(retriever)
        model.feature_names = space.names
        for mode in MODES:
            histories, targets, _ = mode_cases(split, mode)
            cases = list(zip(histories, targets, strict=True))
            step = max(1, -(-len(cases) // settings.max_shoppers))
            try:
                rows[mode].append(training_rows(retriever, cases[::step], mode, space, stats, split.cut,
                                                settings.depth, vectors))
            except DataError as exc:
                log.warning("no %s-mode rows at cut %s (%s)", mode, split.cut.date(), exc)
    for mode in MODES:
        if not rows[mode]:
            log.warning("no %s-mode ranker; the fusion ranks that mode", mode)
            continue
        data = TrainingData.concat(rows[mode])
        model.boosters[mode] = fit_booster(data, settings.rounds, mode=mode)
        model.report[mode] = {"shoppers": data.shoppers, "rows": int(len(data.labels)),
                              "candidate_recall": round(data.recall, 4),
                              "rounds": model.boosters[mode].current_iteration()}
    if not model.boosters:
        raise DataError("no shopper's next basket could be learned from (too few returning shoppers)")
    model.report.update(cuts=cuts, seconds=round(time.perf_counter() - started, 1),
                        settings=settings.key())
    log.info("ranker trained in %.0f s: %s", time.perf_counter() - started, model.report)
    return model
