"""Entry points: mine with a chosen engine, and mine-then-save for `shopassist build`."""

from __future__ import annotations

import logging
import os
from typing import Any

from ..dataset import Dataset
from ..errors import ConfigError
from .params import MiningParams
from .persist import save_rules
from .prepare import BasketsLike
from .ruleset import RuleSet
from .store import RuleStore

log = logging.getLogger(__name__)

ENGINES = ("local", "spark")


def mine_rules(
    baskets: BasketsLike,
    params: MiningParams | None = None,
    *,
    engine: str = "local",
    spark_master: str | None = None,
    spark: Any = None,
) -> RuleSet:
    """Frequent itemsets and single-consequent rules from `baskets` (a Baskets or item lists).

    engine "local" (pyfim, in-process; the fast default) or "spark" (pyspark FPGrowth on
    `spark_master`, default local[2], or on the given `spark` session). Both give equal results.
    """
    if engine == "local":
        from .local import mine_local

        return mine_local(baskets, params)
    if engine == "spark":
        from .spark import mine_spark

        return mine_spark(baskets, params, master=spark_master, spark=spark)
    raise ConfigError(f"unknown rules engine {engine!r}; choose one of {', '.join(ENGINES)}")


def mine_and_store(
    dataset: Dataset,
    root: str | os.PathLike[str] | None = None,
    params: MiningParams | None = None,
    *,
    engine: str = "local",
    spark_master: str | None = None,
) -> RuleStore:
    """Mine `dataset`'s baskets, save the rules under the data root, return them ready to serve."""
    ruleset = mine_rules(dataset.baskets, params, engine=engine, spark_master=spark_master)
    save_rules(ruleset, root, fingerprint=dataset.fingerprint())
    return RuleStore.load(root)
