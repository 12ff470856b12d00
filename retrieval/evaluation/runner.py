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
from ..errors import ConfigError
from ..products import Catalogue
from . import registry
from .cases import make_splits, mode_cases
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
    split: Split | Sequence[Split],
    catalogue: Catalogue,
    ks: Iterable[int] = DEFAULT_KS,
    modes: Iterable[str] = MODES,
    *,
    fit: bool = True,
) -> EvalResults:
    """Fit (unless `fit=False`) and score every recommender on `split`, in the order given.

    Several splits (`rolling_splits`) pool their cases: each recommender is fitted on each
    split's train part in turn, and every figure averages over all cuts' customers (results
    also hold each cut's own comparison with the best peer)."""
    splits = [split] if isinstance(split, Split) else list(split)
    if not splits:
        raise ValueError("evaluate needs at least one split")
    if not fit and len(splits) > 1:
        raise ValueError("several splits need each recommender fitted on each one")
    ks = tuple(sorted(set(ks)))
    if not ks or ks[0] <= 0:
        raise ValueError(f"ks must be positive integers, got {ks}")
    named = _named(recommenders)
    modes = tuple(modes)
    per_split = [{m: mode_cases(s, m) for m in modes} for s in splits]
    # Each mode's cases in one order (split by split) for every recommender; their customers
    # name the bootstrap's clusters when a customer is tested at several cuts.
    clusters = {m: [h.customer_id for cases in per_split for h in cases[m][0]] for m in modes}
    results = EvalResults(
        split=_summary(splits),
        ks=ks,
        catalogue_size=len(catalogue),
        users={m: len(c) for m, c in clusters.items()},
        clusters=clusters,
    )
    per_user = results.per_user
    # Per cut: each mode's per-user values and means, for that cut's own comparison.
    cut_values: list[dict[tuple[str, str], dict[str, list[float]]]] = [{} for _ in splits]
    cut_means: list[dict[tuple[str, str], dict[str, float]]] = [{} for _ in splits]
    for name, rec in named.items():
        fit_s = recommend_s = 0.0
        accumulators = {m: MetricAccumulator(ks, len(catalogue)) for m in modes}
        for i, (one, cases) in enumerate(zip(splits, per_split, strict=True)):
            t0 = time.perf_counter()
            if fit:
                log.info("fitting %s on %d train baskets (cut %s)", name, len(one.train), one.cut.date())
                rec.fit(one.train, catalogue)
            t1 = time.perf_counter()
            for mode, (histories, targets, excludes) in cases.items():
                lists = rec.recommend_batch(histories, ks[-1], excludes)
                _check_lists(name, lists, excludes, ks[-1], len(histories))
                acc = MetricAccumulator(ks, len(catalogue))
                for rec_list, target in zip(lists, targets, strict=True):
                    acc.add(rec_list, target)
                accumulators[mode].extend(acc)
                cut_values[i][(name, mode)] = acc.per_user()
                cut_means[i][(name, mode)] = acc.means()
            fit_s, recommend_s = fit_s + t1 - t0, recommend_s + time.perf_counter() - t1
        for mode, acc in accumulators.items():
            results.rows.append(ModeResult(name, mode, acc.users, acc.means()))
            per_user[(name, mode)] = acc.per_user()
        results.timings.append(Timing(name, round(fit_s, 3), round(recommend_s, 3)))
        key = metric_key("ndcg", 10 if 10 in ks else ks[-1])
        figures = ", ".join(
            f"{r.mode} {r.metrics[key]:.4f}" for r in results.rows if r.recommender == name
        )
        log.info("%s: %s %s (fit %.1fs, recommend %.1fs)", name, key, figures, fit_s, recommend_s)
    metrics = [m for m in COMPARED if int(m.split("@")[1]) in ks]
    results.comparisons = compare_to_best_peer(
        {(r.recommender, r.mode): r.metrics for r in results.rows}, per_user, metrics=metrics,
        clusters=clusters if len(splits) > 1 else None)
    if len(splits) > 1:
        for one, means, values in zip(splits, cut_means, cut_values, strict=True):
            results.cut_comparisons += compare_to_best_peer(
                means, values, metrics=metrics, cut=str(one.cut.date()))
    return results


def run_evaluation(
    dataset: Dataset,
    names: Iterable[str] | None = None,
    ks: Iterable[int] = DEFAULT_KS,
    split: str = "test",
    months: int = DEFAULT_MONTHS,
    extra: Mapping[str, Recommender] | None = None,
    home: str | os.PathLike[str] | None = None,
    cuts: int = 1,
) -> EvalResults:
    """Registered recommenders (all, or `names`) plus any `extra` ones, on one split, or on
    the test split at `cuts` cuts a month apart, pooled."""
    context = EvalContext(dataset=dataset, home=None if home is None else Path(home))
    chosen = list(names) if names is not None else registry.available()
    if cuts > 1 and "fusion" in chosen:
        # Its weights are tuned on the validation period before the latest cut, which
        # overlaps the earlier cuts' test periods: its figures there would be optimistic.
        why = "its weights are tuned on a period that earlier cuts test on"
        if names is not None:
            raise ConfigError(f"fusion cannot be evaluated at several cuts: {why}")
        log.warning("fusion left out: %s", why)
        chosen.remove("fusion")
    recs = registry.create(chosen, context)
    recs.update(extra or {})
    return evaluate(recs, make_splits(dataset, split, months, cuts), dataset.catalogue, ks)


def _summary(splits: Sequence[Split]) -> dict[str, object]:
    """The latest split's summary; over several cuts, the cases summed and each cut listed."""
    if len(splits) == 1:
        return splits[0].summary()
    each = [s.summary() for s in splits]
    out = dict(each[0])
    out["name"] = f"{splits[0].name} ({len(splits)} cuts)"
    for key in ("test_customers", "test_customers_with_new_items"):
        out[key] = sum(int(str(s[key])) for s in each)
    out["customers"] = len({c.customer_id for s in splits for c in s.cases})
    out["cuts"] = each
    return out


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
