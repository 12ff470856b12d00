"""`shopassist similar ID`: the products closest to one product, the answer chat and HTTP give."""

from __future__ import annotations

import argparse

from retrieval.recommend.loader import open_catalogue_retriever


def register(sub, parents) -> None:
    p = sub.add_parser(
        "similar",
        parents=parents,
        help="list the products most similar to one product",
        description="Print the k nearest products to PRODUCT_ID by embedding (exact cosine over "
        "the index `shopassist build` made), as the assistant's similar_items answers.",
    )
    p.add_argument("product_id", metavar="PRODUCT_ID", help="a product id, e.g. 85123A")
    p.add_argument("-k", type=int, default=10, help="how many neighbours (default 10)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    retriever = open_catalogue_retriever(args.home)
    product_id = args.product_id.strip()
    if product_id not in retriever.position and product_id.upper() in retriever.position:
        product_id = product_id.upper()  # ids are stored upper-case; people type lower-case
    found = retriever.similar_items(product_id, k=args.k)
    print(f"Products like {product_id}  {retriever.titles[product_id]}")
    width = max((len(c.product_id) for c in found), default=0)
    for rank, c in enumerate(found, 1):
        print(f"{rank:>3}. {c.product_id:<{width}}  {_similarity(c):.3f}  {c.product.title}")
    return 0


def _similarity(candidate) -> float:  # noqa: ANN001 - a retrieval Candidate
    """The cosine to the product asked about (the list's order), not the fused score."""
    return next((e.similarity for e in candidate.evidence if e.similarity is not None), 0.0)
