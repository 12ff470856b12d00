"""`shopassist similar ID`: the products closest to one product in the index."""

from __future__ import annotations

import argparse

from retrieval.index import open_index


def register(sub, parents) -> None:
    p = sub.add_parser(
        "similar",
        parents=parents,
        help="list the products most similar to one product",
        description="Print the k nearest products to PRODUCT_ID by embedding (cosine), "
        "from the index `shopassist build` made.",
    )
    p.add_argument("product_id", metavar="PRODUCT_ID", help="a product id, e.g. 85123A")
    p.add_argument("-k", type=int, default=10, help="how many neighbours (default 10)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    index = open_index(args.home)
    product_id = args.product_id.strip()
    if product_id not in index and product_id.upper() in index:
        product_id = product_id.upper()  # ids are stored upper-case; people type lower-case
    neighbours = index.similar_items(product_id, k=args.k)
    title = index.metadata(product_id).get("title", "")
    print(f"Products like {product_id}  {title}")
    width = max((len(n.product_id) for n in neighbours), default=0)
    for rank, n in enumerate(neighbours, 1):
        print(f"{rank:>3}. {n.product_id:<{width}}  {n.score:.3f}  {n.title}")
    return 0
