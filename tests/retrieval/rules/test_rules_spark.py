"""The Spark engine (pyspark FPGrowth, local[2]) equals the local engine row for row."""

from __future__ import annotations

import pandas as pd
import pytest

from retrieval.rules import MiningParams, mine_rules

pytestmark = [pytest.mark.spark, pytest.mark.slow]


def assert_same(a, b):
    pd.testing.assert_frame_equal(a.itemsets, b.itemsets)
    pd.testing.assert_frame_equal(a.rules, b.rules)
    assert (a.n_baskets, a.min_count) == (b.n_baskets, b.min_count)


def test_spark_threshold_is_ceil_of_fraction_times_n(spark):
    # Pins Spark's rule minCount = ceil(minSupport * n): 10 baskets, x in 3, y in 2.
    from pyspark.ml.fpm import FPGrowth

    rows = [(["x", "y"],), (["x", "y"],), (["x"],)] + [(["z"],)] * 7
    frame = spark.createDataFrame(rows, ["items"])

    def frequent(fraction):
        found = FPGrowth(itemsCol="items", minSupport=fraction).fit(frame).freqItemsets.collect()
        return {tuple(sorted(r["items"])) for r in found}

    assert ("y",) in frequent(0.2)  # ceil(2.0) = 2
    at_021 = frequent(0.21)  # ceil(2.1) = 3
    assert ("y",) not in at_021 and ("x",) in at_021
    assert ("x",) not in frequent(0.31)  # ceil(3.1) = 4


def test_spark_equals_local_on_groceries(spark, groceries):
    params = MiningParams(min_support=0.005, min_confidence=0.1, min_lift=0.0, max_len=None)
    spark_result = mine_rules(groceries, params, engine="spark", spark=spark)
    assert spark_result.engine == "spark" and len(spark_result) > 1000
    assert_same(spark_result, mine_rules(groceries, params))


def test_spark_rules_match_sparks_own_association_rules(spark, groceries):
    # Our rules come from Spark's itemsets; Spark's associationRules must agree on which
    # rules exist and on confidence and lift.
    from pyspark.ml.fpm import FPGrowth

    from retrieval.rules.params import support_fraction_for

    params = MiningParams(min_support=0.01, min_confidence=0.2, min_lift=0.0, max_len=None)
    ours = mine_rules(groceries, params, engine="spark", spark=spark).rules
    frame = spark.createDataFrame([(sorted(set(b)),) for b in groceries], ["items"])
    model = FPGrowth(itemsCol="items", minConfidence=params.min_confidence,
                     minSupport=support_fraction_for(99, len(groceries))).fit(frame)
    theirs = {(tuple(sorted(r["antecedent"])), r["consequent"][0]): r
              for r in model.associationRules.collect()}
    assert set(zip(ours["antecedent"], ours["consequent"], strict=True)) == set(theirs)
    for row in ours.itertuples(index=False):
        rule = theirs[(row.antecedent, row.consequent)]
        assert rule["confidence"] == pytest.approx(row.confidence, abs=1e-9)
        assert rule["lift"] == pytest.approx(row.lift, abs=1e-9)


def test_spark_equals_local_on_a_retail_sample_with_filters(spark, retail_lists):
    sample = retail_lists[::4]  # ~5k invoices
    params = MiningParams(min_support=0.01, min_confidence=0.2, min_lift=1.0, max_len=3,
                          exclude=frozenset({"85123A"}))
    spark_result = mine_rules(sample, params, engine="spark", spark=spark)
    assert len(spark_result) > 100
    assert all("85123A" not in a for a in spark_result.rules["antecedent"])
    assert_same(spark_result, mine_rules(sample, params))


def test_a_basket_of_5000_items_does_not_overflow_the_stack(spark):
    # Every item is frequent (in the long basket and its own one) but no pair is, so the
    # FP-tree is one path 5,000 levels deep. Spark serialises it recursively: with the JVM's
    # default thread stack this kills the executor (StackOverflowError); spark_session's
    # larger stack is what keeps it alive.
    items = [f"i{k:05d}" for k in range(5000)]
    baskets = [items] + [[i] for i in items]
    params = MiningParams(min_support=2, min_confidence=0.0, min_lift=0.0, max_len=None)
    found = mine_rules(baskets, params, engine="spark", spark=spark)
    assert len(found.itemsets) == 5000 and len(found) == 0
