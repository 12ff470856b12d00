"""What "the data root loads and answers" means: the whole app opens (dataset, index, rules),
a chat finds lunch bags, and the Chroma collection answers a nearest-neighbour query.

    python -m tests.reliability.probe HOME PRODUCT_ID     # prints the answers as JSON
"""

from __future__ import annotations

import json
import sys


def ask(home: str, probe: str) -> dict:
    from assistant import ShoppingAssistant
    from retrieval.index import open_index

    shop = ShoppingAssistant.open(home)
    reply = shop.chat("check", "a lunch bag under £2")
    index = open_index(home)
    return {
        "build": index.info.build_id,
        "count": len(index),
        "text": reply.text,
        "products": [p["product_id"] for p in reply.products],
        "similar": [n.product_id for n in index.similar_items(probe, k=5)],
        "rules": len(shop.rule_store) if shop.rule_store is not None else 0,
    }


if __name__ == "__main__":
    print(json.dumps(ask(sys.argv[1], sys.argv[2])))
