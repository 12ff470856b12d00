"""Turn what callers hold (a `Baskets`, or lists of item ids) into transactions to mine.

The fast path hands the caller's lists to the engine untouched: pyfim ignores repeated
items within a transaction itself, and copying ~1M item ids costs more than mining small
data. Item filters (include/exclude) take the slow path and copy.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..baskets import Baskets
from ..errors import DataError
from .params import MiningParams

log = logging.getLogger(__name__)

# Each basket a sized collection (list, tuple, set): empty baskets are told apart by len().
BasketsLike = Baskets | Iterable[Collection[str]]


@dataclass(frozen=True)
class Transactions:
    """Baskets as item lists. Items may repeat within a list (engines must tolerate it)."""

    baskets: Sequence[Collection[str]]
    n_baskets: int  # every basket counts, also ones a filter emptied: supports stay comparable


def prepare(baskets: BasketsLike, params: MiningParams) -> Transactions:
    if isinstance(baskets, Baskets):
        lists: Sequence[Collection[str]] = baskets_to_lists(baskets)
    elif isinstance(baskets, str | bytes):
        raise DataError("baskets must be a list of item lists, not a string")
    else:
        lists = baskets if isinstance(baskets, list) else list(baskets)
    if not lists:
        raise DataError("no baskets to mine: the input is empty")
    first = next((b for b in lists if len(b)), None)
    if first is None:
        raise DataError(f"no items to mine: all {len(lists)} baskets are empty")
    if isinstance(first, str | bytes):
        # A list of strings would be mined as baskets of characters.
        raise DataError("each basket must be a list of item ids, got a string")
    if params.include or params.exclude:
        allows = params.allows
        lists = [[i for i in b if allows(str(i))] for b in lists]
        if not any(lists):
            log.warning("item filters removed every item: no itemsets or rules will be found")
    return Transactions(lists, len(lists))


def baskets_to_lists(baskets: Baskets) -> list[list[str]]:
    """Distinct product ids per basket, in basket order, built column-wise.

    ~10x faster than a groupby loop on 0.5M lines: sort line positions by basket code once,
    then cut the product column at the basket boundaries.
    """
    lines = baskets.lines[["basket_id", "product_id"]].drop_duplicates()
    if lines.empty:
        return []
    codes, _ = pd.factorize(lines["basket_id"], sort=False)
    order = np.argsort(codes, kind="stable")
    products = lines["product_id"].astype(str).to_numpy(dtype=object)[order]
    cuts = np.flatnonzero(np.diff(codes[order])) + 1
    return [chunk.tolist() for chunk in np.split(products, cuts)]
