"""Benchmark building the product index from the bundled catalogue, and rebuilding it.

    .venv/bin/python -m bench.bench_build            # ~2-4 min on 2 cores; writes bench/RESULTS.md
    .venv/bin/python -m bench.bench_build --reps 1   # quicker, noisier

Each repetition starts from an empty data root and times, with one encoder loaded up front
(its load time is reported separately): a full build (embed every product, write Chroma and
the numpy mirror, switch), an unchanged rebuild (must embed and write nothing), a rebuild
with 1 % of titles changed, and 10 `similar_items` queries on the opened index. Finally
one `shopassist build` process times what a person waits for on an unchanged catalogue
(interpreter, imports, ingest of the CSV included).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from retrieval.config import REPO_ROOT


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--no-write", action="store_true", help="print only, leave RESULTS.md alone")
    args = parser.parse_args(argv)

    from retrieval.index import TransformersEncoder, build_index, open_index
    from retrieval.ingest import load_online_retail
    from retrieval.products import Catalogue

    catalogue = load_online_retail().catalogue
    started = time.perf_counter()
    encoder = TransformersEncoder(progress=False).load()
    load_s = time.perf_counter() - started
    frame = catalogue.frame.copy()
    changed_ids = frame.index[::100]
    frame.loc[changed_ids, "title"] = frame.loc[changed_ids, "title"].astype(str) + " GIFT SET"
    changed = Catalogue(frame)

    times: dict[str, list[float]] = {"full": [], "unchanged": [], "1% changed": [], "similar": []}
    counts = {}
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        for rep in range(args.reps):
            root = Path(tmp) / f"rep{rep}"
            for label, cat in (("full", catalogue), ("unchanged", catalogue), ("1% changed", changed)):
                result = build_index(cat, root, encoder=encoder)
                times[label].append(result.seconds)
                counts[label] = result
            index = open_index(root)
            t0 = time.perf_counter()
            for pid in index.ids[:10]:
                index.similar_items(pid, k=10)
            times["similar"].append((time.perf_counter() - t0) / 10)
            print(", ".join(f"{k} {v[-1]:.2f} s" for k, v in times.items()), flush=True)
        # The CLI's own unchanged rebuild: a fresh process against the full index.
        cli_root = Path(tmp) / f"rep{args.reps - 1}"
        build_index(catalogue, cli_root, encoder=encoder)
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "assistant.cli", "build", "--home", str(cli_root)],
            cwd=REPO_ROOT, check=True, capture_output=True,
        )
        cli_s = time.perf_counter() - t0
        disk_mb = sum(p.stat().st_size for p in (cli_root / "index").rglob("*") if p.is_file()) / 1e6
    load_after = os.getloadavg()[0]

    def med(label: str) -> float:
        return statistics.median(times[label])

    full, unchanged, partial = counts["full"], counts["unchanged"], counts["1% changed"]
    body = "\n".join(
        [
            f"Bundled catalogue: {len(catalogue):,} products, embedded Chroma (cosine, ef_search "
            f"{full.store.ef_search}) plus the numpy mirror, encoder {encoder.info.name} in "
            f"{encoder.precision} on {encoder.device}. {args.reps} repetitions from an empty data "
            f"root, medians; load average {load_before:.1f} before, {load_after:.1f} after "
            "(the machine is shared).",
            "",
            "| step | median s | embedded | reused | deleted |",
            "|---|---|---|---|---|",
            f"| encoder load (once, fp32 load + bf16 check) | {load_s:.2f} | | | |",
            f"| full build | {med('full'):.2f} | {full.embedded:,} | {full.reused:,} | {full.deleted} |",
            f"| unchanged rebuild | {med('unchanged'):.3f} | {unchanged.embedded} | {unchanged.reused:,} | {unchanged.deleted} |",
            f"| rebuild, 1 % of titles changed | {med('1% changed'):.2f} | {partial.embedded} | {partial.reused:,} | {partial.deleted} |",
            f"| `similar_items(k=10)` per query | {med('similar') * 1000:.1f} ms | | | |",
            f"| `shopassist build` process, unchanged (imports + CSV ingest included) | {cli_s:.1f} | 0 | | |",
            "",
            f"Index on disk after a build: {disk_mb:.1f} MB (Chroma + vectors.npy + ids).",
        ]
    )
    print(body)
    if not args.no_write:
        from bench._results import write_section

        write_section("Index build", f".venv/bin/python -m bench.bench_build --reps {args.reps}", body)


if __name__ == "__main__":
    main()
