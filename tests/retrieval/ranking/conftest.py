"""A tiny shop whose right answers are known by construction.

Every shopper shops once a day for 70 days. Each has one staple it buys every 7th day
(shoppers start on different days of the week) and two filler items a day from a shared
pool. So the next basket holds the staple exactly when 7 days have passed since the last
one: a ranker that reads the shopper's rhythm must offer it on day 7 and not on day 1.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from retrieval.baskets import Baskets
from retrieval.products import Catalogue

START = pd.Timestamp("2024-01-01")
DAYS, SHOPPERS, STAPLES, FILLERS = 70, 210, 7, 24


def staple(j: int) -> str:
    return f"S{(j // 7) % STAPLES}"  # every staple has shoppers of every phase


def phase(j: int) -> int:
    return j % 7


def rhythm_lines(seed: int = 3, days: int = DAYS, shoppers: int = SHOPPERS) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for j in range(shoppers):
        for day in range(days):
            basket = f"b{j}-{day}"
            t = START + pd.Timedelta(days=day, hours=10)
            items = [f"F{f}" for f in rng.choice(FILLERS, 2, replace=False)]
            if (day - phase(j)) % 7 == 0:
                items.append(staple(j))
            rows += [(basket, f"c{j}", t, pid, 1.0) for pid in items]
    return pd.DataFrame(rows, columns=["basket_id", "customer_id", "timestamp", "product_id", "quantity"])


@pytest.fixture(scope="session")
def rhythm_baskets() -> Baskets:
    return Baskets(rhythm_lines())


@pytest.fixture(scope="session")
def rhythm_catalogue() -> Catalogue:
    ids = [f"S{i}" for i in range(STAPLES)] + [f"F{i}" for i in range(FILLERS)]
    frame = pd.DataFrame({
        "title": [f"staple {i}" for i in range(STAPLES)] + [f"filler {i}" for i in range(FILLERS)],
        "description": "", "category": "", "price": 1.0, "popularity": 0,
    }, index=pd.Index(ids, name="product_id"))
    return Catalogue(frame)


@pytest.fixture(scope="session")
def rhythm_vectors(rhythm_catalogue):
    from retrieval.recommend.vectors import ExactVectors

    # Orthogonal one-hot vectors: no product looks like another, so similarity says nothing
    # and the rhythm must decide.
    ids = rhythm_catalogue.ids
    return ExactVectors(ids, np.eye(len(ids), dtype=np.float32))
