"""`recommend` latency against a bare Chroma query, on the bundled and a synthetic 100k catalogue.

Both paths include encoding the question. Ours: `Retriever.recommend(question, k=20)` (parse,
exact masked numpy search, all sources, fusion, evidence). Peer: encode the question +
`collection.query(n_results=20)` on a Chroma collection (cosine, ef_search 400) holding the
same vectors, with the same price filter as a `where` clause when filtered. Recall@20 of each
path is measured against an exact search over the same vectors.

The 100k catalogue is built by the same code from the bundled one: titles are the real
titles with a numbered variant suffix, prices jittered, and each vector is the normalised
mix of two real product vectors plus noise (so neighbourhoods look like real MiniLM data
without embedding 100k texts).

    .venv/bin/python -m bench.bench_recommend [--queries 300] [--big 100000]
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time

import numpy as np
import pandas as pd

from bench._results import write_section

log = logging.getLogger("bench.recommend")

QUERIES = [
    "tea cups", "red retrospot bag", "christmas decorations", "candle holder", "cake stand",
    "children's lunch box", "vintage doorstop", "party bunting", "wall clock", "cushion cover",
    "hot water bottle", "jam making set", "garden ornament", "photo frame", "paper napkins",
    "glass jar", "wooden letters", "heart decoration", "picnic basket", "kitchen scales",
]
PRICE_LIMITS = [None, 2.0, 5.0, 10.0]


def _pcts(ms: list[float]) -> tuple[float, float]:
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 99))


def synthetic_catalogue(catalogue, vectors, n: int, seed: int = 0):
    from retrieval.products import Catalogue
    from retrieval.recommend.vectors import ExactVectors

    rng = np.random.default_rng(seed)
    base = catalogue.frame.reset_index()
    pick = rng.integers(0, len(base), n)
    mate = rng.integers(0, len(base), n)
    frame = base.iloc[pick].reset_index(drop=True)
    frame["product_id"] = [f"S{i:06d}" for i in range(n)]
    frame["title"] = frame["title"] + " V" + pd.Series(np.arange(n) % 97, dtype=str)
    frame["price"] = (frame["price"].fillna(2.0) * rng.uniform(0.7, 1.3, n)).round(2)
    X = vectors.aligned_to([str(p) for p in base["product_id"]]).matrix
    mix = 0.7 * X[pick] + 0.3 * X[mate] + rng.normal(0, 0.02, (n, X.shape[1])).astype(np.float32)
    mix /= np.linalg.norm(mix, axis=1, keepdims=True)
    cat = Catalogue(frame.set_index("product_id"))
    return cat, ExactVectors(frame["product_id"].tolist(), mix.astype(np.float32))


def chroma_collection(ids, matrix, prices, folder):
    import chromadb

    client = chromadb.PersistentClient(path=folder)
    col = client.get_or_create_collection(
        "bench", embedding_function=None, configuration={"hnsw": {"space": "cosine", "ef_search": 400}}
    )
    step = client.get_max_batch_size() - 1
    for i in range(0, len(ids), step):
        col.add(
            ids=ids[i : i + step],
            embeddings=matrix[i : i + step],
            metadatas=[{"price": float(p)} for p in prices[i : i + step]],
        )
    return col


def measure(name, retriever, encoder, vectors, n_queries, rng):
    ids = retriever.ids
    prices = np.nan_to_num(retriever.prices, nan=0.0)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        col = chroma_collection(ids, vectors.aligned_to(ids).matrix, prices, folder)
        add_s = time.perf_counter() - t0
        rows = []
        for filtered in (False, True):
            ours, peer, rec_ours, rec_peer = [], [], [], []
            for i in range(n_queries):
                text = QUERIES[i % len(QUERIES)]
                limit = PRICE_LIMITS[1 + i % 3] if filtered else None
                question = f"{text} under £{limit:g}" if limit else text
                # Round-robin: ours then the peer on the same query.
                t = time.perf_counter()
                got = retriever.recommend(question, k=20)
                ours.append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                q = encoder.encode_query(text)
                where = {"price": {"$lte": float(limit)}} if limit else None
                res = col.query(query_embeddings=[q], n_results=20, where=where, include=["distances"])
                peer.append((time.perf_counter() - t) * 1000)
                # Exact reference over the same vectors and filter.
                mask = prices <= limit + 1e-9 if limit else np.ones(len(ids), bool)
                from retrieval.recommend.vectors import top_k

                exact_rows, _ = top_k(retriever.vectors.scores(q), 20, mask)
                exact = {ids[r] for r in exact_rows}
                semantic = [c.product_id for c in got if c.role == "match"]
                rec_ours.append(len(exact & set(semantic)) / max(1, len(semantic)))
                rec_peer.append(len(exact & set(res["ids"][0])) / max(1, len(exact)))
            (o50, o99), (p50, p99) = _pcts(ours), _pcts(peer)
            rows.append(
                f"| {name} | {'price filter' if filtered else 'none'} | {o50:.1f} | {o99:.1f} | "
                f"{np.mean(rec_ours):.3f} | {p50:.1f} | {p99:.1f} | {np.mean(rec_peer):.3f} |"
            )
            log.info(rows[-1])
    return rows, add_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--big", type=int, default=100_000)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    from retrieval.evaluation.hybrid import catalogue_vectors
    from retrieval.index.transformers_encoder import TransformersEncoder
    from retrieval.ingest import load_online_retail
    from retrieval.recommend.assemble import RetrieverParts, assemble_retriever
    from retrieval.recommend.copurchase import CopurchaseModel
    from retrieval.recommend.threads import limit_blas_threads
    from retrieval.rules import RuleStore, mine_rules

    ds = load_online_retail()
    encoder = TransformersEncoder(progress=False)
    vectors = catalogue_vectors(ds.catalogue)
    store = RuleStore.from_ruleset(mine_rules(ds.baskets))
    rng = np.random.default_rng(0)
    small = assemble_retriever(RetrieverParts(
        ds.catalogue, vectors, n_baskets=len(ds.baskets), rules=store,
        copurchase=CopurchaseModel(ds.catalogue.ids, ds.baskets), encode_query=encoder.encode_query, shop=ds.shop,
    ))
    limit_blas_threads()  # as a serving process does (`ShoppingAssistant.open`)
    encoder.encode_query("warm up")
    rows, add_small = measure(f"bundled ({len(small.ids):,})", small, encoder, vectors, args.queries, rng)
    big_cat, big_vectors = synthetic_catalogue(ds.catalogue, vectors, args.big)
    big = assemble_retriever(RetrieverParts(big_cat, big_vectors, n_baskets=len(ds.baskets),
                                            encode_query=encoder.encode_query, shop=ds.shop))
    big_rows, add_big = measure(f"synthetic ({args.big:,})", big, encoder, big_vectors, args.queries // 2, rng)
    body = (
        "Latency of one question (ms, includes encoding it). *ours* = `Retriever.recommend(question, "
        "k=20)`: parsing, exact masked search, every source, fusion and evidence. *Chroma* = encode + "
        "`collection.query(n_results=20)` (cosine, ef_search 400; `where price <= limit` when "
        "filtered). *recall@20* = overlap with an exact search over the same vectors and filter "
        "(ours: of the candidates whose role is \"match\").\n\n"
        "| catalogue | filter | ours p50 | ours p99 | ours recall@20 | Chroma p50 | Chroma p99 | Chroma recall@20 |\n"
        "|---|---|---|---|---|---|---|---|\n" + "\n".join(rows + big_rows) +
        f"\n\nChroma add time: bundled {add_small:.1f} s, synthetic {add_big:.1f} s. "
        f"Queries: {args.queries} on the bundled catalogue, {args.queries // 2} on the synthetic one, "
        "alternating ours and the peer on each query."
    )
    write_section("Recommend latency", f".venv/bin/python -m bench.bench_recommend --queries {args.queries} --big {args.big}", body)


if __name__ == "__main__":
    main()
