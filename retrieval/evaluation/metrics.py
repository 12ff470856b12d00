"""Top-k ranking metrics with binary relevance.

For one user with a ranked list `rec` (no duplicates) and a target set `T`, with
`hits@k = |rec[:k] ∩ T|`:

- precision@k = hits@k / k (the denominator is k even when the list is shorter: a
  recommender that returns fewer items is not rewarded for it)
- recall@k    = hits@k / |T|
- F1@k        = 2·P·R / (P + R), 0 when P + R = 0 (computed per user, then averaged)
- NDCG@k      = DCG / IDCG, DCG = Σ_{i<k, rec[i]∈T} 1/log2(i+2) (i is 0-based),
                IDCG = Σ_{i<min(k,|T|)} 1/log2(i+2)
- MAP@k       = mean over users of AP@k = (1/min(k,|T|)) · Σ_{i<k, rec[i]∈T} precision@(i+1)
- hit@k       = 1 if hits@k > 0 else 0 (hit rate = its mean over users)
- coverage@k  = |∪_users rec[:k]| / catalogue size (one figure for the whole run)

Every per-user metric is 0 for an empty target (the runner never passes one: it skips
such users and reports how many it kept). All per-user metrics are macro-averaged.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

PER_USER = ("precision", "recall", "f1", "ndcg", "map", "hit")
METRICS = (*PER_USER, "coverage")


def precision_at_k(rec: Sequence[str], target: Iterable[str], k: int) -> float:
    _check_k(k)
    return _hits(rec, set(target), k) / k


def recall_at_k(rec: Sequence[str], target: Iterable[str], k: int) -> float:
    _check_k(k)
    t = set(target)
    return _hits(rec, t, k) / len(t) if t else 0.0


def f1_at_k(rec: Sequence[str], target: Iterable[str], k: int) -> float:
    t = set(target)
    p, r = precision_at_k(rec, t, k), recall_at_k(rec, t, k)
    return 2 * p * r / (p + r) if p + r > 0 else 0.0


def ndcg_at_k(rec: Sequence[str], target: Iterable[str], k: int) -> float:
    _check_k(k)
    t = set(target)
    if not t:
        return 0.0
    dcg = sum(1.0 / math.log2(i + 2) for i, item in enumerate(rec[:k]) if item in t)
    idcg = sum(1.0 / math.log2(i + 2) for i in range(min(k, len(t))))
    return dcg / idcg


def average_precision_at_k(rec: Sequence[str], target: Iterable[str], k: int) -> float:
    _check_k(k)
    t = set(target)
    if not t:
        return 0.0
    hits = 0
    total = 0.0
    for i, item in enumerate(rec[:k]):
        if item in t:
            hits += 1
            total += hits / (i + 1)
    return total / min(k, len(t))


def hit_at_k(rec: Sequence[str], target: Iterable[str], k: int) -> float:
    _check_k(k)
    return 1.0 if _hits(rec, set(target), k) else 0.0


def coverage_at_k(lists: Iterable[Sequence[str]], k: int, catalogue_size: int) -> float:
    """Distinct items in the top k across all lists, over the catalogue size."""
    _check_k(k)
    if catalogue_size <= 0:
        return 0.0
    seen: set[str] = set()
    for rec in lists:
        seen.update(rec[:k])
    return len(seen) / catalogue_size


PER_USER_FUNCTIONS = {
    "precision": precision_at_k,
    "recall": recall_at_k,
    "f1": f1_at_k,
    "ndcg": ndcg_at_k,
    "map": average_precision_at_k,
    "hit": hit_at_k,
}


@dataclass
class MetricAccumulator:
    """Keeps each user's metrics at several k as users stream in; `means()` averages them."""

    ks: tuple[int, ...]
    catalogue_size: int
    users: int = 0
    _values: dict[str, list[float]] = field(default_factory=dict)  # key -> each user's value, in order
    _seen: dict[int, set[str]] = field(default_factory=dict)

    def add(self, rec: Sequence[str], target: Iterable[str]) -> None:
        t = set(target)
        self.users += 1
        for k in self.ks:
            for name, fn in PER_USER_FUNCTIONS.items():
                key = metric_key(name, k)
                self._values.setdefault(key, []).append(fn(rec, t, k))
            self._seen.setdefault(k, set()).update(rec[:k])

    def extend(self, other: MetricAccumulator) -> None:
        """Add `other`'s users after this one's (pooling several cuts without rescoring them)."""
        if other.ks != self.ks or other.catalogue_size != self.catalogue_size:
            raise ValueError("only accumulators of the same ks and catalogue can be pooled")
        self.users += other.users
        for key, values in other._values.items():
            self._values.setdefault(key, []).extend(values)
        for k, seen in other._seen.items():
            self._seen.setdefault(k, set()).update(seen)

    def per_user(self) -> dict[str, list[float]]:
        """Each per-user metric's values, one per user in the order they were added."""
        return {key: list(values) for key, values in self._values.items()}

    def means(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for k in self.ks:
            for name in PER_USER:
                key = metric_key(name, k)
                out[key] = sum(self._values.get(key, ())) / self.users if self.users else 0.0
            seen = self._seen.get(k, set())
            out[metric_key("coverage", k)] = (
                len(seen) / self.catalogue_size if self.catalogue_size else 0.0
            )
        return out


def metric_key(name: str, k: int) -> str:
    """The key a metric has in results: e.g. ``ndcg@10``."""
    return f"{name}@{k}"


def _hits(rec: Sequence[str], target: set[str], k: int) -> int:
    return sum(1 for item in rec[:k] if item in target)


def _check_k(k: int) -> None:
    if k <= 0:
        raise ValueError(f"k must be positive, got {k}")
