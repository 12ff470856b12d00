"""Training the ranker: rows from inner cuts of the baskets, one LambdaRank model per mode.

`train_ranker` fits it the only way that cannot leak: at each inner cut the sources are
refitted on the baskets before it, features are computed as of that cut, and the labels are
each shopper's next basket after it (the evaluation's protocol, moved back by `label_months`).

The cuts are independent of each other (each refits every source on its own baskets), so
with more than one cut and more than one core they run side by side in worker processes,
one cut each, each worker held to its share of the threads: source fitting and the
training rows are mostly single-threaded Python, so two cuts take little more than one.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from ..baskets import Baskets
from ..config import positive_env
from ..errors import DataError
from ..recommend import item_neighbours
from ..recommend.types import Filters
from .features import FeatureSpace
from .items import ItemStats
from .model import MODES, RankerModel, TrainingData, fit_booster
from .ranker import DEFAULT_SETTINGS, RankerSettings, candidate_features

log = logging.getLogger(__name__)


def training_workers() -> int:
    """How many processes (and LightGBM threads) training may use: the cores this process
    may run on, or SHOPASSIST_RANKER_WORKERS. It never changes what is learned, only how
    fast, so it is not part of the model's fingerprint."""
    asked = positive_env("SHOPASSIST_RANKER_WORKERS", int)
    if asked is not None:
        return int(asked)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


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


@dataclass
class CutRows:
    """One inner cut's training rows, per mode (a mode with no rows is absent)."""

    cut: pd.Timestamp
    feature_names: list[str]
    rows: dict[str, TrainingData]


def cut_rows(
    baskets: Baskets, fit_sources: Callable[[Baskets, ItemStats], object], catalogue_ids: Sequence[str],
    prices: np.ndarray, vectors: np.ndarray | None, settings: RankerSettings, earlier: int,
) -> CutRows:
    """The rows of the inner cut `earlier` months before the latest one."""
    from ..evaluation.cases import mode_cases
    from ..evaluation.split import temporal_split

    started = time.perf_counter()
    split = temporal_split(baskets, settings.label_months + earlier, name="ranker")
    # One snapshot of the item figures, as of the cut, for the sources and the features.
    stats = ItemStats.compute(split.train, catalogue_ids, prices, split.cut)
    retriever = fit_sources(split.train, stats)
    space = FeatureSpace.of(retriever)
    rows = {}
    for mode in MODES:
        histories, targets, _ = mode_cases(split, mode)
        cases = list(zip(histories, targets, strict=True))
        step = max(1, -(-len(cases) // settings.max_shoppers))
        try:
            rows[mode] = training_rows(retriever, cases[::step], mode, space, stats, split.cut,
                                       settings.depth, vectors)
        except DataError as exc:
            log.warning("no %s-mode rows at cut %s (%s)", mode, split.cut.date(), exc)
    log.info("ranker: cut %s: sources and rows in %.1f s", split.cut.date(), time.perf_counter() - started)
    return CutRows(split.cut, space.names, rows)


def _cut_in_worker(level: int, tables: dict, *args) -> CutRows:
    """`cut_rows` in a worker process, with the parent's log level and the neighbour tables
    it had already built (joblib holds each worker to its share of the cores' threads)."""
    logging.basicConfig(level=level, format="%(message)s")
    item_neighbours.remember_tables(tables)
    return cut_rows(*args)


def usable_cuts(baskets: Baskets, settings: RankerSettings) -> list[int]:
    """The inner cuts (months before the latest) that have baskets before them, latest first.
    A shop with a short history learns from the cuts it has rather than from none: the latest
    cut alone decides whether a ranker can be trained at all."""
    from ..evaluation.split import basket_times, cut_for

    first = pd.Timestamp(basket_times(baskets.lines).min())
    usable = [0] + [i for i in range(1, settings.cuts) if first < cut_for(baskets, settings.label_months + i)]
    if len(usable) < settings.cuts:
        log.warning("ranker: the baskets start %s: training on %d of the %d inner cuts asked for "
                    "(the others have no baskets before them)", first.date(), len(usable), settings.cuts)
    return usable


def rows_at_cuts(
    baskets: Baskets, fit_sources: Callable[[Baskets, ItemStats], object], catalogue_ids: Sequence[str],
    prices: np.ndarray, vectors: np.ndarray | None, settings: RankerSettings, workers: int,
) -> list[CutRows]:
    """Every usable inner cut's rows, latest first: in this process (`workers` 1, or a single
    cut), or in `workers` worker processes."""
    args = (baskets, fit_sources, catalogue_ids, prices, vectors, settings)
    cuts = usable_cuts(baskets, settings)
    workers = min(workers, len(cuts))
    if workers < 2:
        return [cut_rows(*args, i) for i in cuts]
    log.info("ranker: %d inner cuts in %d worker processes", len(cuts), workers)
    from joblib import Parallel, delayed

    # joblib's loky workers, not multiprocessing's: they start without re-running the
    # caller's main script (a build called from a script with no `if __name__` guard would
    # otherwise start its workers again inside each worker and hang), and not by a bare
    # fork, which can hang a child whose parent's torch or OpenMP threads have run.
    start = (logging.getLogger().getEffectiveLevel(), item_neighbours.known_tables())
    return Parallel(n_jobs=workers, backend="loky")(
        delayed(_cut_in_worker)(*start, *args, i) for i in cuts)


def train_ranker(
    baskets: Baskets,
    fit_sources: Callable[[Baskets, ItemStats], object],
    catalogue_ids: Sequence[str],
    prices: np.ndarray,
    vectors: np.ndarray | None,
    fingerprint: str,
    settings: RankerSettings = DEFAULT_SETTINGS,
    workers: int | None = None,
) -> RankerModel:
    """Fit both modes' LambdaRank models on inner cuts of `baskets` (see the module docstring);
    `workers`: processes for the cuts and LightGBM's threads (default `training_workers()`)."""
    started = time.perf_counter()
    workers = workers or training_workers()
    processes = min(workers, settings.cuts)  # one cut per worker process at most
    model = RankerModel([], fingerprint)
    cuts = rows_at_cuts(baskets, fit_sources, catalogue_ids, prices, vectors, settings, processes)
    model.feature_names = cuts[0].feature_names
    for mode in MODES:
        rows = [c.rows[mode] for c in cuts if mode in c.rows]
        if not rows:
            log.warning("no %s-mode ranker; the fusion ranks that mode", mode)
            continue
        data = TrainingData.concat(rows)
        model.boosters[mode] = fit_booster(data, settings.rounds, threads=workers, mode=mode)
        model.report[mode] = {"shoppers": data.shoppers, "rows": int(len(data.labels)),
                              "candidate_recall": round(data.recall, 4),
                              "rounds": model.boosters[mode].current_iteration()}
    if not model.boosters:
        raise DataError("no shopper's next basket could be learned from (too few returning shoppers)")
    model.report.update(cuts=[str(c.cut) for c in cuts], processes=min(processes, len(cuts)),
                        seconds=round(time.perf_counter() - started, 1), settings=settings.key())
    log.info("ranker trained in %.0f s: %s", time.perf_counter() - started, model.report)
    return model
