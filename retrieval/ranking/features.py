"""The ranker's features for (shopper, candidate) pairs, in one fixed, named order.

Every feature is read from three things only: the sources' lists for this request, the
shopper's `ShopperView` (their baskets before `now`) and the `ItemStats` (all baskets
before the stats' `as_of`). Missing values are NaN, which LightGBM routes on its own.
"""

from __future__ import annotations

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


@dataclass(frozen=True)
class Listed:
    """Every source's candidates once each, in first-seen order, allowed by the mask, and
    where each source listed them (read in one pass over the lists)."""

    ids: list[str]
    rows: np.ndarray  # catalogue rows of `ids`
    # source -> (candidate index of each entry, -1 if not a candidate; each entry's score)
    entries: dict[str, tuple[np.ndarray, np.ndarray]]


def list_candidates(lists: dict[str, list[Scored]], mask: np.ndarray, position: dict[str, int]) -> Listed:
    names = list(lists)
    pids = [s.product_id for name in names for s in lists[name]]
    scores = np.fromiter((s.score for name in names for s in lists[name]), np.float64, len(pids))
    rows = np.fromiter((position.get(p, -1) for p in pids), np.int64, len(pids))
    ok = np.flatnonzero(rows >= 0)
    ok = ok[mask[rows[ok]]]
    unique, first, inverse = np.unique(rows[ok], return_index=True, return_inverse=True)
    seen = np.argsort(first, kind="stable")  # first-seen order
    place = np.empty(len(unique), dtype=np.int64)
    place[seen] = np.arange(len(unique))
    slot = np.full(len(pids), -1, dtype=np.int64)
    slot[ok] = place[inverse.ravel()]
    bounds = np.cumsum([0, *(len(lists[name]) for name in names)])
    return Listed([pids[i] for i in ok[first[seen]]], unique[seen],
                  {name: (slot[a:b], scores[a:b]) for name, a, b in zip(names, bounds[:-1], bounds[1:], strict=True)})


def build_features(
    space: FeatureSpace,
    listed: Listed,
    lists: dict[str, list[Scored]],
    view: ShopperView,
    stats: ItemStats,
    position: dict[str, int],
    vectors: np.ndarray | None = None,
) -> np.ndarray:
    """A (len(listed.ids) x len(space.names)) float32 matrix."""
    candidates, rows = listed.ids, listed.rows
    n = len(candidates)
    cols: list[np.ndarray] = []
    for source in space.sources:
        score, rank = np.zeros(n), np.full(n, NAN)
        at, values = listed.entries.get(source, (np.zeros(0, np.int64), np.zeros(0)))
        if len(at):
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
    cols += _rules(lists.get("rules") or [], listed, n)
    cols.append(_recent_similarity(view, rows, position, vectors))
    return np.column_stack(cols).astype(np.float32) if n else np.zeros((0, len(space.names)), np.float32)


def _repurchase(candidates, view: ShopperView, stats: ItemStats, rows) -> list[np.ndarray]:
    n = len(candidates)
    out = {name: np.full(n, NAN) for name in REPURCHASE}
    out["times_bought"][:] = 0.0
    out["basket_share"][:] = 0.0
    items = view.items
    owned = [(i, r) for i, pid in enumerate(candidates) if (r := items.get(pid)) is not None]
    if not owned:
        return [out[name] for name in REPURCHASE]
    at = np.array([i for i, _ in owned])
    baskets = np.array([r.baskets for _, r in owned], dtype=np.float64)
    last = np.array([r.last for _, r in owned], dtype=np.float64)
    first_time = np.array([r.first_time for _, r in owned])
    last_time = np.array([r.last_time for _, r in owned])
    days = (view.now - last_time) / DAY
    with np.errstate(divide="ignore", invalid="ignore"):
        own = np.where(baskets > 1, (last_time - first_time) / DAY / np.maximum(baskets - 1, 1), NAN)
        shop = stats.interval_days[rows[at]]
        out["times_bought"][at] = baskets
        out["basket_share"][at] = baskets / max(1, view.baskets)
        out["baskets_since"][at] = view.baskets - 1 - last
        out["days_since"][at] = days
        out["own_interval"][at] = own
        out["own_due"][at] = np.where(own > 0, days / own, NAN)  # NaN > 0 is False: NaN stays
        out["shop_due"][at] = np.where(shop > 0, days / shop, NAN)
        basket = view.interval_days
        out["basket_due"][at] = days / basket if basket and basket > 0 else NAN
    return [out[name] for name in REPURCHASE]


def _rules(scored: list[Scored], listed: Listed, n: int) -> list[np.ndarray]:
    conf, lift, fired = np.zeros(n), np.zeros(n), np.zeros(n)
    if not scored:
        return [conf, lift, fired]
    for s, i in zip(scored, listed.entries["rules"][0].tolist(), strict=True):
        if i < 0:
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
