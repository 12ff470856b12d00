"""The shop's recommender against the best peer of the same run, with how sure that ratio is.

A ratio of two means over ~2,000 customers moves by a few percent with who happens to be in
the test period, so each one comes with a 95% paired bootstrap interval: the test customers
are resampled with replacement, and in every resample both the hybrid's mean and every
peer's mean are recomputed and the hybrid is divided by the best of them there. Choosing the
best peer inside each resample keeps the interval honest about that choice too.

Over several cuts (`split.rolling_splits`) a customer is tested once per cut, and their cuts
are not independent draws: the resampled unit is then the customer (`clusters`), each one
carrying the sum of their values over the cuts. Both sides of the ratio are sums over the
same cases, so dividing those sums is dividing the pooled means.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

# The shop's recommender and its own one-source variants: never its peers.
OWN = frozenset({"hybrid", "fusion", "rules-only", "semantic-only"})
COMPARED = ("ndcg@10", "recall@10")
DRAWS = 2000


@dataclass(frozen=True)
class PeerComparison:
    """`ours` / the best peer on one metric in one mode, with a 95% bootstrap interval."""

    mode: str
    metric: str
    ours: str
    ours_value: float
    peer: str  # the best peer on the whole test set
    peer_value: float
    ratio: float
    low: float
    high: float
    users: int  # cases: customers, times the cuts each one was tested at
    customers: int = 0  # distinct customers resampled (0: each case is its own customer)
    cut: str = ""  # the one cut these figures are from ("": every cut of the run pooled)

    @property
    def line(self) -> str:
        who = (f"{self.users:,} next baskets of {self.customers:,} customers"
               if self.customers and self.customers != self.users else f"{self.users:,} customers")
        where = f" at the cut {self.cut}" if self.cut else ""
        return (f"{self.ours} / best peer{where}, {self.mode} {self.metric}: {self.ours_value:.4f} / "
                f"{self.peer} {self.peer_value:.4f} = {self.ratio:.3f}x "
                f"(95% interval {self.low:.3f}-{self.high:.3f}x, {who})")


def bootstrap_ratio(ours: np.ndarray, peers: np.ndarray, draws: int = DRAWS, seed: int = 0) -> tuple[float, float]:
    """The 2.5th and 97.5th percentiles of mean(ours) / max over peers of mean(peer) over
    resamples of the rows; `ours` (n,), `peers` (n, p), one row per customer, paired."""
    n = len(ours)
    if n == 0 or peers.shape[1] == 0:
        raise ValueError("a bootstrap needs at least one customer and one peer")
    rng = np.random.default_rng(seed)
    ratios = np.empty(draws)
    # In chunks: a draws x n count matrix for Complete Journey's ~2,300 customers is 37 MB.
    for start in range(0, draws, 250):
        stop = min(draws, start + 250)
        counts = rng.multinomial(n, np.full(n, 1.0 / n), size=stop - start).astype(np.float64)
        best = (counts @ peers).max(axis=1)
        ratios[start:stop] = (counts @ ours) / np.maximum(best, 1e-12)
    low, high = np.percentile(ratios, [2.5, 97.5])
    return float(low), float(high)


def compare_to_best_peer(
    means: Mapping[tuple[str, str], Mapping[str, float]],
    per_user: Mapping[tuple[str, str], Mapping[str, Sequence[float]]],
    ours: str = "hybrid",
    metrics: Sequence[str] = COMPARED,
    clusters: Mapping[str, Sequence[str]] | None = None,
    cut: str = "",
) -> list[PeerComparison]:
    """Every (mode, metric) where `ours` and at least one peer were scored; `means` and
    `per_user` are keyed by (recommender, mode), the per-user values in one case order.
    `clusters[mode]`, in that order, names each case's customer where a customer has
    several cases (several cuts): the bootstrap then resamples customers."""
    out = []
    modes = list(dict.fromkeys(mode for _, mode in means))
    for mode in modes:
        if (ours, mode) not in means:
            continue
        peers = [name for name, m in means if m == mode and name not in OWN]
        if not peers:
            continue
        for metric in metrics:
            best = max(peers, key=lambda p: means[(p, mode)][metric])
            mine = np.asarray(per_user[(ours, mode)][metric], dtype=np.float64)
            theirs = np.column_stack([np.asarray(per_user[(p, mode)][metric], dtype=np.float64) for p in peers])
            cases, customers = len(mine), 0
            if clusters is not None:
                mine, theirs = _per_customer(clusters[mode], mine, theirs)
                customers = len(mine)
            low, high = bootstrap_ratio(mine, theirs)
            value, peer_value = means[(ours, mode)][metric], means[(best, mode)][metric]
            out.append(PeerComparison(mode, metric, ours, value, best, peer_value,
                                      value / max(peer_value, 1e-12), low, high, cases, customers, cut))
    return out


def paired_ratio(
    per_user: Mapping[tuple[str, str], Mapping[str, Sequence[float]]],
    clusters: Mapping[str, Sequence[str]],
    ours: str, theirs: str, mode: str, metric: str,
) -> tuple[float, float, float]:
    """mean(ours) / mean(theirs) on one mode and metric of one run (`EvalResults.per_user`
    and `.clusters`), with its 95% bootstrap interval (customers resampled, each with all of
    their cuts): any two rows, peers or not."""
    a = np.asarray(per_user[(ours, mode)][metric], dtype=np.float64)
    b = np.asarray(per_user[(theirs, mode)][metric], dtype=np.float64)
    ratio = float(a.mean() / max(b.mean(), 1e-12))
    a, b2 = _per_customer(clusters[mode], a, b[:, None])
    low, high = bootstrap_ratio(a, b2)
    return ratio, low, high


def _per_customer(customers: Sequence[str], ours: np.ndarray, peers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each customer's sum over their cases: `ours` (n,) and `peers` (n, p) to (c,) and (c, p)."""
    if len(customers) != len(ours):
        raise ValueError(f"{len(customers)} customer ids for {len(ours)} cases")
    _, which = np.unique(np.asarray(customers, dtype=object).astype(str), return_inverse=True)
    size = int(which.max()) + 1 if len(which) else 0
    summed = np.bincount(which, weights=ours, minlength=size)
    columns = [np.bincount(which, weights=peers[:, j], minlength=size) for j in range(peers.shape[1])]
    return summed, np.column_stack(columns)
