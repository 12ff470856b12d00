"""The ranker's features for (shopper, candidate) pairs, in one fixed, named order.

Every feature is read from three things only: the sources' lists for this request, the
shopper's `ShopperView` (their baskets before `now`) and the `ItemStats` (all baskets
before the stats' `as_of`). Missing values are NaN, which LightGBM routes on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..recommend.sources import Scored
from .items import ItemStats
from .shopper import DAY, ShopperView

NAN = float("nan")

REPURCHASE = (
    "times_bought", "basket_share", "baskets_since", "days_since", "own_interval",
    "own_due", "shop_due", "basket_due",
)
ITEM = ("popularity", "recent_share", "trend", "repurchase_rate", "item_interval", "price", "buyer_share")
SHOPPER = ("shopper_baskets", "basket_size", "shopper_interval", "days_since_basket", "repeat_share")
RULES = ("rule_confidence", "rule_lift", "rules_fired")
SIMILARITY = ("recent_similarity",)

# Which reason a feature speaks for (explanations and roles are read per group).
GROUP_OF = {
    **dict.fromkeys(REPURCHASE, "repeat"),
    **dict.fromkeys(("popularity", "buyer_share"), "popularity"),
    **dict.fromkeys(("recent_share", "trend"), "trending"),
    "repurchase_rate": "repeat", "item_interval": "repeat", "price": "context",
    **dict.fromkeys(SHOPPER, "context"),
    **dict.fromkeys(RULES, "rules"),
    "recent_similarity": "neighbours",
}


@dataclass(frozen=True)
class FeatureSpace:
    """The feature names for a given set of sources (their score and rank come first)."""

    sources: tuple[str, ...]

    @classmethod
    def of(cls, retriever) -> FeatureSpace:
        """The space of a retriever's sources: every one but the question's."""
        return cls(tuple(n for n in retriever.sources if n != "semantic"))

    @property
    def names(self) -> list[str]:
        per_source = [f"{s}_{kind}" for s in self.sources for kind in ("score", "rank")]
        return [*per_source, *REPURCHASE, *ITEM, *SHOPPER, *RULES, *SIMILARITY]

    def group(self, name: str) -> str:
        for s in self.sources:
            if name in (f"{s}_score", f"{s}_rank"):
                return s
        return GROUP_OF[name]

    @cached_property
    def group_codes(self) -> tuple[tuple[str, ...], np.ndarray]:
        """The reason groups in first-seen order, and each feature's group as an index into
        them (explanations sum contributions per group on every request)."""
        groups = list(dict.fromkeys(self.group(n) for n in self.names))
        return tuple(groups), np.array([groups.index(self.group(n)) for n in self.names])


def candidate_union(lists: dict[str, list[Scored]], mask: np.ndarray, position: dict[str, int]) -> list[str]:
    """Every source's candidates, once each, in first-seen order, allowed by the mask."""
    seen: dict[str, None] = {}
    for scored in lists.values():
        for s in scored:
            at = position.get(s.product_id)
            if at is not None and mask[at]:
                seen.setdefault(s.product_id, None)
    return list(seen)


def build_features(
    space: FeatureSpace,
    candidates: Sequence[str],
    lists: dict[str, list[Scored]],
    view: ShopperView,
    stats: ItemStats,
    position: dict[str, int],
    vectors: np.ndarray | None = None,
) -> np.ndarray:
    """A (len(candidates) x len(space.names)) float32 matrix."""
    n = len(candidates)
    rows = np.array([position[c] for c in candidates], dtype=np.int64)
    index = {c: i for i, c in enumerate(candidates)}
    cols: list[np.ndarray] = []
    for source in space.sources:
        score, rank = np.zeros(n), np.full(n, NAN)
        scored = lists.get(source) or []
        if scored:
            at = np.fromiter((index.get(s.product_id, -1) for s in scored), np.int64, len(scored))
            values = np.fromiter((s.score for s in scored), np.float64, len(scored))
            top = float(values.max()) or 1.0
            # A product listed twice by one source keeps its first (best) place.
            firsts = np.unique(at, return_index=True)[1]
            firsts = firsts[at[firsts] >= 0]
            score[at[firsts]], rank[at[firsts]] = values[firsts] / top, firsts + 1
        cols += [score, rank]
    cols += _repurchase(candidates, view, stats, rows)
    share = stats.popularity[rows] / max(1, stats.baskets)
    cols += [share, stats.recent[rows] / max(1, stats.recent_baskets), stats.trend[rows],
             stats.repurchase_rate[rows], stats.interval_days[rows], stats.price[rows],
             stats.buyers[rows] / max(1.0, float(stats.buyers.max(initial=1.0)))]
    cols += [np.full(n, v) for v in (view.baskets, view.basket_size, view.interval_days,
                                       view.days_since_basket, view.repeat_share)]
    cols += _rules(candidates, lists.get("rules") or [], index)
    cols.append(_recent_similarity(view, rows, position, vectors))
    return np.column_stack(cols).astype(np.float32) if n else np.zeros((0, len(space.names)), np.float32)


def _repurchase(candidates, view: ShopperView, stats: ItemStats, rows) -> list[np.ndarray]:
    n = len(candidates)
    out = {name: np.full(n, NAN) for name in REPURCHASE}
    out["times_bought"][:] = 0.0
    out["basket_share"][:] = 0.0
    items = view.items
    for i, pid in enumerate(candidates):
        r = items.get(pid)
        if r is None:
            continue
        days = (view.now - r.last_time) / DAY
        own = (r.last_time - r.first_time) / DAY / (r.baskets - 1) if r.baskets > 1 else NAN
        out["times_bought"][i] = r.baskets
        out["basket_share"][i] = r.baskets / max(1, view.baskets)
        out["baskets_since"][i] = view.baskets - 1 - r.last
        out["days_since"][i] = days
        out["own_interval"][i] = own
        out["own_due"][i] = days / own if own and own > 0 else NAN
        shop = stats.interval_days[rows[i]]
        out["shop_due"][i] = days / shop if shop and shop > 0 else NAN
        out["basket_due"][i] = days / view.interval_days if view.interval_days and view.interval_days > 0 else NAN
    return [out[name] for name in REPURCHASE]


def _rules(candidates, scored: list[Scored], index) -> list[np.ndarray]:
    n = len(candidates)
    conf, lift, fired = np.zeros(n), np.zeros(n), np.zeros(n)
    for s in scored:
        i = index.get(s.product_id)
        if i is None:
            continue
        # The figures come with the candidate (its evidence is written only when shown).
        conf[i] = s.features.get("rule_confidence", 0.0)
        lift[i] = s.features.get("rule_lift", 0.0)
        fired[i] = s.features.get("rules_fired", 1.0)
    return [conf, lift, fired]


def _recent_similarity(view: ShopperView, rows, position, vectors) -> np.ndarray:
    if vectors is None or not view.recent:
        return np.full(len(rows), NAN)
    recent = [position[p] for p in view.recent[:10] if p in position]
    if not recent:
        return np.full(len(rows), NAN)
    profile = vectors[recent].mean(axis=0)
    norm = float(np.linalg.norm(profile))
    if norm == 0:
        return np.full(len(rows), NAN)
    return vectors[rows] @ (profile / norm)
