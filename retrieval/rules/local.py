"""The in-process engine: FP-Growth in C via pyfim, measures in numpy.

pyfim was 10-25x faster than mlxtend and efficient-apriori on this machine with identical
results (shared/STACK.md 2c). Parity settings: ``supp=-count`` (an absolute threshold, so
no float rounding), ``zmin=2`` for rules (else pyfim adds rules with an empty body) and
``mode="o"`` (rule support is body ∪ head, as everyone else defines it; pyfim's default
uses the body's support). Rules have single-item consequents, as pyfim and Spark emit them.
"""

from __future__ import annotations

import logging
import time

from .params import MiningParams
from .prepare import BasketsLike, prepare
from .ruleset import RuleSet, build_ruleset, itemsets_frame

log = logging.getLogger(__name__)

ENGINE = "local"


def mine_local(baskets: BasketsLike, params: MiningParams | None = None) -> RuleSet:
    """Frequent itemsets and single-consequent rules with every measure."""
    import fim  # a C extension; imported here so importing the package stays cheap

    params = params or MiningParams()
    started = time.perf_counter()
    tx = prepare(baskets, params)
    min_count = params.min_count(tx.n_baskets)
    # pyfim refuses zmax=None; leaving it out means "no limit".
    limit = {} if params.max_len is None else {"zmax": params.max_len}
    found = fim.fpgrowth(tx.baskets, target="s", supp=-min_count, zmin=1, report="a", **limit)
    raw = []
    if params.max_len is None or params.max_len >= 2:
        # pyfim's confidence filter takes a percentage; ask for slightly less and let
        # build_ruleset apply the exact threshold, identically for every engine.
        conf = max(0.0, params.min_confidence * 100.0 - 1e-6)
        raw = fim.fpgrowth(tx.baskets, target="r", supp=-min_count, conf=conf, zmin=2,
                           report="abh", mode="o", **limit)
    as_str = _needs_str(found)
    sets = [_key(s, as_str) for s, _ in found]
    itemsets = itemsets_frame(sets, [c for _, c in found], tx.n_baskets)
    if raw:
        heads, bodies, ac, a, c = zip(*raw, strict=True)
        ants = [_key(b, as_str) for b in bodies]
        cons = [str(h) for h in heads] if as_str else list(heads)
    else:
        ants, cons, ac, a, c = [], [], [], [], []
    result = build_ruleset(ants, cons, ac, a, c, itemsets, n_baskets=tx.n_baskets,
                           min_count=min_count, params=params, engine=ENGINE)
    log.info("mined %d itemsets and %d rules from %d baskets (min count %d) in %.2f s",
             len(itemsets), len(result), tx.n_baskets, min_count, time.perf_counter() - started)
    return result


def _needs_str(found: list) -> bool:
    # Item ids are strings everywhere else; ints (e.g. FIMI files) are converted on the way
    # out, which touches only the frequent items, not every basket.
    return bool(found) and not isinstance(found[0][0][0], str)


def _key(items: tuple, as_str: bool) -> tuple[str, ...]:
    return tuple(sorted(map(str, items))) if as_str else tuple(sorted(items))
