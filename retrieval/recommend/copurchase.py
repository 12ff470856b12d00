"""Co-purchase: "customers who bought X also bought Y", for every pair, not only frequent ones.

Association rules only cover pairs above a support threshold (a few hundred of the shop's
products); co-purchase reaches the long tail. Similarity is implicit's BM25-weighted
item-item kNN over the customer x item matrix (the strongest new-item peer on the bundled
data). The explanation quotes plain counts: how many customers bought both.
"""

from __future__ import annotations

import hashlib
import logging
import os
import warnings
from collections import Counter
from collections.abc import Sequence
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse

from ..baskets import Baskets
from ..sparse_rows import row_entries, value_at
from .model_order import ModelOrder
from .sources import CandidateSource, Context, Scored
from .types import Evidence

log = logging.getLogger(__name__)


class CopurchaseModel:
    def __init__(self, ids: Sequence[str], baskets: Baskets, neighbours: int = 100) -> None:
        from implicit.nearest_neighbours import BM25Recommender  # heavy; only when built

        self.ids = list(ids)
        self.position = position = {pid: i for i, pid in enumerate(self.ids)}
        # Customers x items, entries = how many of the customer's baskets hold the item (the
        # setting that scored best on the validation split); anonymous baskets carry no
        # customer signal and are left out, as in the BM25 peer.
        lines = baskets.lines.dropna(subset=["customer_id"])
        lines = lines[lines["product_id"].isin(position)].drop_duplicates(["basket_id", "product_id"])
        users, user_codes = np.unique(lines["customer_id"].to_numpy(dtype=str), return_inverse=True)
        cols = lines["product_id"].map(position).to_numpy()
        u = sparse.csr_matrix(
            (np.ones(len(cols), dtype=np.float32), (user_codes, cols)), shape=(len(users), len(self.ids))
        )
        u.sum_duplicates()
        bought = u.copy()
        bought.data[:] = 1.0
        model = BM25Recommender(K=neighbours, num_threads=1)
        with warnings.catch_warnings():
            # implicit converts its own BM25-weighted COO matrix and warns about it.
            warnings.simplefilter("ignore")
            model.fit(u, show_progress=False)
        self.similarity = model.similarity.tocsr().astype(np.float32)
        self.similarity.setdiag(0)
        self.similarity.eliminate_zeros()
        self.both = (bought.T @ bought).tocsr()  # customers who bought both
        self.customers = np.asarray(bought.sum(axis=0)).ravel()
        log.info("co-purchase model: %d items, %d customers", len(self.ids), len(users))

    @staticmethod
    def key(ids: Sequence[str], baskets: Baskets, neighbours: int = 100) -> str:
        """A hash of everything the model is fitted from: who bought what, the items, the setting."""
        h = hashlib.sha256(f"copurchase v1 K={neighbours}\n".encode())
        lines = baskets.lines[["basket_id", "product_id", "customer_id"]].astype(str)
        h.update(pd.util.hash_pandas_object(lines, index=False).to_numpy().tobytes())
        h.update("\n".join(ids).encode())
        return h.hexdigest()[:16]

    def save(self, path: Path) -> None:
        # allow_pickle named (at its default) so that mypy does not match the ** arrays to it.
        np.savez(
            path, allow_pickle=True, ids=np.asarray(self.ids, dtype=str), customers=self.customers,
            **_csr_arrays("similarity", self.similarity), **_csr_arrays("both", self.both),
        )

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> CopurchaseModel:
        with np.load(path, allow_pickle=False) as saved:
            model = cls.__new__(cls)  # the fitted arrays as they were saved: no refit
            model.ids = saved["ids"].tolist()
            model.position = {pid: i for i, pid in enumerate(model.ids)}
            model.similarity = _csr_from(saved, "similarity")
            model.both = _csr_from(saved, "both")
            model.customers = saved["customers"]
        if model.similarity.shape != (len(model.ids),) * 2:
            raise ValueError("the saved co-purchase matrices do not match its items")
        return model


def _csr_arrays(name: str, m: sparse.csr_matrix) -> dict[str, np.ndarray]:
    return {f"{name}_data": m.data, f"{name}_indices": m.indices, f"{name}_indptr": m.indptr,
            f"{name}_shape": np.asarray(m.shape)}


def _csr_from(saved, name: str) -> sparse.csr_matrix:  # noqa: ANN001 - an open NpzFile
    return sparse.csr_matrix(
        (saved[f"{name}_data"], saved[f"{name}_indices"], saved[f"{name}_indptr"]),
        shape=tuple(saved[f"{name}_shape"]),
    )


class CopurchaseSource(CandidateSource):
    name, role = "copurchase", "add-on"

    def __init__(self, model: CopurchaseModel, catalogue_ids: Sequence[str]) -> None:
        self.model = model
        self.order = ModelOrder(model.position, catalogue_ids)

    def candidates(self, ctx: Context, k: int) -> list[Scored]:
        counts = Counter([*ctx.history, *ctx.seeds])
        pos = self.model.position
        rows = [(pos[p], n) for p, n in counts.items() if p in pos]
        if not rows:
            return []
        idx = np.array([r for r, _ in rows])
        w = np.array([n for _, n in rows], dtype=np.float32)
        got = row_entries(self.model.similarity, idx)
        contrib = got.values * w[got.which]
        scores_model = np.bincount(got.cols, weights=contrib, minlength=len(self.model.ids))
        scores = self.order.to_catalogue(scores_model)
        allowed = ctx.mask & (scores > 0)
        back = self.order.to_catalogue_row
        allowed[[back[i] for i in idx.tolist() if i in back]] = False
        order = np.flatnonzero(allowed)
        order = order[np.lexsort((order, -scores[order]))][:k]
        # The history item that contributed most to each candidate (the first one among equals).
        wanted = np.zeros(len(self.model.ids), dtype=bool)
        wanted[self.order.to_model[order]] = True
        e = np.flatnonzero(wanted[got.cols])
        e = e[np.lexsort((got.which[e], -contrib[e], got.cols[e]))]
        first = np.r_[True, got.cols[e][1:] != got.cols[e][:-1]] if len(e) else np.zeros(0, dtype=bool)
        strongest = dict(zip(got.cols[e][first].tolist(), idx[got.which[e][first]].tolist(), strict=True))
        return [Scored(ctx.ids[c], float(scores[c]),
                       partial(_copurchase_evidence, self.model, strongest[self.order.to_model[c]],
                               int(self.order.to_model[c]), ctx.titles, float(scores[c])))
                for c in order]


def _copurchase_evidence(model: CopurchaseModel, best: int, item: int, titles: dict[str, str],
                         score: float) -> Evidence:
    anchor = model.ids[best]
    both, n = int(value_at(model.both, best, item)), int(model.customers[best])
    text = f"customers who bought {titles.get(anchor, anchor)} also bought it ({both} of {n})"
    return Evidence("copurchase", text, score, related_to=anchor)
