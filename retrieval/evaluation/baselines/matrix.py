"""Shared plumbing for recommenders that score every item with sparse matrices.

Items get one column each, ordered by train popularity (then id). Ranking breaks score ties
by column, so a tie always goes to the more popular item, deterministically.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from tqdm.auto import tqdm

from ...baskets import Baskets
from ...vectors import top_k as exact_top_k
from ..recommender import BatchRecommender, Excludes, exclusions
from ..split import History

BATCH = 256  # users scored at once: bounds the dense (users x items) score block


@dataclass(frozen=True, eq=False)
class ItemSpace:
    """The items seen in train, their column numbers and basket counts."""

    ids: tuple[str, ...]
    index: dict[str, int]
    popularity: np.ndarray  # number of train baskets containing each item, by column

    @classmethod
    def from_baskets(cls, train: Baskets) -> ItemSpace:
        pop = popularity(train)
        ids = tuple(pop.index)
        return cls(ids, {p: i for i, p in enumerate(ids)}, pop.to_numpy(dtype=np.float64))

    def __len__(self) -> int:
        return len(self.ids)

    def columns(self, items: Collection[str]) -> list[int]:
        return [self.index[i] for i in items if i in self.index]

    def basket_matrix(self, train: Baskets) -> sparse.csr_matrix:
        """Baskets x items, 1 where the basket contains the item."""
        pairs = train.lines.drop_duplicates(["basket_id", "product_id"])
        rows = pd.factorize(pairs["basket_id"])[0]
        cols = pairs["product_id"].map(self.index).to_numpy()
        data = np.ones(len(pairs), dtype=np.float32)
        shape = (int(rows.max()) + 1 if len(rows) else 0, len(self))
        return sparse.csr_matrix((data, (rows, cols)), shape=shape)

    def user_matrix(self, train: Baskets) -> tuple[list[str], sparse.csr_matrix]:
        """Customers x items, the number of the customer's baskets containing the item."""
        pairs = train.lines.dropna(subset=["customer_id"])
        pairs = pairs.drop_duplicates(["basket_id", "product_id"])
        codes, customers = pd.factorize(pairs["customer_id"].astype(str), sort=True)
        cols = pairs["product_id"].map(self.index).to_numpy()
        data = np.ones(len(pairs), dtype=np.float32)
        m = sparse.csr_matrix((data, (codes, cols)), shape=(len(customers), len(self)))
        m.sum_duplicates()  # repeated (customer, item) entries add up to basket counts
        return [str(c) for c in customers], m

    def history_matrix(self, histories: Sequence[History], binary: bool) -> sparse.csr_matrix:
        """One row per history: basket counts per item (or 1s when `binary`)."""
        rows, cols, data = [], [], []
        for r, h in enumerate(histories):
            for item, n in h.counts.items():
                c = self.index.get(item)
                if c is not None:
                    rows.append(r)
                    cols.append(c)
                    data.append(1.0 if binary else float(n))
        return sparse.csr_matrix(
            (np.asarray(data, dtype=np.float32), (rows, cols)), shape=(len(histories), len(self))
        )


def popularity(train: Baskets) -> pd.Series:
    """Number of train baskets containing each item, most popular first, ties by id."""
    counts = train.item_popularity()
    frame = pd.DataFrame({"id": counts.index.astype(str), "n": counts.to_numpy()})
    frame = frame.sort_values(["n", "id"], ascending=[False, True], kind="stable")
    return pd.Series(frame["n"].to_numpy(), index=pd.Index(frame["id"], name="product_id"))


def top_k(scores: np.ndarray, k: int, exclude: Collection[int], positive_only: bool) -> list[int]:
    """Columns of the `k` best scores, ties to the lower column (the project's one rule,
    `retrieval.vectors.top_k`); `exclude` never returned, nor scores <= 0 when `positive_only`."""
    s = np.asarray(scores, dtype=np.float64)
    keep = s > 0 if positive_only else np.ones(len(s), dtype=bool)
    if exclude:
        keep[list(exclude)] = False
    return exact_top_k(s, k, keep)[0].tolist()


class ScoringRecommender(BatchRecommender):
    """A recommender that gives every train item a score per history (higher is better).

    Subclasses set `self.space` in `fit` and implement `score(histories)`. Items with no
    evidence (score <= 0) are left out when `positive_only`, so a list may be shorter than k
    rather than padded with arbitrary items.
    """

    positive_only: bool = True
    space: ItemSpace

    def score(self, histories: Sequence[History]) -> np.ndarray:
        raise NotImplementedError

    def recommend_batch(self, histories: Sequence[History], k: int,
                        excludes: Excludes = None) -> list[list[str]]:
        excludes = exclusions(histories, excludes)
        out: list[list[str]] = []
        starts = range(0, len(histories), BATCH)
        for start in tqdm(
            starts,
            desc=self.name,
            unit="batch",
            leave=False,
            disable=True if len(starts) < 4 else None,
        ):
            block = self.score(histories[start : start + BATCH])
            for row, ex in zip(block, excludes[start : start + BATCH], strict=True):
                cols = top_k(row, k, self.space.columns(ex), self.positive_only)
                out.append([self.space.ids[c] for c in cols])
        return out
