"""The in-process engine: frequent itemsets in C via pyfim, rules and measures in Python/numpy.

pyfim was 10-25x faster than mlxtend and efficient-apriori on this machine with identical
results (shared/STACK.md 2c). Of pyfim's algorithms, Eclat beat its FP-Growth by 1.1-1.9x
on the bundled retail baskets and the FIMI retail file (same itemsets, same counts: the
algorithm changes only the search order), so it is the default.

Only the itemsets come from pyfim (``supp=-count``: an absolute threshold, no float
rounding). Rules are derived from the itemset counts by `derive.rules_from_itemsets`, as
for the Spark engine: a second pyfim call for rules would re-read every basket (about half
of a call's time is converting the Python lists), and the derivation took 2-45 ms where that
call took 70-400 ms (bench/bench_rules.py). Rules have single-item consequents, as pyfim's
and Spark's rule generators emit them.
"""

from __future__ import annotations

import logging
import time
from itertools import combinations

from ..errors import ConfigError
from .derive import rules_from_itemsets
from .params import MiningParams
from .prepare import BasketsLike, prepare
from .ruleset import RuleSet, build_ruleset, itemsets_frame

log = logging.getLogger(__name__)

ENGINE = "local"
ALGORITHMS = ("eclat", "fpgrowth", "apriori")


def mine_local(
    baskets: BasketsLike, params: MiningParams | None = None, *, algorithm: str = "eclat"
) -> RuleSet:
    """Frequent itemsets and single-consequent rules with every measure."""
    import fim  # a C extension; imported here so importing the package stays cheap

    if algorithm not in ALGORITHMS:
        raise ConfigError(f"unknown algorithm {algorithm!r}; choose one of {', '.join(ALGORITHMS)}")
    mine = getattr(fim, algorithm)
    params = params or MiningParams()
    started = time.perf_counter()
    tx = prepare(baskets, params)
    params.warn_if_every_basket_counts(tx.n_baskets)
    min_count = params.min_count(tx.n_baskets)
    # pyfim refuses zmax=None; leaving it out means "no limit".
    limit = {} if params.max_len is None else {"zmax": params.max_len}
    found = mine(tx.baskets, target="s", supp=-min_count, zmin=1, report="a", **limit)
    as_str = _needs_str(found)
    sets = [_key(s, as_str) for s, _ in found]
    counts = [c for _, c in found]
    universal = _universal_items(tx.baskets) if tx.n_baskets >= min_count else []
    if universal:
        # pyfim never reports itemsets made only of items present in every basket (they
        # are "perfect extensions" of the empty set): add them.
        log.debug("items in every basket: %s", universal[:10])
        top = len(universal) if params.max_len is None else min(params.max_len, len(universal))
        for size in range(1, top + 1):
            for combo in combinations(sorted(map(str, universal)), size):
                sets.append(combo)
                counts.append(tx.n_baskets)
    ants, cons, ac, a, c = rules_from_itemsets(sets, counts)
    itemsets = itemsets_frame(sets, counts, tx.n_baskets)
    result = build_ruleset(ants, cons, ac, a, c, itemsets, n_baskets=tx.n_baskets,
                           min_count=min_count, params=params, engine=ENGINE)
    log.info("mined %d itemsets and %d rules from %d baskets (min count %d) in %.2f s",
             len(itemsets), len(result), tx.n_baskets, min_count, time.perf_counter() - started)
    return result


def _universal_items(baskets) -> list:
    common: set | None = None
    for basket in baskets:
        common = set(basket) if common is None else common.intersection(basket)
        if not common:
            return []  # usually after the first two baskets
    return sorted(common or (), key=str)


def _needs_str(found: list) -> bool:
    # Item ids are strings everywhere else; ints (e.g. FIMI files) are converted on the way
    # out, which touches only the frequent itemsets, not every basket. One item decides.
    return bool(found) and not isinstance(found[0][0][0], str)


def _key(items: tuple, as_str: bool) -> tuple[str, ...]:
    return tuple(sorted(map(str, items))) if as_str else tuple(sorted(items))
