"""Benchmark the shopping agent's turn latency with the offline planner on the bundled data.

    .venv/bin/python -m bench.bench_agent              # ~2 min on 2 cores; writes bench/RESULTS.md
    .venv/bin/python -m bench.bench_agent --reps 3 --no-write

Builds the same retriever the tests use (bundled Online Retail, real MiniLM vectors, mined
rules, co-purchase), then replays a scripted conversation `--reps` times in fresh sessions.
A turn is one `ShoppingAssistant.chat` call: planning, the tool (retrieval), the answer and
grounding. Query encoding is included (it is part of a search turn); set-up is not.
"""

from __future__ import annotations

import argparse
import os
import time
from collections import defaultdict

SCRIPT = (
    "I need a lunch bag under £2",
    "cheaper",
    "tell me about the second one",
    "add it to my basket",
    "add 2 of the first one",
    "what goes with my basket?",
    "show my basket",
    "compare the first and second",
    "more like that",
    "what goes with the white hanging heart t-light holder?",
    "candles between 1 and 3 pounds",
    "details of 85123A",
)


def build_assistant():
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from assistant import ShoppingAssistant
    from bench.bench_ranker import bundled_vectors
    from retrieval.index.transformers_encoder import TransformersEncoder
    from retrieval.ingest import load_online_retail
    from retrieval.recommend.assemble import RetrieverParts, assemble_retriever
    from retrieval.recommend.copurchase import CopurchaseModel
    from retrieval.recommend.threads import limit_blas_threads
    from retrieval.rules import RuleStore, mine_rules

    dataset = load_online_retail()
    encoder = TransformersEncoder(progress=False)
    # Encoded once and cached in the temp folder (before, each run encoded the catalogue
    # into a folder of its own, left behind).
    vectors = bundled_vectors(dataset.catalogue)
    # The composition root the server and the tests use, with the shop's profile: without it
    # the retriever reads prices in no currency and "under £2" is no limit.
    retriever = assemble_retriever(RetrieverParts(
        dataset.catalogue, vectors, n_baskets=len(dataset.baskets),
        rules=RuleStore.from_ruleset(mine_rules(dataset.baskets)),
        copurchase=CopurchaseModel(dataset.catalogue.ids, dataset.baskets),
        encode_query=encoder.encode_query, shop=dataset.shop,
    ))
    # As the serving shells do (`ShoppingAssistant.open`): one BLAS thread per query.
    limit_blas_threads()
    return ShoppingAssistant(retriever, dataset)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=10, help="conversations replayed (default 10)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    args = parser.parse_args()
    assistant = build_assistant()
    assistant.chat("warm-up", SCRIPT[0])  # first query loads the encoder's kernels
    all_ms, by_tool = [], defaultdict(list)
    for rep in range(args.reps):
        for message in SCRIPT:
            start = time.perf_counter()
            reply = assistant.chat(f"bench-{rep}", message)
            ms = (time.perf_counter() - start) * 1000
            all_ms.append(ms)
            by_tool[reply.tool_calls[0]["name"] if reply.tool_calls else "(none)"].append(ms)
    rows = ["| turns | p50 ms | p99 ms | max ms |", "|---|---|---|---|",
            f"| all ({len(all_ms)}) | {percentile(all_ms, 50):.1f} | {percentile(all_ms, 99):.1f} | {max(all_ms):.1f} |"]
    for name, values in sorted(by_tool.items()):
        rows.append(f"| {name} ({len(values)}) | {percentile(values, 50):.1f} | {percentile(values, 99):.1f} | {max(values):.1f} |")
    body = (f"Offline planner, {args.reps} replays of a {len(SCRIPT)}-turn scripted conversation "
            f"(search with price limits, follow-ups, basket, bought-together, compare, similar, details) "
            f"over the bundled Online Retail data; latency of one `chat` call, set-up excluded.\n\n"
            + "\n".join(rows) + "\n\nSearch turns include encoding the question with MiniLM on the CPU.")
    print(body)
    if not args.no_write:
        from bench._results import write_section

        write_section("Agent turn latency", f".venv/bin/python -m bench.bench_agent --reps {args.reps}", body)


if __name__ == "__main__":
    main()
