"""The Spark engine: `pyspark.ml.fpm.FPGrowth`, local mode (``local[2]``) unless told otherwise.

Only the frequent itemsets and their counts come from Spark; rules and measures are
derived from them in Python by the same code as the local engine, so both engines give
equal results. Spark takes min support as a fraction and uses ``ceil(minSupport * n)``;
we pass ``(min_count - 0.5) / n`` so its threshold is exactly our `min_count`.
Spark's FPGrowth has no maximum pattern length: longer itemsets are mined, then dropped.

pyspark is an optional extra (``pip install 'shopassist[spark]'``) and needs Java 17+; it
is imported only when this engine runs. A session costs 5-15 s to start and a 2-3 GB JVM.
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from .derive import rules_from_itemsets
from .params import MiningParams, support_fraction_for
from .prepare import BasketsLike, prepare
from .ruleset import RuleSet, build_ruleset, itemsets_frame

log = logging.getLogger(__name__)

ENGINE = "spark"
DEFAULT_MASTER = "local[2]"
INSTALL_HINT = "The Spark engine needs pyspark and Java 17+: pip install 'shopassist[spark]'."

# The JVM logs INFO/WARN lines to the terminal by default; errors are enough for us.
_LOG4J2 = """\
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
"""


# FPGrowth ships its FP-trees between tasks with Java serialization, which recurses once per
# tree level; a retail basket of a few hundred items makes a tree that deep, and the default
# 512 KiB-1 MiB thread stack then overflows (StackOverflowError kills the executor, and in
# local mode the whole JVM, so Python sees "connection refused"). A larger stack fixes it.
_STACK = "-Xss64m"


def spark_session(master: str | None = None, app_name: str = "shopassist-rules") -> Any:
    """Get (or create) a quiet SparkSession. Reuses an active one, whatever its master."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise ConfigError(f"{INSTALL_HINT} ({exc})") from exc
    active = SparkSession.getActiveSession()
    if active is not None:
        if master and active.sparkContext.master != master:
            log.warning("reusing the active Spark session on %s, not %s",
                        active.sparkContext.master, master)
        return active
    # Without this Spark warns that the hostname resolves to a loopback address.
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    conf_file = Path(tempfile.gettempdir()) / "shopassist-spark-log4j2.properties"
    conf_file.write_text(_LOG4J2)
    started = time.perf_counter()
    builder = (
        SparkSession.builder.master(master or DEFAULT_MASTER)
        .appName(app_name)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")  # the default 200 is for clusters
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.driver.extraJavaOptions", f"-Dlog4j.configurationFile=file:{conf_file} {_STACK}")
        .config("spark.executor.extraJavaOptions", _STACK)
    )
    with _quiet_pandas_warning():
        session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    log.info("started Spark (%s) in %.1f s", master or DEFAULT_MASTER, time.perf_counter() - started)
    return session


def mine_spark(
    baskets: BasketsLike,
    params: MiningParams | None = None,
    *,
    master: str | None = None,
    spark: Any = None,
) -> RuleSet:
    """Like `mine_local`, on Spark. Pass `spark` to reuse a session (tests, notebooks)."""
    params = params or MiningParams()
    started = time.perf_counter()
    tx = prepare(baskets, params)
    params.warn_if_every_basket_counts(tx.n_baskets)
    min_count = params.min_count(tx.n_baskets)
    session = spark if spark is not None else spark_session(master)
    from pyspark.ml.fpm import FPGrowth

    # Spark rejects repeated items in a basket; empty baskets count towards n, so keep them.
    lists = [sorted(set(map(str, b))) for b in tx.baskets]
    with _quiet_pandas_warning():
        import pandas as pd

        frame = session.createDataFrame(pd.DataFrame({"items": lists}))
        model = FPGrowth(
            itemsCol="items",
            minSupport=support_fraction_for(min_count, tx.n_baskets),
            minConfidence=params.min_confidence,
        ).fit(frame)
        # pyspark types toPandas() as a protocol (pandas is optional to it); it is a DataFrame.
        found: pd.DataFrame = model.freqItemsets.toPandas()
    sets = [tuple(sorted(i)) for i in found["items"]]
    counts = found["freq"].astype("int64").tolist()
    if params.max_len is not None:
        keep = [k for k, s in enumerate(sets) if len(s) <= params.max_len]
        sets, counts = [sets[k] for k in keep], [counts[k] for k in keep]
    itemsets = itemsets_frame(sets, counts, tx.n_baskets)
    ants, cons, ac, a, c = rules_from_itemsets(sets, counts)
    result = build_ruleset(ants, cons, ac, a, c, itemsets, n_baskets=tx.n_baskets,
                           min_count=min_count, params=params, engine=ENGINE)
    log.info("Spark mined %d itemsets and %d rules from %d baskets in %.1f s",
             len(itemsets), len(result), tx.n_baskets, time.perf_counter() - started)
    return result


@contextmanager
def _quiet_pandas_warning():
    # pyspark 4.x warns on every pandas conversion that pandas 3 is "not fully supported";
    # the conversions used here (list-of-string and int columns) are covered by our tests.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas")
        yield
