"""Learned ranker: training time of the served ranker and `recommend` latency with it.

    .venv/bin/python -m bench.bench_ranker                     # ~15 min on 2 cores; writes bench/RESULTS.md
    .venv/bin/python -m bench.bench_ranker --quick --no-write  # ~6-10 min; smaller, noisier
    .venv/bin/python -m bench.bench_ranker --json out.json     # also every figure as JSON

1. Training on the bundled Online Retail data: wall seconds of
   `retrieval.ranking.serving.train_served_ranker` (what `shopassist build` runs) with the
   served rule settings `MiningParams()` and the default `RankerSettings()`, broken down by
   timing wrappers around its steps (source fitting on the inner cut, the training rows'
   source lists and features, LightGBM). Peer, in the same run: fitting the fusion's sources
   alone (`fit_retriever` on all baskets), median of `--fit-reps`.
2. `Retriever.recommend(history=<dated baskets>, k=10, now=<day after the data>)` latency over
   `--customers` real customers (a seeded sample of everyone with a customer id), mode "all"
   (default filters) and "new" (`exclude_owned`), with one BLAS thread as a serving process
   has (`ShoppingAssistant.open`): the learned ranker vs the weighted fusion
   (`retriever.ranker = None`) on the same retriever, alternating which goes first per
   request. A per-step breakdown of the ranked path (each source's list, features, LightGBM
   predict, SHAP contributions, explanations) is measured on a separate pass.
3. The same on a synthetic `--big`-product shop built from the bundled one: product i is
   variant i // 3,790 of bundled product i % 3,790 (title + " V<j>", price jittered, vector =
   normalised 0.7 * its product's + 0.3 * a random product's MiniLM vector + noise, as in
   bench_recommend). The bundled baskets are copied `--copies` times onto it: each customer
   (each anonymous basket) is given a shard and buys, of every bundled product, the variant
   (shard + product) mod its variant count, so the rhythms, basket sizes and dates are the
   real ones spread over the big catalogue. The ranker there is trained with
   `RankerSettings(max_shoppers=--big-shoppers)` (a modest training set; reported).

When a latency goal is missed, one request per sampled customer (up to 20) is profiled with
cProfile and the top cumulative entries are printed (and kept in the JSON).

The bundled vectors are encoded once with the bundled encoder (as bench_recommend does) and
cached in the temp folder, keyed by the catalogue's ids and titles (`--no-cache` re-encodes).
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import json
import logging
import os
import pstats
import statistics
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

log = logging.getLogger("bench.ranker")

GOAL_TRAIN_S = 180.0
GOAL_P50_MS = {"bundled": 15.0, "synthetic": 40.0}
K = 10
PROFILE_REQUESTS = 20


# ---------------------------------------------------------------------------- data


def bundled_vectors(catalogue, use_cache: bool = True):
    """The catalogue's MiniLM vectors (bundled encoder), cached in the temp folder."""
    from retrieval.evaluation.hybrid import catalogue_vectors
    from retrieval.recommend.vectors import ExactVectors

    frame = catalogue.frame
    key = hashlib.sha256("\n".join(f"{i}\t{t}" for i, t in zip(frame.index, frame["title"], strict=True))
                         .encode()).hexdigest()[:16]
    path = Path(tempfile.gettempdir()) / f"shopassist-bench-vectors-{key}.npz"
    if use_cache and path.exists():
        data = np.load(path, allow_pickle=False)
        log.info("vectors from the cache %s", path)
        return ExactVectors([str(i) for i in data["ids"]], data["matrix"])
    with tempfile.TemporaryDirectory(prefix="bench-ranker-") as root:  # no live index: encode now
        vectors = catalogue_vectors(catalogue, root)
    np.savez(path, ids=np.asarray(vectors.ids, dtype=str), matrix=vectors.matrix)
    return vectors


def synthetic_shop(dataset, vectors, n: int, copies: int, seed: int = 0):
    """A `n`-product Dataset + vectors made from the bundled one (see the module docstring)."""
    from retrieval.baskets import Baskets
    from retrieval.dataset import Dataset
    from retrieval.products import Catalogue
    from retrieval.recommend.vectors import ExactVectors

    rng = np.random.default_rng(seed)
    base = dataset.catalogue.frame
    n_base = len(base)
    if n < n_base:
        raise SystemExit(f"--big must be at least the bundled catalogue's {n_base:,} products")
    of = np.arange(n) % n_base  # bundled product of each synthetic one
    variant = np.arange(n) // n_base
    variants = -(-(n - np.arange(n_base)) // n_base)  # how many variants each bundled product has
    shards = int(variants.min())
    ids = np.array([f"S{i:06d}" for i in range(n)], dtype=object)

    frame = base.iloc[of].reset_index(drop=True)
    frame["title"] = (frame["title"].astype(str) + " V" + pd.Series(variant).astype(str)).astype("string")
    frame["price"] = (frame["price"].fillna(2.0) * rng.uniform(0.7, 1.3, n)).round(2)
    frame.index = pd.Index(ids.astype(str), name="product_id", dtype="string")

    X = vectors.aligned_to([str(p) for p in base.index]).matrix
    mate = rng.integers(0, n_base, n)
    mix = 0.7 * X[of] + 0.3 * X[mate] + rng.normal(0, 0.02, (n, X.shape[1])).astype(np.float32)
    mix /= np.linalg.norm(mix, axis=1, keepdims=True)

    lines = dataset.baskets.lines
    position = {str(p): i for i, p in enumerate(base.index)}
    b = lines["product_id"].astype(str).map(position).to_numpy()
    cust_code = pd.factorize(lines["customer_id"])[0]  # -1 for anonymous baskets
    basket_code = pd.factorize(lines["basket_id"])[0]
    parts = []
    for c in range(copies):
        owner = np.where(cust_code >= 0, cust_code, basket_code + 1_000_003)
        shard = (owner * 7919 + c * 104_729) % shards
        row = b + n_base * ((shard + b) % variants[b])
        copy = lines.copy()
        copy["product_id"] = pd.array(ids[row], dtype="string")
        if c:
            copy["basket_id"] = copy["basket_id"] + f"-{c}"
            copy["customer_id"] = copy["customer_id"] + f"-{c}"
        parts.append(copy)
    baskets = Baskets(pd.concat(parts, ignore_index=True))
    frame["popularity"] = baskets.item_popularity().reindex(frame.index).fillna(0).astype("int64")
    return Dataset(Catalogue(frame), baskets), ExactVectors(list(ids.astype(str)), mix.astype(np.float32))


def sample_histories(dataset, n: int, seed: int = 1):
    """`n` customers' dated histories (a seeded sample of every customer with an id)."""
    rng = np.random.default_rng(seed)
    customers = dataset.baskets.customers
    chosen = rng.choice(len(customers), size=min(n, len(customers)), replace=False)
    lines = dataset.baskets.lines
    wanted = {customers[i] for i in chosen}
    mine = lines[lines["customer_id"].isin(wanted)]
    from retrieval.baskets import Baskets

    sub = Baskets(mine)  # history() on the small frame: the same Baskets, fewer lines to scan
    return [sub.history(customers[i]) for i in chosen]


# ---------------------------------------------------------------------------- training


@contextmanager
def stage_timers():
    """Time train_served_ranker's steps by wrapping the functions it looks up at call time
    (in this process: a training that sends its cuts to worker processes times them as *other*)."""
    from retrieval.ranking import fitting, training
    from retrieval.recommend.retriever import Retriever

    spent = {"fit_sources": 0.0, "rows": 0.0, "rows_lists": 0.0, "rows_features": 0.0, "lightgbm": 0.0}
    originals = (fitting.fit_retriever, training.training_rows, training.fit_booster,
                 Retriever.source_lists, training.candidate_features)

    def timed(name, fn):
        def wrapper(*args, **kwargs):
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - t
        return wrapper

    fitting.fit_retriever = timed("fit_sources", originals[0])
    training.training_rows = timed("rows", originals[1])
    training.fit_booster = timed("lightgbm", originals[2])
    Retriever.source_lists = timed("rows_lists", originals[3])
    training.candidate_features = timed("rows_features", originals[4])
    try:
        yield spent
    finally:
        (fitting.fit_retriever, training.training_rows, training.fit_booster,
         Retriever.source_lists, training.candidate_features) = originals


def train(dataset, vectors, params, settings) -> dict:
    from retrieval.ranking.serving import train_served_ranker

    with tempfile.TemporaryDirectory(prefix="bench-ranker-") as root, stage_timers() as spent:
        t = time.perf_counter()
        model = train_served_ranker(dataset, vectors, params, root, settings)
        total = time.perf_counter() - t
    spent = dict(spent)
    spent["rows_other"] = spent["rows"] - spent["rows_lists"] - spent["rows_features"]
    spent["other"] = total - spent["fit_sources"] - spent["rows"] - spent["lightgbm"]
    modes = {m: r for m, r in model.report.items() if isinstance(r, dict) and "shoppers" in r}
    log.info("trained in %.1f s: %s", total, {k: round(v, 1) for k, v in spent.items()})
    # Cuts trained in worker processes are out of the timers' reach: their stages are "other".
    return {"model": model, "seconds": total, "stages": spent, "modes": modes,
            "settings": settings.key(), "workers": model.report["processes"]}


def fit_fusion(dataset, vectors, params, reps: int):
    """The peer: every fusion source fitted on all baskets (median of `reps`); the last retriever."""
    from retrieval.ranking.fitting import fit_retriever

    times, retriever = [], None
    for _ in range(reps):
        retriever = None  # free the previous one first
        t = time.perf_counter()
        retriever = fit_retriever(dataset.baskets, dataset.catalogue, vectors, params)
        times.append(time.perf_counter() - t)
    return retriever, times


# ---------------------------------------------------------------------------- latency


def _filters(mode: str):
    from retrieval.recommend.types import Filters

    return Filters(exclude_owned=mode == "new")


def latency(retriever, ranker, histories, now, modes=("all", "new")) -> dict:
    """ms per `recommend` call, ranker on vs off on the same request, alternating which goes first."""
    out = {m: {"ranker": [], "fusion": [], "ranked": 0} for m in modes}
    # Warm-up: first calls touch lazily built state and LightGBM's buffers.
    for h in histories[:3]:
        for m in modes:
            for r in (ranker, None):
                retriever.ranker = r
                retriever.recommend(history=h, k=K, filters=_filters(m), now=now)
    for i, history in enumerate(histories):
        for m in modes:
            filters = _filters(m)
            retriever.ranker = ranker
            out[m]["ranked"] += retriever.ranked_mode(retriever.prepare(history=history, k=K, filters=filters,
                                                                        now=now)) is not None
            order = (("ranker", ranker), ("fusion", None)) if i % 2 == 0 else (("fusion", None), ("ranker", ranker))
            for name, r in order:
                retriever.ranker = r
                t = time.perf_counter()
                retriever.recommend(history=history, k=K, filters=filters, now=now)
                out[m][name].append((time.perf_counter() - t) * 1000)
    retriever.ranker = ranker
    return out


def breakdown(retriever, ranker, histories, now, mode: str = "all") -> dict[str, float]:
    """Mean ms per step of the ranked path (a separate pass; the steps as recommend runs them)."""
    from retrieval.ranking.explain import by_source, explain, group_contributions

    retriever.ranker = ranker
    depth = ranker.settings.depth
    steps: dict[str, list[float]] = {}

    def add(name, seconds):
        steps.setdefault(name, []).append(seconds * 1000)

    for history in histories:
        t = time.perf_counter()
        request = retriever.prepare(history=history, k=K, filters=_filters(mode), now=now)
        add("prepare (mask, history)", time.perf_counter() - t)
        lists = {}
        for name, source in retriever.sources.items():
            if name == "repeat" and request.filters.exclude_owned:
                continue
            t = time.perf_counter()
            lists[name] = source.candidates(request.ctx, depth)
            add(f"source: {name}", time.perf_counter() - t)
        t = time.perf_counter()
        candidates, x, view = ranker.features(request.ctx, lists)
        add("features (union, shopper view, matrix)", time.perf_counter() - t)
        steps.setdefault("candidates", []).append(len(candidates))
        if not candidates:
            continue
        t = time.perf_counter()
        scores = ranker.model.predict(mode, x)
        add("LightGBM predict", time.perf_counter() - t)
        order = np.lexsort((np.array(candidates), -scores))[:K]
        t = time.perf_counter()
        contrib = ranker.model.contributions(mode, x[order])
        add("LightGBM SHAP contributions (top k)", time.perf_counter() - t)
        t = time.perf_counter()
        entries = by_source(lists, {candidates[i] for i in order})
        for j, i in enumerate(order):
            pid = candidates[i]
            groups = group_contributions(ranker.space, contrib[j])
            explain(pid, groups, entries.get(pid, {}), view, ranker.stats, request.ctx.position[pid])
        add("explanations", time.perf_counter() - t)
    return {name: float(np.mean(v)) for name, v in steps.items()}


def profile(retriever, ranker, histories, now, top: int = 18) -> list[str]:
    """cProfile over one ranked request per history (up to PROFILE_REQUESTS): top cumulative entries."""
    retriever.ranker = ranker
    chosen = histories[:PROFILE_REQUESTS]
    prof = cProfile.Profile()
    prof.enable()
    for history in chosen:
        retriever.recommend(history=history, k=K, now=now)
    prof.disable()
    stream = io.StringIO()
    stats = pstats.Stats(prof, stream=stream)
    stats.sort_stats("cumulative").print_stats(top)
    lines = [ln for ln in stream.getvalue().splitlines() if ln.strip()]
    start = next((i for i, ln in enumerate(lines) if ln.lstrip().startswith("ncalls")), 0)
    return [f"({len(chosen)} requests, times are totals)", *lines[start:]]


def pct(values, q) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


# ---------------------------------------------------------------------------- one shop


def run_shop(label, kind, dataset, vectors, params, settings, n_customers, fit_reps, force_profile) -> dict:
    from retrieval.ranking.fitting import item_stats, serving_ranker
    from retrieval.ranking.ranker import day_after

    log.info("== %s: %d products, %d baskets, %d lines", label, len(dataset.catalogue.frame),
             len(dataset.baskets), len(dataset.baskets.lines))
    from retrieval.recommend.item_neighbours import neighbour_table

    # The products' neighbour table, a build step of its own (training and every refit
    # below reuse it from the process's memo): timed apart.
    t = time.perf_counter()
    neighbour_table(vectors.aligned_to([str(i) for i in dataset.catalogue.frame.index]))
    table_s = time.perf_counter() - t
    trained = train(dataset, vectors, params, settings)
    retriever, fit_times = fit_fusion(dataset, vectors, params, fit_reps)
    ranker = serving_ranker(trained["model"], item_stats(dataset.baskets, dataset.catalogue), retriever, settings)
    now = day_after(dataset.baskets).to_pydatetime()
    histories = sample_histories(dataset, n_customers)
    from retrieval.recommend.threads import blas_threads

    load_before = os.getloadavg()[0]
    # Requests are timed as a serving process answers them: one BLAS thread
    # (`ShoppingAssistant.open` limits its process so; see retrieval/recommend/threads.py).
    with blas_threads():
        lat = latency(retriever, ranker, histories, now)
        load_after = os.getloadavg()[0]
        steps = breakdown(retriever, ranker, histories[: max(20, len(histories) // 4)], now)
    fusion_s = statistics.median(fit_times)
    from retrieval.rules import RuleStore, mine_rules

    n_rules = len(RuleStore.from_ruleset(mine_rules(dataset.baskets, params)))  # untimed: for the report
    result = {
        "label": label, "kind": kind, "products": len(dataset.catalogue.frame), "baskets": len(dataset.baskets),
        "lines": len(dataset.baskets.lines), "customers": len(dataset.baskets.customers),
        "rules": n_rules, "table_s": table_s, "train_s": trained["seconds"], "train_stages": trained["stages"], "train_modes": trained["modes"],
        "settings": trained["settings"], "train_workers": trained["workers"], "fusion_fit_s": fusion_s, "fusion_fit_all_s": fit_times,
        "train_over_fusion_fit": trained["seconds"] / fusion_s,
        "histories": len(histories),
        "history_baskets_median": float(np.median([len(h) for h in histories])),
        "latency": {}, "breakdown_ms": steps, "load_avg": [load_before, load_after],
    }
    missed = False
    for mode, got in lat.items():
        row = {"ranked_requests": got["ranked"], "requests": len(got["ranker"])}
        for name in ("ranker", "fusion"):
            row[f"{name}_p50"], row[f"{name}_p95"] = pct(got[name], 50), pct(got[name], 95)
            row[f"{name}_ms"] = got[name]
        row["p50_ratio"] = row["ranker_p50"] / row["fusion_p50"]
        row["p95_ratio"] = row["ranker_p95"] / row["fusion_p95"]
        result["latency"][mode] = row
        missed |= row["ranker_p50"] > GOAL_P50_MS[kind]
        log.info("%s %s: ranker p50 %.1f p95 %.1f ms, fusion p50 %.1f p95 %.1f ms (%.2fx)", label, mode,
                 row["ranker_p50"], row["ranker_p95"], row["fusion_p50"], row["fusion_p95"], row["p50_ratio"])
    if missed or force_profile:
        with blas_threads():
            result["profile"] = profile(retriever, ranker, histories, now)
        print(f"\ncProfile, {label}, ranked recommend (mode all):\n" + "\n".join(result["profile"]) + "\n",
              flush=True)
    result["goal_train_met"] = trained["seconds"] <= GOAL_TRAIN_S if kind == "bundled" else None
    result["goal_p50_ms"] = GOAL_P50_MS[kind]
    return result


# ---------------------------------------------------------------------------- report


def tables(results: list[dict]) -> str:
    train_rows = [
        "| shop | ranker settings | train_served_ranker s | fit sources (inner cut) | rows: source lists | "
        "rows: features | rows: rest | LightGBM | other | shoppers all / new | rows all / new | "
        "peer: fit_retriever s | train / peer | goal | neighbour table s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        s, m = r["train_stages"], r["train_modes"]
        shoppers = " / ".join(f"{m[x]['shoppers']:,}" if x in m else "-" for x in ("all", "new"))
        rows = " / ".join(f"{m[x]['rows']:,}" if x in m else "-" for x in ("all", "new"))
        goal = (f"<= {GOAL_TRAIN_S:.0f} s: {'met' if r['goal_train_met'] else 'missed'}"
                if r["goal_train_met"] is not None else "-")
        apart = r["train_workers"] > 1  # the cuts' stages ran in worker processes
        staged = " | ".join("in workers" if apart else f"{s[k]:.1f}"
                            for k in ("fit_sources", "rows_lists", "rows_features", "rows_other"))
        settings = r["settings"]
        cuts = f", {settings['cuts']} cuts in {r['train_workers']} processes" if settings["cuts"] > 1 else ""
        train_rows.append(
            f"| {r['label']} | max_shoppers {settings['max_shoppers']:,}, depth {settings['depth']}{cuts} "
            f"| {r['train_s']:.1f} | {staged} | {s['lightgbm']:.1f} | {s['other']:.1f} | {shoppers} | {rows} "
            f"| {r['fusion_fit_s']:.2f} | {r['train_over_fusion_fit']:.0f}x | {goal} | {r['table_s']:.1f} |")
    lat_rows = [
        "| shop | mode | requests (ranked) | ranker p50 | ranker p95 | fusion p50 | fusion p95 | "
        "p50 ranker / fusion | p95 ranker / fusion | goal p50 |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        for mode, x in r["latency"].items():
            goal = f"<= {r['goal_p50_ms']:.0f} ms: {'met' if x['ranker_p50'] <= r['goal_p50_ms'] else 'missed'}"
            lat_rows.append(
                f"| {r['label']} | {mode} | {x['requests']} ({x['ranked_requests']}) | {x['ranker_p50']:.1f} "
                f"| {x['ranker_p95']:.1f} | {x['fusion_p50']:.1f} | {x['fusion_p95']:.1f} | {x['p50_ratio']:.2f}x "
                f"| {x['p95_ratio']:.2f}x | {goal if mode == 'all' else '-'} |")
    names = list(dict.fromkeys(n for r in results for n in r["breakdown_ms"] if n != "candidates"))
    step_rows = ["| step (mean ms, mode all) | " + " | ".join(r["label"] for r in results) + " |",
                 "|---|" + "---|" * len(results)]
    for n in names:
        step_rows.append(f"| {n} | " + " | ".join(
            f"{r['breakdown_ms'][n]:.2f}" if n in r["breakdown_ms"] else "-" for r in results) + " |")
    step_rows.append("| sum | " + " | ".join(
        f"{sum(v for k, v in r['breakdown_ms'].items() if k != 'candidates'):.2f}" for r in results) + " |")
    step_rows.append("| candidates per request | " + " | ".join(
        f"{r['breakdown_ms'].get('candidates', 0):.0f}" for r in results) + " |")
    return "\n".join(["**Training**", "", *train_rows, "", "**recommend latency (ms)**", "", *lat_rows, "",
                      "**Where a ranked request's time goes**", "", *step_rows])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="smaller run: bundled ranker on 400 shoppers, 60 customers, 20k products, 1 copy")
    parser.add_argument("--customers", type=int, default=None, help="histories timed per shop (default 200)")
    parser.add_argument("--big", type=int, default=None, help="synthetic catalogue size (default 100000)")
    parser.add_argument("--copies", type=int, default=None, help="copies of the bundled baskets (default 2)")
    parser.add_argument("--big-shoppers", type=int, default=None, help="max_shoppers at --big (default 1000)")
    parser.add_argument("--fit-reps", type=int, default=None, help="peer fit repetitions (default 3)")
    parser.add_argument("--profile", action="store_true", help="profile even when the goals are met")
    parser.add_argument("--no-cache", action="store_true", help="re-encode the bundled catalogue")
    parser.add_argument("--json", metavar="FILE", help="also write every figure as JSON")
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    args = parser.parse_args(argv)
    quick = args.quick
    customers = args.customers or (60 if quick else 200)
    big = args.big or (20_000 if quick else 100_000)
    copies = args.copies or (1 if quick else 2)
    big_shoppers = args.big_shoppers or (200 if quick else 1000)
    fit_reps = args.fit_reps or (1 if quick else 3)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    from retrieval.ingest import load_online_retail
    from retrieval.ranking.ranker import DEFAULT_SETTINGS, RankerSettings
    from retrieval.rules import MiningParams

    started = time.perf_counter()
    params = MiningParams()  # the served rule settings (`shopassist build`'s defaults)
    dataset = load_online_retail()
    vectors = bundled_vectors(dataset.catalogue, use_cache=not args.no_cache)
    small_settings = RankerSettings(max_shoppers=400) if quick else DEFAULT_SETTINGS
    results = [run_shop(f"bundled ({len(dataset.catalogue.frame):,})", "bundled", dataset, vectors, params,
                        small_settings, customers, fit_reps, args.profile)]
    big_data, big_vectors = synthetic_shop(dataset, vectors, big, copies)
    del dataset
    results.append(run_shop(f"synthetic ({big:,})", "synthetic", big_data, big_vectors, params,
                            RankerSettings(max_shoppers=big_shoppers), max(20, customers // 2 if quick else customers),
                            fit_reps, args.profile))
    total = time.perf_counter() - started

    small, large = results
    body = "\n".join([
        f"`train_served_ranker` (what `shopassist build` runs) with the served rule settings "
        f"(`MiningParams()`: support {params.min_support}, confidence {params.min_confidence}, max length "
        f"{params.max_len}), trained once per shop; the stage columns are timing wrappers around its steps "
        "(*fit sources* = every source refitted on the baskets before the inner cut; *neighbour table* = "
        "each product's 100 nearest products, computed once per set of vectors before training, which "
        "reuses it, as serving loads it saved; *rows* = each "
        "training shopper's source lists at depth 50, features and labels; *other* = split, item stats, "
        "cases). Peer: `fit_retriever` on all baskets (the fusion's sources alone), median of "
        f"{fit_reps}. Latency: `recommend(history=<dated baskets>, k={K}, now=<day after the data>)` over "
        f"{small['histories']} real customers (median {small['history_baskets_median']:.0f} baskets of history) "
        f"on the bundled shop and {large['histories']} on the synthetic one, mode *all* (default filters) "
        "and *new* (`exclude_owned`); ranker on vs `ranker = None` (the weighted fusion) on the same "
        "retriever, alternating which goes first per request. *requests (ranked)* = how many of them the "
        "ranker actually ordered.",
        "",
        f"Synthetic shop: {large['products']:,} products (variants of the bundled ones, vectors mixed as in "
        f"bench_recommend), the bundled baskets copied {copies}x onto them ({large['baskets']:,} baskets, "
        f"{large['lines']:,} lines, {large['customers']:,} customers; each customer buys one variant of "
        f"each product), ranker trained with `RankerSettings(max_shoppers={big_shoppers})`. Rules mined "
        f"from all baskets with the served settings: {small['rules']:,} on the bundled shop, "
        f"{large['rules']:,} on the synthetic one"
        + (" (a product's baskets are spread over its variants, so few itemsets reach the support "
           "threshold: the rules source is nearly silent there)." if large["rules"] < small["rules"] / 10 else "."),
        "",
        tables(results),
        "",
        f"Ratios compare runs that took turns in one process; load average {small['load_avg'][0]:.1f} / "
        f"{small['load_avg'][1]:.1f} (bundled latency, before / after) and {large['load_avg'][0]:.1f} / "
        f"{large['load_avg'][1]:.1f} (synthetic) on 2 cores shared with other jobs, so absolute times are "
        f"inflated. Whole benchmark: {total:.0f} s.",
    ])
    print("\n" + body, flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, default=str))
    if not args.no_write:
        from bench._results import write_section

        flags = " --quick" if quick else ""
        for name, value, default in (("customers", args.customers, None), ("big", args.big, None),
                                     ("copies", args.copies, None), ("big-shoppers", args.big_shoppers, None),
                                     ("fit-reps", args.fit_reps, None)):
            if value is not default:
                flags += f" --{name} {value}"
        write_section("Learned ranker: training and recommend latency",
                      f".venv/bin/python -m bench.bench_ranker{flags}", body)


if __name__ == "__main__":
    main()
