"""Apply rules to a basket (or a purchase history): ranked consequents with their evidence.

Scoring, per candidate product c not already in the basket:

1. Fired rules: every rule A -> c with A inside the basket.
2. Generalisations are dropped: if A ⊂ A' and both A -> c and A' -> c fired, only A' -> c
   counts, because its confidence already estimates P(c | A') with A' the more specific
   evidence; counting both would count the same baskets twice.
3. score = noisy-or of the remaining confidences, 1 - prod(1 - confidence): the chance
   that at least one rule "delivers", treating distinct antecedents as independent
   evidence. One rule gives its confidence; more agreeing rules push the score towards 1.
4. Ties (equal scores) go to the higher maximum lift, then to the product id.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from ..baskets import Basket
from ..errors import ConfigError
from .model import Rule
from .store import RuleStore


@dataclass(frozen=True)
class RuleCandidate:
    """A product suggested by association rules, with the rules to quote as evidence."""

    product_id: str
    score: float  # noisy-or of the confidences of the counted rules, in (0, 1]
    max_confidence: float
    max_lift: float
    n_rules: int  # rules counted in the score (generalisations of other fired rules dropped)
    evidence: tuple[Rule, ...]  # the counted rules, highest confidence first, at most max_evidence


def apply_rules(
    store: RuleStore,
    basket: Iterable[str],
    *,
    k: int = 10,
    exclude: Iterable[str] = (),
    restrict: Iterable[str] | None = None,
    min_confidence: float = 0.0,
    max_evidence: int = 3,
) -> list[RuleCandidate]:
    """The `k` best consequents of the rules that fire on `basket`, excluding its own items.

    exclude: further product ids never to suggest; restrict: if given, only suggest these.
    """
    if k < 1 or max_evidence < 1:
        raise ConfigError(f"k and max_evidence must be >= 1, got k={k}, max_evidence={max_evidence}")
    items = set(basket)
    banned = store.codes(items | set(exclude))
    rows = store.fired(items)
    conf = store.column("confidence")
    rows = rows[conf[rows] >= min_confidence]
    cons = store.consequent_codes(rows)
    keep = ~np.isin(cons, banned)
    if restrict is not None:
        keep &= np.isin(cons, store.codes(restrict))
    rows, cons = rows[keep], cons[keep]
    if not len(rows):
        return []
    lift = store.column("lift")
    order = np.argsort(cons, kind="stable")  # rows stay in store (strength) order per product
    rows, cons = rows[order], cons[order]
    starts = np.flatnonzero(np.r_[True, cons[1:] != cons[:-1]])
    # Drop generalisations (step 2) only where a multi-item antecedent fired: with pairs
    # only, or single-item antecedents, there is nothing to drop and the groups stay whole.
    multi = store.antecedent_lengths(rows) > 1
    if multi.any():
        group_of = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(rows)]))
        keep = np.ones(len(rows), dtype=bool)
        for g in np.unique(group_of[multi]):
            lo = starts[g]
            hi = starts[g + 1] if g + 1 < len(starts) else len(rows)
            keep[lo:hi] = np.isin(rows[lo:hi], _most_specific(store, rows[lo:hi]))
        rows, cons = rows[keep], cons[keep]
        starts = np.flatnonzero(np.r_[True, cons[1:] != cons[:-1]])
    # Score every consequent with array reductions (a long history fires thousands of
    # rules), then build Rule objects for the top k only.
    confs = conf[rows]
    scores = 1.0 - np.exp(np.add.reduceat(np.log1p(-np.minimum(confs, 1.0 - 1e-12)), starts))
    scores = np.where(np.maximum.reduceat(confs, starts) >= 1.0, 1.0, scores)
    max_lift = np.maximum.reduceat(lift[rows], starts)
    names = store.items[cons[starts]].astype(str)
    top = np.lexsort((names, -max_lift, -scores))[:k]
    ends = np.r_[starts[1:], len(rows)]
    candidates = []
    for g in top:
        group, group_conf = rows[starts[g]:ends[g]], confs[starts[g]:ends[g]]
        best = group[np.argsort(-group_conf, kind="stable")]
        candidates.append(RuleCandidate(
            product_id=str(names[g]),
            score=float(scores[g]),
            max_confidence=float(group_conf.max()),
            max_lift=float(max_lift[g]),
            n_rules=len(group),
            evidence=tuple(store.rules(best[:max_evidence])),
        ))
    return candidates


def apply_rules_to_history(
    store: RuleStore, history: Iterable[Basket | Iterable[str]], **options
) -> list[RuleCandidate]:
    """`apply_rules` on everything a customer bought; nothing they own is suggested."""
    items: set[str] = set()
    for basket in history:
        items.update(basket.items if isinstance(basket, Basket) else basket)
    return apply_rules(store, items, **options)


def _most_specific(store: RuleStore, rows: np.ndarray) -> np.ndarray:
    """Drop rules whose antecedent is a proper subset of another fired rule's (same consequent)."""
    lengths = store.antecedent_lengths(rows)
    if len(rows) < 2 or lengths.max() == 1:
        return rows  # distinct one-item antecedents cannot contain each other
    ants = [frozenset(store.antecedent_codes(int(r)).tolist()) for r in rows]
    kept = [r for r, a in zip(rows, ants, strict=True)
            if not any(a < other for other in ants if len(other) > len(a))]
    return np.asarray(kept, dtype=np.int64)
