"""Tiny basket sets whose right answers are known by construction."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from retrieval.baskets import Basket, BasketLine, Baskets
from retrieval.dataset import Dataset
from retrieval.evaluation import History
from retrieval.products import Catalogue, Product


def make_baskets(rows) -> Baskets:
    """rows: (basket_id, customer_id or None, timestamp, items); an item may be
    (product_id, timestamp) to give one line its own time."""
    lines = []
    for basket_id, customer, ts, items in rows:
        for item in items:
            pid, when = item if isinstance(item, tuple) else (item, ts)
            lines.append((basket_id, customer, pd.Timestamp(when), pid, 1.0))
    frame = pd.DataFrame(
        lines, columns=["basket_id", "customer_id", "timestamp", "product_id", "quantity"]
    )
    return Baskets(frame)


def make_catalogue(ids) -> Catalogue:
    return Catalogue.from_products(Product(product_id=i, title=f"item {i}") for i in ids)


def make_history(customer: str, baskets) -> History:
    """baskets: (timestamp, items) oldest first."""
    return History(
        customer,
        tuple(
            Basket(
                f"h{n}",
                tuple(BasketLine(i) for i in items),
                customer,
                pd.Timestamp(ts).to_pydatetime(),
            )
            for n, (ts, items) in enumerate(baskets)
        ),
    )


def synthetic_dataset(
    seed: int = 0, customers: int = 40, items: int = 30, days: int = 200
) -> Dataset:
    """Customers with a few habitual items each, plus noise, over `days` days."""
    rng = np.random.default_rng(seed)
    ids = [f"p{i:02d}" for i in range(items)]
    rows = []
    start = pd.Timestamp("2022-01-01 09:00")
    n = 0
    for c in range(customers):
        habits = rng.choice(items, size=4, replace=False)
        for day in sorted(rng.choice(days, size=rng.integers(2, 7), replace=False)):
            chosen = set(rng.choice(habits, size=2, replace=False)) | set(rng.choice(items, size=2))
            rows.append(
                (
                    f"b{n:04d}",
                    f"c{c:03d}",
                    start + pd.Timedelta(days=int(day)),
                    [ids[i] for i in sorted(chosen)],
                )
            )
            n += 1
    for day in range(0, days, 5):  # anonymous baskets teach co-occurrence only
        rows.append(
            (
                f"b{n:04d}",
                None,
                start + pd.Timedelta(days=day),
                [ids[i] for i in rng.choice(items, 3, replace=False)],
            )
        )
        n += 1
    return Dataset(make_catalogue(ids), make_baskets(rows))


@pytest.fixture
def small_dataset() -> Dataset:
    return synthetic_dataset()
