"""Plain-words reasons from the ranker's strongest feature contributions.

The contributions (LightGBM's per-feature SHAP values) are summed per reason group; the
groups that pushed a product up most are told in words, each from the figures behind it
(the shopper's own rhythm, the quoted rule, the counts). The strongest group sets the role.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set

import numpy as np

from ..recommend.sources import Scored
from ..recommend.types import Evidence, Role
from .features import FeatureSpace
from .items import ItemStats
from .shopper import DAY, ShopperView

ROLE_OF: dict[str, Role] = {
    "repeat": "buy again", "rules": "add-on", "copurchase": "add-on", "neighbours": "alternative",
    "profile": "for you", "tifu": "for you", "ease": "for you", "graph": "for you", "factors": "for you",
    "semantic": "match",
    "popularity": "popular", "trending": "popular",
}


def group_contributions(space: FeatureSpace, contrib: np.ndarray) -> dict[str, float]:
    """Reason group -> summed contribution for one candidate (bias and context left out)."""
    groups, codes = space.group_codes
    sums = np.bincount(codes, weights=contrib[: len(codes)], minlength=len(groups))
    return {g: float(v) for g, v in zip(groups, sums, strict=True) if g != "context"}


def _days(d: float) -> str:
    d = round(d)
    # Past two months a shopper counts in months ("695 days" read as a figure to work out).
    if d >= 730:
        return f"{round(d / 365.25)} years"
    if d >= 61:
        return f"{round(d / 30.44)} months"
    if d >= 14 and d % 7 in (0, 1, 6):
        weeks = round(d / 7)
        return f"{weeks} weeks"
    return f"{d} day{'s' if d != 1 else ''}"


def repeat_text(pid: str, view: ShopperView) -> str | None:
    r = view.items.get(pid)
    if r is None:
        return None
    since = (view.now - r.last_time) / DAY
    if r.baskets > 1 and r.last_time > r.first_time:
        every = (r.last_time - r.first_time) / DAY / (r.baskets - 1)
        return f"you buy this about every {_days(every)}; last time was {_days(since)} ago"
    return f"you bought it once before, {_days(since)} ago"


def explain(
    pid: str,
    groups: dict[str, float],
    entries: dict[str, Scored],
    view: ShopperView,
    stats: ItemStats,
    row: int,
    limit: int = 3,
) -> tuple[Role, list[Evidence]]:
    """The role and up to `limit` evidence entries for one ranked product, strongest first
    (one more, the shopper's own purchases of it, when that was not among them)."""
    ranked = sorted((g for g, v in groups.items() if v > 0), key=lambda g: -groups[g])
    evidence: list[Evidence] = []
    role: Role | None = None
    for group in ranked:
        ev = _evidence(group, pid, entries, view, stats, row, groups[group])
        if ev is None:
            continue
        role = role or ROLE_OF.get(group, "for you")
        evidence.append(ev)
        if len(evidence) == limit:
            break
    if not evidence:  # nothing pushed it up on its own: say what listed it
        for source, entry in entries.items():
            evidence.append(entry.evidence)
            role = ROLE_OF.get(source, "for you")
            break
    if pid in view.items and not any(e.source == "repeat" for e in evidence):
        # A product the shopper has bought always says so, even when their rhythm did not
        # push it up: "buy again" lists quote it, and it is a fact they would want told.
        again = _evidence("repeat", pid, entries, view, stats, row, groups.get("repeat", 0.0))
        if again is not None:
            evidence.append(again)
    return role or "for you", evidence


def _evidence(group, pid, entries: dict[str, Scored], view, stats: ItemStats, row, weight) -> Evidence | None:
    if group == "repeat":
        text = repeat_text(pid, view)
        r = view.items.get(pid)
        return None if text is None else Evidence("repeat", text, weight, times_bought=r.baskets)
    if group == "trending":
        if stats.recent[row] <= 0 or stats.trend[row] < 1.2:
            return None
        return Evidence("trending", (
            f"trending: in {int(stats.recent[row]):,} baskets over the last 4 weeks, "
            f"{stats.trend[row]:.1f} times its usual share"), weight)
    if group == "popularity":
        share = stats.popularity[row] / max(1, stats.baskets)
        return Evidence("popularity", f"popular: in {int(stats.popularity[row]):,} baskets ({share:.1%} of all)",
                        weight)
    entry = entries.get(group)
    if group == "tifu" and pid in view.items:
        return None  # for the shopper's own item, their rhythm (the repeat reason) says it better
    if entry is not None:
        e = entry.evidence
        return Evidence(e.source, e.text, weight, rule=e.rule, similarity=e.similarity,
                        related_to=e.related_to, matched_words=e.matched_words, times_bought=e.times_bought)
    return None


def by_source(lists: Mapping[str, Sequence[Scored]], wanted: Set[str] | None = None) -> dict[str, dict[str, Scored]]:
    """product id -> {source: its entry} (first entry per source), for the `wanted` ids only
    if given (a request explains 10 of its ~280 candidates)."""
    out: dict[str, dict[str, Scored]] = {}
    for source, scored in lists.items():
        for s in scored:
            if wanted is None or s.product_id in wanted:
                out.setdefault(s.product_id, {}).setdefault(source, s)
    return out
