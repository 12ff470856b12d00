"""TIFU-KNN: personalised item frequency plus user-kNN, for next-basket recommendation.

Hu et al., SIGIR 2020, "Modeling Personalized Item Frequency Information for Next-basket
Recommendation". Repeat purchases dominate next baskets, and TIFU-KNN is a strong, simple
model of them: a customer is a vector of time-decayed item frequencies, blended with the
mean vector of the most similar customers so that items the customer never bought can
enter too. Kept free of the evaluation package so that serving can use it as a candidate
source; `own_scores` and `neighbour_scores` are exposed separately for rankers.

User vector, for baskets b_1..b_n oldest first (one-hot, an item counted once per basket):

- split the sequence into m' = min(m, n) consecutive groups: with n >= m every group holds
  floor(n / m) baskets and the first (oldest) group also takes the n mod m left over;
  with n < m every basket is its own group;
- group vector g_j = (1 / L_j) * sum_i r_b^(L_j - i) * b_i over the group's L_j baskets
  (i = 1..L_j, so the newest basket of a group weighs 1);
- user vector u = (1 / m') * sum_j r_g^(m' - j) * g_j (j = 1..m', the newest group weighs 1).

Scores: alpha * u + (1 - alpha) * mean of the vectors of the K fitted customers most
cosine-similar to u (only customers with a positive similarity count as neighbours, and
the customer asking is never their own neighbour when their id is given).

Where this departs from the authors' reference code (which Cornac copies): the reference
decays r_b across the whole sequence rather than within each group, gives the left-over
baskets to the last groups, weighs groups r_g^(m - j) even when fewer than m exist, and
finds neighbours by Euclidean distance. The paper's description, followed here, is
cleaner and scale-free (cosine), and the differences only move weights slightly.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from ..baskets import Baskets
from ..sparse_rows import weighted_row_sum

log = logging.getLogger(__name__)

BasketSequence = Sequence[Sequence[str]]  # baskets oldest first, each a sequence of product ids


@dataclass(frozen=True)
class TifuParams:
    """TIFU-KNN's settings; the defaults are the paper's (Hu et al., SIGIR 2020)."""

    k_neighbours: int = 300
    within_decay: float = 0.9  # r_b
    group_decay: float = 0.7  # r_g
    alpha: float = 0.7
    groups: int = 7  # m

    def __post_init__(self) -> None:
        if self.k_neighbours < 1 or self.groups < 1:
            raise ValueError("k_neighbours and groups must be at least 1")
        if not (0 < self.within_decay <= 1 and 0 < self.group_decay <= 1 and 0 <= self.alpha <= 1):
            raise ValueError("decays must lie in (0, 1] and alpha in [0, 1]")


class TifuModel:
    """TIFU user vectors of every known customer, and scores for any basket history."""

    def __init__(self, ids: Sequence[str], params: TifuParams = TifuParams()) -> None:  # noqa: B008 - frozen
        self.ids = tuple(ids)
        self.index = {pid: i for i, pid in enumerate(self.ids)}
        self.params = params
        self.customers: tuple[str, ...] = ()
        self.customer_index: dict[str, int] = {}
        self.users = sparse.csr_matrix((0, len(self.ids)), dtype=np.float32)
        self._unit_t = sparse.csr_matrix((len(self.ids), 0), dtype=np.float32)

    # -- fitting -------------------------------------------------------------------------

    def fit(self, baskets: Baskets) -> TifuModel:
        """Build every known customer's vector (baskets without a customer are ignored)."""
        t0 = time.perf_counter()
        lines = baskets.lines.dropna(subset=["customer_id"])
        lines = lines.drop_duplicates(["basket_id", "product_id"])
        # A basket's time is its earliest line; order by (customer, time, basket id), the
        # order a customer's History has, so a fitted vector equals the history's vector.
        heads = (
            lines.assign(_t=lines.groupby("basket_id", sort=False)["timestamp"].transform("min"))
            .drop_duplicates("basket_id")
            .assign(
                customer_id=lambda f: f["customer_id"].astype(str),
                _b=lambda f: f["basket_id"].astype(str),
            )
            .sort_values(["customer_id", "_t", "_b"], kind="stable")
        )
        codes, customers = pd.factorize(heads["customer_id"], sort=True)
        position = heads.groupby(codes, sort=False).cumcount().to_numpy()
        count = np.bincount(codes, minlength=len(customers))[codes]
        weight = pd.Series(self._basket_weights(position, count), index=heads["basket_id"])
        row = pd.Series(codes, index=heads["basket_id"])

        known = lines[lines["product_id"].isin(self.index)]
        self.customers = tuple(str(c) for c in customers)
        self.customer_index = {c: i for i, c in enumerate(self.customers)}
        self.users = sparse.csr_matrix(
            (
                known["basket_id"].map(weight).to_numpy(dtype=np.float32),
                (
                    known["basket_id"].map(row).to_numpy(),
                    known["product_id"].map(self.index).to_numpy(),
                ),
            ),
            shape=(len(self.customers), len(self.ids)),
        )
        self.users.sum_duplicates()
        norms = np.sqrt(np.asarray(self.users.multiply(self.users).sum(axis=1)).ravel())
        inv = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
        self._unit_t = (sparse.diags(inv.astype(np.float32)) @ self.users).T.tocsr()
        log.info(
            "TIFU-KNN: %d customers x %d items (%d nonzeros) in %.1fs",
            len(self.customers),
            len(self.ids),
            self.users.nnz,
            time.perf_counter() - t0,
        )
        return self

    def _basket_weights(self, position: np.ndarray, count: np.ndarray) -> np.ndarray:
        """Weight of the basket at 0-based `position` among its owner's `count` baskets."""
        p = np.asarray(position, dtype=np.int64)
        n = np.asarray(count, dtype=np.int64)
        m = np.minimum(n, self.params.groups)  # groups actually formed
        base = n // m
        first = base + n - base * m  # the first group takes the left-over baskets
        group = np.where(p < first, 0, 1 + (p - first) // base)  # 0-based
        length = np.where(group == 0, first, base)
        start = np.where(group == 0, 0, first + (group - 1) * base)
        within = np.power(self.params.within_decay, length - 1 - (p - start)) / length
        between = np.power(self.params.group_decay, m - 1 - group) / m
        return within * between

    # -- vectors and scores --------------------------------------------------------------

    def vectors(self, histories: Sequence[BasketSequence]) -> sparse.csr_matrix:
        """TIFU vectors of any histories (one row each; unknown items are ignored)."""
        entries = [self._entries(baskets) for baskets in histories]
        rows = np.repeat(np.arange(len(histories)), [len(c) for c, _ in entries])
        cols = np.concatenate([c for c, _ in entries]) if entries else np.zeros(0, dtype=np.int64)
        data = np.concatenate([d for _, d in entries]) if entries else np.zeros(0)
        out = sparse.csr_matrix(
            (data.astype(np.float32), (rows, cols)), shape=(len(histories), len(self.ids))
        )
        out.sum_duplicates()
        return out

    def _entries(self, baskets: BasketSequence) -> tuple[np.ndarray, np.ndarray]:
        """(item column, basket weight) for each known item of each basket; an item repeats across baskets."""
        cols: list[int] = []
        positions: list[int] = []
        for p, items in enumerate(baskets):
            for item in dict.fromkeys(items):
                c = self.index.get(item)
                if c is not None:
                    cols.append(c)
                    positions.append(p)
        weights = self._basket_weights(np.asarray(positions, dtype=np.int64), np.full(len(cols), len(baskets)))
        return np.asarray(cols, dtype=np.int64), weights

    def user_vector(self, baskets: BasketSequence) -> np.ndarray:
        """The TIFU vector of one history, dense over `ids`."""
        return self.vectors([baskets]).toarray()[0]

    def own_scores(self, baskets: BasketSequence) -> np.ndarray:
        """alpha * the history's own vector: the repeat-purchase part of the score."""
        return self.params.alpha * self.user_vector(baskets)

    def neighbour_scores(
        self, baskets: BasketSequence, exclude_customer: str | None = None
    ) -> np.ndarray:
        """(1 - alpha) * mean vector of the nearest fitted customers: the discovery part."""
        return self.parts_batch([baskets], [exclude_customer])[1][0]

    def scores(self, baskets: BasketSequence, exclude_customer: str | None = None) -> np.ndarray:
        """The TIFU-KNN score of every item for one history."""
        return self.scores_batch([baskets], [exclude_customer])[0]

    def scores_batch(
        self, histories: Sequence[BasketSequence], customer_ids: Sequence[str | None] | None = None
    ) -> np.ndarray:
        """Scores, one dense row per history; callers chunk (a row is len(ids) floats)."""
        own, neighbours = self.parts_batch(histories, customer_ids)
        return own + neighbours

    def parts_batch(
        self, histories: Sequence[BasketSequence], customer_ids: Sequence[str | None] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(own part, neighbour part), dense; `customer_ids[r]` is never row r's neighbour.

        Row by row, reading only the rows of the fitted matrices a history touches: a
        request is one history, and scipy's products cost more than the arithmetic there.
        """
        if customer_ids is not None and len(customer_ids) != len(histories):
            raise ValueError(f"{len(histories)} histories but {len(customer_ids)} customer ids")
        ids = customer_ids if customer_ids is not None else [None] * len(histories)
        own = np.zeros((len(histories), len(self.ids)), dtype=np.float32)
        near = np.zeros_like(own)
        for r, (baskets, customer) in enumerate(zip(histories, ids, strict=True)):
            cols, weights = self._entries(baskets)
            q = np.bincount(cols, weights=weights, minlength=len(self.ids))
            own[r] = self.params.alpha * q
            if self.params.alpha == 1.0 or not self.customers or not len(cols):
                continue
            items = np.flatnonzero(q)
            neighbours = self._neighbours(weighted_row_sum(self._unit_t, items, q[items]), customer)
            if len(neighbours):
                mean = weighted_row_sum(self.users, neighbours, np.full(len(neighbours), 1.0 / len(neighbours)))
                near[r] = (1.0 - self.params.alpha) * mean
        return own, near

    def _neighbours(self, sims: np.ndarray, customer: str | None) -> np.ndarray:
        """Rows of the fitted customers nearest to a history, given its similarity to each.

        Cosine similarity ranks the fitted customers (the query's own norm does not change
        the ranking); the top K with a positive similarity are kept, ties to the customer
        first in id order, so a row's neighbours do not depend on the rest of the batch.
        """
        me = self.customer_index.get(customer) if customer is not None else None
        if me is not None:
            sims[me] = 0.0
        cand = np.flatnonzero(sims > 0)
        k = self.params.k_neighbours
        if len(cand) > k:
            part = np.argpartition(-sims[cand], k - 1)[:k]
            cand = cand[sims[cand] >= sims[cand[part]].min()]
            cand = cand[np.lexsort((cand, -sims[cand]))][:k]
        return cand
