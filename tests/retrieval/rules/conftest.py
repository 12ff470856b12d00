"""Fixtures for the association-rules tests: real data, one Spark session per run."""

from __future__ import annotations

import gzip

import pytest

from retrieval.config import BUNDLED_GROCERIES_LONG


@pytest.fixture(scope="session")
def groceries() -> list[list[str]]:
    """The 9,835 Groceries baskets (R arules), in file order, from the long CSV."""
    baskets: dict[str, list[str]] = {}
    with gzip.open(BUNDLED_GROCERIES_LONG, "rt") as fh:
        next(fh)  # header transaction_id,item
        for line in fh:
            tid, item = line.rstrip("\n").split(",", 1)
            baskets.setdefault(tid, []).append(item)
    assert len(baskets) == 9835
    return list(baskets.values())


@pytest.fixture(scope="session")
def retail_lists(bundled_dataset) -> list[list[str]]:
    from retrieval.rules.prepare import baskets_to_lists

    return baskets_to_lists(bundled_dataset.baskets)


@pytest.fixture(scope="session")
def spark():
    """One local[2] SparkSession for the whole run (starting one costs 5-20 s)."""
    try:
        import pyspark  # noqa: F401
    except ImportError as exc:  # only where the optional extra is genuinely missing
        pytest.skip(f"pyspark is not importable ({exc}); pip install 'shopassist[spark]'")
    from retrieval.rules.spark import spark_session

    session = spark_session("local[2]")
    yield session
    session.stop()
