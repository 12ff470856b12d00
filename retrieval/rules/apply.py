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
from typing import Any

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


@dataclass(frozen=True)
class ConsequentScore:
    """A consequent's score before any Rule is built: the rows to quote, strongest first."""

    product_id: str
    score: float
    max_confidence: float
    max_lift: float
    n_rules: int
    rows: np.ndarray  # the counted rules' store rows, highest confidence first


def apply_rules(store: RuleStore, basket: Iterable[str], *, max_evidence: int = 3, **options: Any) -> list[RuleCandidate]:
    """The `k` best consequents of the rules that fire on `basket`, excluding its own items,
    each with up to `max_evidence` of its rules; `options` are `score_consequents'`: k,
    exclude (further product ids never to suggest), restrict (if given, only suggest these)
    and min_confidence."""
    if max_evidence < 1:
        raise ConfigError(f"k and max_evidence must be >= 1, got max_evidence={max_evidence}")
    return [RuleCandidate(c.product_id, c.score, c.max_confidence, c.max_lift, c.n_rules,
                          tuple(store.rules(c.rows[:max_evidence])))
            for c in score_consequents(store, basket, **options)]


def score_consequents(
    store: RuleStore,
    basket: Iterable[str],
    *,
    k: int = 10,
    exclude: Iterable[str] = (),
    restrict: Iterable[str] | None = None,
    min_confidence: float = 0.0,
) -> list[ConsequentScore]:
    """`apply_rules`' ranking without building its Rule objects (the rules source quotes
    only the few candidates that are shown, so it builds their rules when asked)."""
    if k < 1:
        raise ConfigError(f"k and max_evidence must be >= 1, got k={k}")
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
    if (store.antecedent_lengths(rows) > 1).any():
        # Only a consequent with two or more fired rules can hold a generalisation.
        sizes = np.diff(np.r_[starts, len(rows)])
        shared = np.flatnonzero(np.repeat(sizes > 1, sizes))
        if len(shared):
            keep = np.ones(len(rows), dtype=bool)
            keep[shared[_generalisations(store, rows[shared], cons[shared])]] = False
            rows, cons = rows[keep], cons[keep]
            starts = np.flatnonzero(np.r_[True, cons[1:] != cons[:-1]])
    # Score every consequent with array reductions (a long history fires thousands of
    # rules), then order the rows of the top k only.
    confs = conf[rows]
    scores = 1.0 - np.exp(np.add.reduceat(np.log1p(-np.minimum(confs, 1.0 - 1e-12)), starts))
    scores = np.where(np.maximum.reduceat(confs, starts) >= 1.0, 1.0, scores)
    max_lift = np.maximum.reduceat(lift[rows], starts)
    names = store.items[cons[starts]].astype(str)
    top = np.lexsort((names, -max_lift, -scores))[:k]
    ends = np.r_[starts[1:], len(rows)]
    # Within each consequent's group, highest confidence first (store order among equals).
    by_conf = rows[np.lexsort((-confs, cons))]
    first, last = starts[top], ends[top]
    # Whole columns to Python at once: per-element numpy scalar conversions cost more here.
    return [ConsequentScore(name, score, best, lift_, n, by_conf[a:b])
            for name, score, best, lift_, n, a, b in zip(
                names[top].tolist(), scores[top].tolist(), conf[by_conf[first]].tolist(),
                max_lift[top].tolist(), (last - first).tolist(), first.tolist(), last.tolist(), strict=True)]


def apply_rules_to_history(
    store: RuleStore, history: Iterable[Basket | Iterable[str]], **options
) -> list[RuleCandidate]:
    """`apply_rules` on everything a customer bought; nothing they own is suggested."""
    items: set[str] = set()
    for basket in history:
        items.update(basket.items if isinstance(basket, Basket) else basket)
    return apply_rules(store, items, **options)


# Antecedents up to this many items are compared by hashing their subsets (2**width - 2
# per rule); longer ones (max_len unlimited) fall back to pairwise set comparison.
HASHED_WIDTH = 6


def _generalisations(store: RuleStore, rows: np.ndarray, cons: np.ndarray) -> np.ndarray:
    """Mask of the fired `rows` whose antecedent is a proper subset of another fired rule's
    with the same consequent (`cons`, the rows' consequent codes)."""
    lengths = store.antecedent_lengths(rows)
    width = int(lengths.max())
    if width > HASHED_WIDTH:
        return _generalisations_pairwise(store, rows, cons)
    # A set's key is the wrapped sum of its items' 64-bit hashes plus its consequent's: a
    # rule is a generalisation when its own key is the key of a proper subset of another
    # rule's antecedent (collisions: ~n**2 / 2**64, nil at these sizes).
    codes = store.antecedent_matrix(rows, width)
    salt = np.where(codes >= 0, _mix(codes), np.uint64(0))
    target = _mix(cons + len(store.items))  # consequents hashed apart from antecedent items
    own = salt.sum(axis=1, dtype=np.uint64) + target
    subsets = []
    for mask in range(1, 2**width - 1):
        picked = [p for p in range(width) if mask >> p & 1]
        ok = (lengths > picked[-1]) & (lengths > len(picked))  # every position real; a proper subset
        if ok.any():
            subsets.append(salt[ok][:, picked].sum(axis=1, dtype=np.uint64) + target[ok])
    if not subsets:
        return np.zeros(len(rows), dtype=bool)
    return np.isin(own, np.concatenate(subsets))


def _mix(values: np.ndarray) -> np.ndarray:
    """splitmix64: well-spread 64-bit hashes of integer codes."""
    with np.errstate(over="ignore"):
        z = values.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def _generalisations_pairwise(store: RuleStore, rows: np.ndarray, cons: np.ndarray) -> np.ndarray:
    ants = [frozenset(store.antecedent_codes(int(r)).tolist()) for r in rows]
    by_cons: dict[int, list[frozenset]] = {}
    for c, a in zip(cons.tolist(), ants, strict=True):
        by_cons.setdefault(c, []).append(a)
    return np.array([any(a < other for other in by_cons[c] if len(other) > len(a))
                     for c, a in zip(cons.tolist(), ants, strict=True)], dtype=bool)
