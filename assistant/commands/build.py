"""`shopassist build`: embed the catalogue into the product index (only what changed)."""

from __future__ import annotations

import argparse

from retrieval.dataset import Dataset
from retrieval.datasets import DatasetSource, resolve_dataset
from retrieval.index import BuildResult, TransformersEncoder, build_index, encoder_for
from retrieval.index.builder import live_build, store_spec
from retrieval.rules.params import SUPPORT_COUNT, SUPPORT_FRACTION, parse_min_support

from ..loading import add_shop_arguments, apply_shop_options


def register(sub, parents) -> None:
    p = sub.add_parser(
        "build",
        parents=parents,
        help="embed the catalogue into the product index and mine the rules beside it",
        description="Embed the cleaned catalogue (--dataset DIR, else the dataset saved under the "
        "data root, else the bundled Online Retail file) into "
        "a Chroma collection under the data root, or on a Chroma server, and mine association "
        "rules from the baskets beside it. Only new and changed products are embedded; the "
        "previous index stays usable until the new one is complete.",
    )
    p.add_argument("--dataset", metavar="DIR",
                   help="a saved cleaned dataset (`shopassist ingest --out DIR`; default: the saved one, else the bundled file)")
    add_index_arguments(p)
    add_shop_arguments(p)
    g = p.add_argument_group("association rules")
    g.add_argument("--no-rules", action="store_true", help="build the index only")
    p.add_argument("--no-ranker", action="store_true",
                   help="do not train the learned ranker (the fusion then ranks personal recommendations)")
    g.add_argument("--min-support", type=parse_min_support, metavar="X",
                   help=f"{SUPPORT_FRACTION}, or {SUPPORT_COUNT} (default 0.005)")
    g.add_argument("--min-confidence", type=float, help="default 0.2")
    g.add_argument("--engine", choices=["local", "spark"], default="local", help="mining engine (default local)")
    g.add_argument("--spark-master", metavar="URL", help="Spark master (default local[2])")
    p.set_defaults(handler=run)


def add_index_arguments(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("product index")
    g.add_argument("--chroma-host", metavar="HOST", help="write to this Chroma server instead of the embedded store")
    g.add_argument("--chroma-port", metavar="PORT", type=int, help="Chroma server port (default 8000)")
    g.add_argument("--embedded", action="store_true", help="go back to the embedded store after using a server")
    g.add_argument("--collection", metavar="NAME", help="collection name (default: products)")
    g.add_argument("--ef-search", metavar="N", type=int, help="HNSW search breadth, fixed at creation (default 400)")
    g.add_argument("--model", metavar="DIR", help="local Hugging Face model folder (default: bundled all-MiniLM-L6-v2)")
    g.add_argument("--template", metavar="T", help='product text template (default: "{title}. {category}. {description}")')
    g.add_argument("--batch-size", metavar="N", type=int, default=64, help="texts per encoder batch (default 64)")
    g.add_argument("--device", metavar="D", default="auto", help="auto, cpu, cuda, cuda:N or mps (default auto)")
    g.add_argument("--precision", choices=["auto", "fp32", "bf16", "fp16"], default="auto",
                   help="encoder precision (default auto: bf16/fp16 only where fast and equal to fp32)")
    g.add_argument("--full", action="store_true", help="re-embed every product (needed to change the model)")


def build_product_index(args: argparse.Namespace, dataset: Dataset) -> BuildResult:
    """The index step of `build`, callable beside the other steps (rules, ...)."""
    options = {"device": args.device, "precision": args.precision, "batch_size": args.batch_size}
    live = live_build(args.home)
    if args.model:
        encoder = TransformersEncoder(args.model, **options)
    elif live is not None:
        encoder = encoder_for(live.model, **options)
    else:
        encoder = TransformersEncoder(**options)
    store = store_spec(
        args.home,
        host=args.chroma_host,
        port=args.chroma_port,
        collection=args.collection,
        ef_search=args.ef_search,
        embedded=args.embedded,
    )
    result = build_index(
        dataset.catalogue, args.home, store=store, encoder=encoder, template=args.template, full=args.full
    )
    precision = getattr(encoder, "precision", None)
    print(describe(result, precision))
    return result


def describe(result: BuildResult, precision: str | None = None) -> str:
    if not result.changed:
        head = f"index up to date: {result.total:,} products, nothing embedded"
    else:
        head = (
            f"index built: {result.total:,} products (embedded {result.embedded:,}, "
            f"reused {result.reused:,}, deleted {result.deleted:,})"
        )
    model = result.model.name + (f", {precision}" if precision else "")
    return (
        f"{head} in {result.seconds:.1f} s\n"
        f"  build {result.build_id} in {result.store.describe()}\n"
        f"  model {model}, {result.model.dimension}-d"
    )


def mine_rules_step(args: argparse.Namespace, dataset: Dataset) -> None:
    from retrieval.rules import MiningParams

    from ..prepare import ensure_rules

    if dataset.baskets.lines.empty:
        print("rules skipped: the dataset has no baskets")
        return
    options = {}
    if args.min_support is not None:
        options["min_support"] = args.min_support
    if args.min_confidence is not None:
        options["min_confidence"] = args.min_confidence
    store, mined = ensure_rules(
        dataset, args.home, MiningParams(**options), engine=args.engine, spark_master=args.spark_master
    )
    meta = store.meta
    if not mined:
        print(f"rules up to date: {meta.n_rules:,} rules (same baskets, same parameters)")
        return
    print(f"rules mined: {meta.n_rules:,} rules from {meta.n_itemsets:,} itemsets over "
          f"{meta.n_baskets:,} baskets (engine {meta.engine})")


def run(args: argparse.Namespace) -> int:
    from retrieval.config import dataset_dir

    resolved = resolve_dataset(args.dataset, args.home)
    print(resolved.describe())
    dataset = resolved.dataset
    # The retriever reads the cleaned tables from the data root, so they travel with the index.
    if apply_shop_options(dataset, args) or resolved.source is not DatasetSource.SAVED:
        dataset.save(dataset_dir(args.home))
    build_product_index(args, dataset)
    if not args.no_rules:
        mine_rules_step(args, dataset)
    if not args.no_ranker:
        from ..prepare import ensure_ranker

        print(ensure_ranker(dataset, args.home))
    return 0
