"""Evaluate many recommenders on one split, the same way.

Each recommender is fitted on the split's train baskets, then asked once per mode for
max(ks) items per test customer; the figures at smaller k read prefixes of that list.

- mode "all": target = every distinct item of the customer's next basket; nothing excluded.
- mode "new": target = the items of that basket the customer had never bought before the
  cut; the customer's past items are excluded from the list; customers whose new-item target
  is empty are skipped (the results report how many users each mode kept).

Metric definitions are in `metrics.py`; the split protocol is in `split.py`. Tuning (e.g.
the hybrid's fusion weights) belongs on `validation_split(...)`, never on the test split:

    val = validation_split(dataset.baskets)
    results = evaluate({"w=0.3": Hybrid(0.3), "w=0.7": Hybrid(0.7)}, val, dataset.catalogue)
    best = results.best("ndcg@10", mode="new")
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path

from ..dataset import Dataset
from ..products import Catalogue
from . import registry
from .cases import make_split, mode_cases
from .compare import COMPARED, compare_to_best_peer
from .metrics import MetricAccumulator, metric_key
from .recommender import Recommender
from .registry import EvalContext
from .results import MODES, EvalResults, ModeResult, Timing
from .split import DEFAULT_MONTHS, Split

log = logging.getLogger(__name__)

DEFAULT_KS = (5, 10, 20)


def evaluate(
    recommenders: Mapping[str, Recommender] | Sequence[Recommender],
    split: Split,
    catalogue: Catalogue,
    ks: Iterable[int] = DEFAULT_KS,
    modes: Iterable[str] = MODES,
    *,
    fit: bool = True,
) -> EvalResults:
    """Fit (unless `fit=False`) and score every recommender on `split`, in the order given."""
    ks = tuple(sorted(set(ks)))
    if not ks or ks[0] <= 0:
        raise ValueError(f"ks must be positive integers, got {ks}")
    named = _named(recommenders)
    per_mode = {m: mode_cases(split, m) for m in modes}
    results = EvalResults(
        split=split.summary(),
        ks=ks,
        catalogue_size=len(catalogue),
        users={m: len(c[0]) for m, c in per_mode.items()},
    )
    per_user: dict[tuple[str, str], dict[str, list[float]]] = {}
    for name, rec in named.items():
        t0 = time.perf_counter()
        if fit:
            log.info("fitting %s on %d train baskets", name, len(split.train))
            rec.fit(split.train, catalogue)
        t1 = time.perf_counter()
        for mode, (histories, targets, excludes) in per_mode.items():
            lists = rec.recommend_batch(histories, ks[-1], excludes)
            _check_lists(name, lists, excludes, ks[-1], len(histories))
            acc = MetricAccumulator(ks, len(catalogue))
            for rec_list, target in zip(lists, targets, strict=True):
                acc.add(rec_list, target)
            results.rows.append(ModeResult(name, mode, acc.users, acc.means()))
            per_user[(name, mode)] = acc.per_user()
        t2 = time.perf_counter()
        results.timings.append(Timing(name, round(t1 - t0, 3), round(t2 - t1, 3)))
        key = metric_key("ndcg", 10 if 10 in ks else ks[-1])
        figures = ", ".join(
            f"{r.mode} {r.metrics[key]:.4f}" for r in results.rows if r.recommender == name
        )
        log.info("%s: %s %s (fit %.1fs, recommend %.1fs)", name, key, figures, t1 - t0, t2 - t1)
    metrics = [m for m in COMPARED if int(m.split("@")[1]) in ks]
    results.comparisons = compare_to_best_peer(
        {(r.recommender, r.mode): r.metrics for r in results.rows}, per_user, metrics=metrics)
    return results


def run_evaluation(
    dataset: Dataset,
    names: Iterable[str] | None = None,
    ks: Iterable[int] = DEFAULT_KS,
    split: str = "test",
    months: int = DEFAULT_MONTHS,
    extra: Mapping[str, Recommender] | None = None,
    home: str | os.PathLike[str] | None = None,
) -> EvalResults:
    """Registered recommenders (all, or `names`) plus any `extra` ones, on one split."""
    context = EvalContext(dataset=dataset, home=None if home is None else Path(home))
    recs = registry.create(names, context)
    recs.update(extra or {})
    return evaluate(recs, make_split(dataset, split, months), dataset.catalogue, ks)


def _named(
    recommenders: Mapping[str, Recommender] | Sequence[Recommender],
) -> dict[str, Recommender]:
    if isinstance(recommenders, Mapping):
        return dict(recommenders)
    out: dict[str, Recommender] = {}
    for rec in recommenders:
        if rec.name in out:
            raise ValueError(f"two recommenders are named {rec.name!r}; pass a mapping")
        out[rec.name] = rec
    return out


def _check_lists(
    name: str,
    lists: Sequence[Sequence[str]],
    excludes: Sequence[Collection[str]],
    k: int,
    expected: int,
) -> None:
    """A recommender breaking its contract would silently skew the figures: fail loudly."""
    if len(lists) != expected:
        raise RuntimeError(f"{name} returned {len(lists)} lists for {expected} customers")
    for rec, ex in zip(lists, excludes, strict=True):
        if len(rec) > k or len(set(rec)) != len(rec):
            raise RuntimeError(f"{name} returned a list longer than {k} or with duplicates")
        if ex and any(item in ex for item in rec):
            raise RuntimeError(f"{name} recommended an excluded item")
