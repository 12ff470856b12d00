"""`shopassist ingest`: load and clean a catalogue/basket export, print the report."""

from __future__ import annotations

import argparse
from pathlib import Path

from retrieval.config import dataset_dir
from retrieval.datasets import resolve_dataset

from ..loading import add_shop_arguments, apply_shop_options, export_reader

MAPPING_FLAGS = (
    "basket", "product", "title", "description", "category", "price", "quantity", "timestamp", "customer",
)


def add_source_arguments(p: argparse.ArgumentParser) -> None:
    """Arguments shared by every command that reads a retailer's export."""
    p.add_argument(
        "path", nargs="?",
        help="CSV/Parquet export or saved dataset folder (default: the dataset saved under the data "
        "root, else the bundled Online Retail file)",
    )
    p.add_argument(
        "--format",
        choices=["online-retail", "mapped"],
        help="source format (default: online-retail, or mapped when a mapping is given)",
    )
    p.add_argument("--mapping", metavar="TOML",
                   help="column mapping file ([columns], [format] and an optional [products])")
    for role in MAPPING_FLAGS:
        if role == "title":
            p.add_argument("--title-col", dest="col_title", action="append", metavar="NAME",
                           help="column holding the title; repeat to compose it from several columns")
            continue
        p.add_argument(f"--{role}-col", dest=f"col_{role}", metavar="NAME", help=f"column holding the {role}")
    p.add_argument("--attribute-col", dest="col_attributes", action="append", metavar="NAME",
                   help="extra product attribute column (repeatable)")
    p.add_argument("--date-format", help="strftime format of the timestamp column (default ISO 8601)")
    p.add_argument("--encoding", help="text encoding of a CSV (default utf-8)")
    p.add_argument("--sep", help="CSV field separator (default ,)")
    p.add_argument("--title-sep", help="text between the parts of a composed title (default a space)")
    p.add_argument("--title-case", choices=["keep", "title"],
                   help="'title': capitalise title parts written all in capitals (default keep)")
    p.add_argument("--products-file", metavar="FILE",
                   help="products CSV/Parquet holding the product columns, joined on the product")
    p.add_argument("--products-key", metavar="NAME",
                   help="column of the products file matching the lines' product (default: same name)")


def register(sub, parents) -> None:
    p = sub.add_parser(
        "ingest",
        parents=parents,
        help="load and clean catalogue and baskets; print the report",
        description="Load a retailer's export (default: the dataset saved under the data root, "
        "else the bundled UCI Online Retail file), clean it, and print how many rows were kept "
        "and dropped, by reason.",
    )
    add_source_arguments(p)
    add_shop_arguments(p)
    p.add_argument("--save", action="store_true", help="save the cleaned tables under the data root")
    p.add_argument("--out", metavar="DIR", help="write the cleaned tables as Parquet to DIR")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    resolved = resolve_dataset(args.path, args.home, read_export=export_reader(args))
    print(resolved.describe())
    dataset = resolved.dataset
    apply_shop_options(dataset, args)
    print(f"shop: {dataset.shop.name}, prices in {dataset.shop.currency or 'no currency set (plain numbers)'}")
    # A dataset saved by an older version may carry no report.
    print(dataset.report.render() if dataset.report is not None else "(no ingest report saved with it)")
    targets = []
    if args.save:
        targets.append(dataset_dir(args.home))
    if args.out:
        targets.append(Path(args.out))
    for folder in targets:
        dataset.save(folder)
        print(f"wrote products.parquet, lines.parquet and meta.json to {folder}")
    return 0
