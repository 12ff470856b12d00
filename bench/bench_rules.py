"""Benchmark association-rule mining: our local engine against pyfim, mlxtend, efficient-apriori.

    .venv/bin/python -m bench.bench_rules            # ~5-8 min on 2 cores; writes bench/RESULTS.md
    .venv/bin/python -m bench.bench_rules --reps 1   # quicker, noisier

Every (dataset, support, tool) runs in its own subprocess, round-robin over tools within a
repetition so machine noise hits all tools alike; each child reports the wall time of the
mining + rules step (data already in memory as lists of item-id strings) and its peak RSS
(whole process: interpreter, imports, data). All tools get the same absolute support count
and min confidence; each child reduces its output to a digest of the itemsets with counts
and the single-consequent rules with counts, so "identical" means exactly equal results.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FIMI_RETAIL = Path("/work/shared/data/fimi/retail.dat.gz")
CONFIDENCE = 0.2
TOOLS = ("ours", "pyfim-fpgrowth", "pyfim-eclat", "mlxtend", "efficient-apriori")
CHILD_TIMEOUT_S = 300


# ---- child side: one tool, one dataset, one threshold ------------------------------------

def read_baskets(path: str) -> list[list[str]]:
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt") as fh:
        return [line.split() for line in fh if line.strip()]


def run_tool(tool: str, baskets: list[list[str]], min_count: int, conf: float):
    """Returns (itemsets {sorted tuple: count}, rules [(antecedent, consequent, ac, a)], seconds, prep_s)."""
    n = len(baskets)
    prep = 0.0
    if tool == "ours":
        from retrieval.rules import MiningParams
        from retrieval.rules.local import mine_local

        params = MiningParams(min_support=min_count, min_confidence=conf, min_lift=0.0, max_len=None)
        t0 = time.perf_counter()
        result = mine_local(baskets, params)
        secs = time.perf_counter() - t0
        sets = dict(zip(result.itemsets["items"], result.itemsets["count"].tolist(), strict=True))
        r = result.rules
        rules = list(zip(r["antecedent"], r["consequent"], r["rule_count"].tolist(),
                         r["antecedent_count"].tolist(), strict=True))
    elif tool.startswith("pyfim-"):
        import fim

        mine = getattr(fim, tool.removeprefix("pyfim-"))
        t0 = time.perf_counter()
        found = mine(baskets, target="s", supp=-min_count, report="a")
        raw = mine(baskets, target="r", supp=-min_count, conf=conf * 100 - 1e-6, zmin=2,
                   report="ab", mode="o")
        secs = time.perf_counter() - t0
        sets = {tuple(sorted(s)): c for s, c in found}
        rules = [(tuple(sorted(b)), h, ac, a) for h, b, ac, a in raw]
    elif tool == "mlxtend":
        import pandas as pd
        from mlxtend.frequent_patterns import association_rules, fpgrowth
        from mlxtend.preprocessing import TransactionEncoder

        t0 = time.perf_counter()
        enc = TransactionEncoder()
        onehot = pd.DataFrame.sparse.from_spmatrix(enc.fit(baskets).transform(baskets, sparse=True),
                                                   columns=enc.columns_)
        prep = time.perf_counter() - t0
        t0 = time.perf_counter()
        fi = fpgrowth(onehot, min_support=support_fraction_for(min_count, n), use_colnames=True)
        ar = association_rules(fi, num_itemsets=n, metric="confidence", min_threshold=conf - 1e-12)
        secs = time.perf_counter() - t0
        sets = {tuple(sorted(s)): round(x * n) for s, x in zip(fi["itemsets"], fi["support"], strict=True)}
        ar = ar[ar["consequents"].map(len) == 1]
        rules = [(tuple(sorted(a)), next(iter(c)), round(s * n), round(sa * n)) for a, c, s, sa in
                 zip(ar["antecedents"], ar["consequents"], ar["support"], ar["antecedent support"], strict=True)]
    elif tool == "efficient-apriori":
        from efficient_apriori import apriori

        t0 = time.perf_counter()
        found, ea_rules = apriori([tuple(b) for b in baskets], min_support=support_fraction_for(min_count, n),
                                  min_confidence=conf - 1e-12, max_length=10_000)
        secs = time.perf_counter() - t0
        sets = {tuple(sorted(s)): c for level in found.values() for s, c in level.items()}
        rules = [(tuple(sorted(r.lhs)), r.rhs[0], r.count_full, r.count_lhs) for r in ea_rules if len(r.rhs) == 1]
    else:
        raise SystemExit(f"unknown tool {tool}")
    return sets, rules, secs, prep


def support_fraction_for(min_count: int, n: int) -> float:
    # = retrieval.rules.params.support_fraction_for, copied so that the other tools' children
    # do not import our package (and pandas with it) and carry its memory.
    return (min_count - 0.5) / n


IMPORTS = {
    "ours": ["retrieval.rules.local", "fim"],
    "pyfim-fpgrowth": ["fim"],
    "pyfim-eclat": ["fim"],
    "mlxtend": ["mlxtend.frequent_patterns", "mlxtend.preprocessing", "pandas"],
    "efficient-apriori": ["efficient_apriori"],
}


def digest(sets: dict, rules: list, conf: float) -> tuple[str, int]:
    # The same exact confidence test for everyone, on integer counts.
    kept = sorted((a, c, ac) for a, c, ac, an in rules if ac / an >= conf)
    h = hashlib.sha256(json.dumps([sorted(sets.items()), kept]).encode())
    return h.hexdigest()[:16], len(kept)


def rss_mb(field: str) -> float:
    # From /proc, not getrusage: Linux carries ru_maxrss across exec, so a child would
    # report its parent's peak whenever the parent had been bigger.
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(args: argparse.Namespace) -> None:
    import importlib

    for module in IMPORTS[args.child]:
        importlib.import_module(module)
    imports = rss_mb("VmRSS")
    baskets = read_baskets(args.data)
    sets, rules, secs, prep = run_tool(args.child, baskets, args.min_count, args.conf)
    dig, n_rules = digest(sets, rules, args.conf)
    print(json.dumps({"seconds": secs, "prep": prep, "rss_mb": rss_mb("VmHWM"), "import_mb": imports, "itemsets": len(sets),
                      "rules": n_rules, "digest": dig}))


# ---- parent side -------------------------------------------------------------------------

def run_child(tool: str, data: str, min_count: int) -> dict:
    cmd = [sys.executable, "-m", "bench.bench_rules", "--child", tool, "--data", data,
           "--min-count", str(min_count), "--conf", str(CONFIDENCE)]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=CHILD_TIMEOUT_S, check=True)
    except subprocess.TimeoutExpired:
        return {"error": f"timeout {CHILD_TIMEOUT_S} s"}
    except subprocess.CalledProcessError as exc:
        return {"error": exc.stderr.strip().splitlines()[-1][:80]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def datasets(workdir: Path) -> list[tuple[str, str, int, list[float]]]:
    from retrieval.ingest import load_online_retail
    from retrieval.rules.prepare import baskets_to_lists

    lists = baskets_to_lists(load_online_retail().baskets)
    retail = workdir / "online_retail_baskets.txt"
    retail.write_text("\n".join(" ".join(b) for b in lists) + "\n")
    with gzip.open(FIMI_RETAIL, "rt") as fh:
        n_fimi = sum(1 for line in fh if line.strip())
    return [("Online Retail (bundled)", str(retail), len(lists), [0.02, 0.01, 0.005]),
            ("FIMI retail.dat", str(FIMI_RETAIL), n_fimi, [0.005, 0.002])]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--child", choices=TOOLS)
    parser.add_argument("--data")
    parser.add_argument("--min-count", type=int)
    parser.add_argument("--conf", type=float)
    args = parser.parse_args(argv)
    if args.child:
        return child(args)
    import math

    from bench._results import write_section

    started = time.perf_counter()
    sections = []
    ratios: dict[str, list[float]] = {t: [] for t in TOOLS}
    with tempfile.TemporaryDirectory() as tmp:
        for name, path, n, supports in datasets(Path(tmp)):
            for support in supports:
                min_count = math.ceil(support * n - 1e-9)
                runs: dict[str, list[dict]] = {t: [] for t in TOOLS}
                for _ in range(args.reps):
                    for tool in TOOLS:
                        if runs[tool] and "error" in runs[tool][-1]:
                            continue  # a tool that timed out once is not retried
                        runs[tool].append(run_child(tool, path, min_count))
                        print(name, support, tool, runs[tool][-1], file=sys.stderr, flush=True)
                sections.append(render(name, n, support, min_count, runs))
                ours = statistics.median(r["seconds"] for r in runs["ours"])
                for tool, rs in runs.items():
                    if rs and all("error" not in r for r in rs):
                        ratios[tool].append(statistics.median(r["seconds"] for r in rs) / ours)
    summary = "; ".join(f"{t} {min(v):.1f}-{max(v):.1f}x" for t, v in ratios.items() if t != "ours" and v)
    body = (summary_header(args.reps) + f"Time of each tool over ours, range over the {len(sections)} "
            f"settings: {summary}.\n\n" + "\n\n".join(sections))
    body += f"\n\nWhole benchmark: {time.perf_counter() - started:.0f} s.\n"
    write_section("Association rules", f".venv/bin/python -m bench.bench_rules --reps {args.reps}", body)
    print(body)


def summary_header(reps: int) -> str:
    return (
        f"Min confidence {CONFIDENCE}, no length limit, lift unfiltered; every tool gets the same "
        f"absolute support count (ceil(support * n)). Median of {reps} round-robin runs, each tool "
        "in its own process. *mine s* = mining + rules (+ measures for ours and mlxtend) with the "
        "baskets already in memory; mlxtend's one-hot encoding is shown apart (*prep s*). *RSS* = "
        "peak resident memory of the whole process; *imports MB* = its resident memory after "
        "importing the tool, before reading the baskets (ours: pandas + pyarrow). *rules* = single-consequent rules (mlxtend and "
        "efficient-apriori also make multi-item consequents, not counted). *same* = itemsets, counts "
        "and rules identical to ours. *ours* = `retrieval.rules.mine_local`: one pyfim Eclat pass "
        "for the itemsets, rules derived from itemset counts in Python, all measures in numpy, "
        "sorted into a frame. *pyfim-X* = raw pyfim, two calls (itemsets, then rules with counts; "
        "no further measures), as pyfim is normally used.\n\n"
    )


def render(name: str, n: int, support: float, min_count: int, runs: dict[str, list[dict]]) -> str:
    ok = {t: [r for r in rs if "error" not in r] for t, rs in runs.items()}
    ours = statistics.median(r["seconds"] for r in ok["ours"])
    ref = ok["ours"][0]["digest"]
    lines = [f"**{name}**, {n:,} baskets, min support {support} (= {min_count} baskets)\n",
             "| tool | mine s (median) | min-max | prep s | peak RSS MB | imports MB | itemsets | rules | same | time vs ours |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for tool, rs in ok.items():
        if not rs:
            lines.append(f"| {tool} | {runs[tool][-1]['error']} | | | | | | | | |")
            continue
        secs = [r["seconds"] for r in rs]
        med = statistics.median(secs)
        lines.append(
            f"| {tool} | {med:.3f} | {min(secs):.3f}-{max(secs):.3f} | {statistics.median(r['prep'] for r in rs):.2f} "
            f"| {max(r['rss_mb'] for r in rs):.0f} | {statistics.median(r['import_mb'] for r in rs):.0f} "
            f"| {rs[0]['itemsets']:,} | {rs[0]['rules']:,} "
            f"| {'yes' if all(r['digest'] == ref for r in rs) else 'NO'} | {med / ours:.2f}x |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
