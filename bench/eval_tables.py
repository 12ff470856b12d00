"""Write `shopassist eval` results (the JSON it saves) into bench/RESULTS.md as one section.

    .venv/bin/python -m bench.eval_tables --title "..." --command "..." RESULTS.json [...]

Each shop gets a table per mode at k=10 (NDCG, recall, precision, MAP, hit rate, fit and
recommend seconds), and the hybrid's ratio to the best peer of the same run on NDCG@10
and Recall@10, with its 95% paired bootstrap interval where the run saved one
(`retrieval.evaluation.compare`). "Peers" are every recommender but the hybrid and its
one-source variants.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bench._results import write_section
from retrieval.evaluation.compare import OWN

METRICS = ("ndcg@10", "recall@10", "precision@10", "map@10", "hit@10")


def tables(path: Path, label: str) -> str:
    data = json.loads(path.read_text())
    split = data["split"]
    times = {t["recommender"]: t for t in data["timings"]}
    cuts = split.get("cuts") or [split]
    if len(cuts) > 1:
        where = (f"Test split at {len(cuts)} cuts a month apart, pooled: "
                 + "; ".join(f"cut {c['cut'][:10]}, {c['train_baskets']:,} train baskets, "
                             f"{c['test_customers']:,} test customers" for c in cuts)
                 + f" ({split['test_customers']:,} next baskets of {split['customers']:,} customers, "
                 f"{split['test_customers_with_new_items']:,} with new items)")
    else:
        where = (f"Test split: cut {split['cut'][:10]}, {split['train_baskets']:,} train baskets, "
                 f"{split['test_customers']:,} test customers ({split['test_customers_with_new_items']:,} "
                 f"with new items)")
    out = [f"### {label}", "", f"{where}, catalogue {data['catalogue_size']:,} products.", ""]
    ratios = []
    intervals = {(c["mode"], c["metric"]): c for c in data.get("comparisons", [])}
    for mode in ("all", "new"):
        rows = [r for r in data["rows"] if r["mode"] == mode]
        out += [f"**mode {mode}** ({rows[0]['users']:,} {'next baskets' if len(cuts) > 1 else 'customers'})", "",
                "| recommender | " + " | ".join(METRICS) + " | fit s | recommend s |",
                "|---|" + "---|" * (len(METRICS) + 2)]
        for r in rows:
            t = times.get(r["recommender"], {})
            name = f"**{r['recommender']}**" if r["recommender"] == "hybrid" else r["recommender"]
            out.append(f"| {name} | " + " | ".join(f"{r['metrics'][m]:.4f}" for m in METRICS)
                       + f" | {t.get('fit_seconds', 0):.1f} | {t.get('recommend_seconds', 0):.1f} |")
        out.append("")
        hybrid = next((r for r in rows if r["recommender"] == "hybrid"), None)
        peers = [r for r in rows if r["recommender"] not in OWN]
        if hybrid and peers:
            for m in ("ndcg@10", "recall@10"):
                best = max(peers, key=lambda r: r["metrics"][m])
                ratio = hybrid["metrics"][m] / max(best["metrics"][m], 1e-12)
                c = intervals.get((mode, m))
                interval = f"{c['low']:.2f}-{c['high']:.2f}x" if c else "not saved"
                ratios.append(f"| {label} | {mode} | {m} | {hybrid['metrics'][m]:.4f} | "
                              f"{best['recommender']} {best['metrics'][m]:.4f} | {ratio:.2f}x | {interval} |")
    per_cut = data.get("cut_comparisons", [])
    if per_cut:
        out += ["**At each cut alone** (hybrid / best peer of that cut, 95% interval)", "",
                "| cut | mode | metric | hybrid | best peer | ratio | 95% interval |", "|---|---|---|---|---|---|---|"]
        out += [f"| {c['cut']} | {c['mode']} | {c['metric']} | {c['ours_value']:.4f} | {c['peer']} "
                f"{c['peer_value']:.4f} | {c['ratio']:.2f}x | {c['low']:.2f}-{c['high']:.2f}x |" for c in per_cut]
        out.append("")
    return "\n".join(out), ratios


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--title", required=True)
    p.add_argument("--command", required=True)
    p.add_argument("--intro", default="")
    p.add_argument("results", nargs="+", metavar="LABEL=JSON")
    args = p.parse_args()
    parts, ratios = [], []
    for item in args.results:
        label, path = item.split("=", 1)
        text, r = tables(Path(path), label)
        parts.append(text)
        ratios += r
    summary = ["| shop | mode | metric | hybrid | best peer | hybrid / best peer (goal 1.15x) | 95% interval |",
               "|---|---|---|---|---|---|---|", *ratios]
    write_section(args.title, args.command, "\n\n".join([args.intro, "\n".join(summary), *parts]))


if __name__ == "__main__":
    main()
