"""The served ranker against variants of its settings, each refitted at several cuts.

`bench.ranker_ablation` judges features on one cut's saved rows, where one test period's
luck is as large as most effects (its table's noise floor). Settings that change what the
sources are fitted on (how far back the ranker's inner cut sits, how many inner cuts it
stacks, how deep each source's list is) cannot be judged on saved rows at all: each variant
here is the whole hybrid, fitted and scored at every cut of `shopassist eval --cuts N`, and
compared with `base` (the served settings) case by case, with a 95% bootstrap interval that
resamples customers with all of their cuts.

    python -m bench.ranker_settings --dataset DIR --home H --cuts 3 \\
        --variants base label_months=2 cuts=1 [--write "shop name"]

A variant is `base` or `field=value[,field=value]` over `RankerSettings` fields.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import time

log = logging.getLogger(__name__)
METRICS = ("ndcg@10", "recall@10")


def settings_for(variant: str):
    """`base` -> the served RankerSettings; "label_months=2,cuts=2" -> those fields changed."""
    from retrieval.ranking.ranker import RankerSettings

    if variant == "base":
        return RankerSettings()
    kinds = {f.name: f.type for f in dataclasses.fields(RankerSettings)}
    values = {}
    for part in variant.split(","):
        key, sep, raw = part.partition("=")
        if not sep or key not in kinds:
            raise SystemExit(f"variant {variant!r}: expected field=value over {', '.join(kinds)}")
        values[key] = float(raw) if kinds[key] in (float, "float") else int(raw)
    return RankerSettings(**values)


def run(dataset_dir: str | None, home: str, cuts: int, variants: list[str]):
    from retrieval.datasets import resolve_dataset
    from retrieval.evaluation import evaluate, make_splits
    from retrieval.evaluation.hybrid import HybridRecommender, catalogue_vectors

    dataset = resolve_dataset(dataset_dir, home).dataset
    vectors = catalogue_vectors(dataset.catalogue, home)
    recs = {v: HybridRecommender(vectors, ranker=settings_for(v)) for v in variants}
    start = time.perf_counter()
    results = evaluate(recs, make_splits(dataset, "test", cuts=cuts), dataset.catalogue, ks=[10])
    return results, time.perf_counter() - start


def table(results, variants: list[str]) -> str:
    from retrieval.evaluation.compare import paired_ratio

    cells = [f"{mode} {m}" for mode in ("all", "new") for m in METRICS]
    out = ["| variant | " + " | ".join(cells) + " | " + " | ".join(f"{c} vs base (95%)" for c in cells)
           + " | fit s | recommend s |", "|---|" + "---|" * (2 * len(cells) + 2)]
    times = {t.recommender: t for t in results.timings}
    for v in variants:
        values = [f"{results.get(v, mode, m):.4f}" for mode in ("all", "new") for m in METRICS]
        ratios = []
        for mode in ("all", "new"):
            for m in METRICS:
                if v == "base":
                    ratios.append("-")
                    continue
                ratio, low, high = paired_ratio(results.per_user, results.clusters, v, "base", mode, m)
                ratios.append(f"{ratio:.3f}x ({low:.3f}-{high:.3f})")
        out.append(f"| `{v}` | " + " | ".join(values + ratios)
                   + f" | {times[v].fit_seconds:.0f} | {times[v].recommend_seconds:.0f} |")
    return "\n".join(out)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dataset", help="a cleaned dataset folder (default: the bundled shop)")
    p.add_argument("--home", required=True)
    p.add_argument("--cuts", type=int, default=3)
    p.add_argument("--variants", nargs="+", default=["base"])
    p.add_argument("--write", metavar="SHOP", help="write the table into bench/RESULTS.md under this shop's name")
    args = p.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    variants = ["base", *[v for v in args.variants if v != "base"]]
    results, seconds = run(args.dataset, args.home, args.cuts, variants)
    text = table(results, variants)
    print(text)
    if args.write:
        from bench._results import write_section

        s = results.split
        body = (f"{results.cut_text}; {s['test_customers']:,} next baskets of {s['customers']:,} "
                f"customers in mode all ({results.users['new']:,} in mode new). Each variant is the whole "
                f"hybrid with those `RankerSettings`, fitted and scored at every cut; *vs base* is its "
                f"mean over the served settings' on the same cases, with a 95% bootstrap interval over "
                f"customers (each with all of their cuts). Whole run: {seconds:.0f} s.\n\n{text}")
        write_section(f"Ranker settings at {args.cuts} cuts: {args.write}",
                      f"python -m bench.ranker_settings --home H --cuts {args.cuts} --variants "
                      + " ".join(variants) + (f" --dataset {args.dataset}" if args.dataset else ""), body)


if __name__ == "__main__":
    main()
