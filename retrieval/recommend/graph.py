"""LightGCN (He et al., SIGIR 2020): embeddings learnt on the shopper-item purchase graph.

Why a graph model: matrix factorisation sees a customer only through their own row;
propagating embeddings over the bipartite customer-item graph lets an item borrow signal
from the customers who bought it and the other items those customers bought, which helps
the long tail and the "new item" suggestions most.

The model, as in the paper and kept lean:

- nodes = customers with at least one train basket + items bought by them (baskets with
  no customer id carry no edge and are ignored); edges are binary (bought at least once);
- ego embeddings E0 (dim 64), propagation E(k+1) = Â E(k) with Â = D^-1/2 A D^-1/2 the
  symmetrically normalised adjacency, no weights and no non-linearity; the final embedding
  is the mean of E0..EK;
- BPR loss on (customer, bought item, sampled item) triples, one uniform negative per
  positive, plus L2 (1e-4) on the ego embeddings of the batch; Adam.

Training is torch (CUDA when present, else CPU on a bounded number of threads) and is
reproducible for a seed on CPU (on CUDA, scatter-adds by float atomics may differ in the
last bits); serving is numpy: `fit` keeps the final item and customer matrices as float32 arrays, and `save`
writes them to an .npz (no pickle) that `load` reads back without torch.
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from ..baskets import Baskets

log = logging.getLogger(__name__)

_FORMAT = 1  # bumped when the .npz layout changes


@dataclass(frozen=True)
class GraphParams:
    """Hyper-parameters, chosen on the validation split (NDCG@10 all / new there):

    - batch 16384 and lr 1e-2 rather than the paper's 2048 and 1e-3: a step costs a full
      propagation whatever the batch, so big batches make an epoch cheap, and the larger
      lr (linear scaling) converges in tens of epochs instead of hundreds
      (3 layers, lr 5e-3: 0.209 / 0.079 after 100 epochs; 2 layers, 1e-2: 0.223 / 0.079
      after 60);
    - 2 layers: 3 converge slower for the same figure (0.219 / 0.082 at 75 epochs,
      0.227 / 0.080 at 100) and cost a third more per step;
    - dim 64: 128 is a little better (0.231 / 0.084 at 50 epochs) at twice the time;
    - 60 epochs: "new" peaks around 50 (0.081), "all" still creeps up.

    `threads` is 1: on the shared 2-core box two torch threads trained 2-4x slower in wall
    time than one (OpenMP threads wait on each other while the other core is busy); raise
    it on a dedicated machine. `epochs` bounds training; `max_seconds` is only a safety
    cap (hitting it is logged, and makes the result depend on the machine's speed).
    """

    dim: int = 64
    layers: int = 2
    epochs: int = 60
    batch_size: int = 16384
    lr: float = 1e-2
    l2: float = 1e-4
    init_std: float = 0.1
    seed: int = 0
    max_seconds: float = 110.0
    threads: int = 1
    device: str = "auto"


class GraphModel:
    """LightGCN embeddings; scores are aligned to the `ids` given to `fit`."""

    def __init__(self, params: GraphParams | None = None, **overrides: object) -> None:
        base = params if params is not None else GraphParams()
        self.params = GraphParams(**{**asdict(base), **overrides})
        self.ids: tuple[str, ...] = ()
        self.user_ids: tuple[str, ...] = ()
        self.item_matrix = np.zeros((0, self.params.dim), dtype=np.float32)
        self.user_matrix = np.zeros((0, self.params.dim), dtype=np.float32)
        self.train_seconds = 0.0
        self._item_index: dict[str, int] = {}
        self._user_index: dict[str, int] = {}

    # ------------------------------------------------------------------ fitting

    def fit(self, baskets: Baskets, ids: Sequence[str]) -> GraphModel:
        """Learn embeddings from every (customer, item) purchase whose item is in `ids`.

        An id never bought by a known customer keeps a zero vector, so it scores 0.
        """
        import torch

        p = self.params
        self._set_ids(tuple(str(i) for i in ids))
        users, items, user_ids = _edges(baskets, self._item_index)
        self.user_ids = user_ids
        self._user_index = {u: n for n, u in enumerate(user_ids)}
        self.item_matrix = np.zeros((len(self.ids), p.dim), dtype=np.float32)
        self.user_matrix = np.zeros((len(user_ids), p.dim), dtype=np.float32)
        if len(users) == 0:
            log.warning("lightgcn: no customer purchases to learn from; every score is 0")
            return self
        # Only items with an edge become nodes: an isolated node would keep its random init.
        item_cols, item_codes = np.unique(items, return_inverse=True)
        device = _pick_device(p.device)
        start = time.perf_counter()
        with _threads(p.threads, device):
            final_users, final_items = _train(
                p, users, item_codes, len(user_ids), len(item_cols), torch.device(device)
            )
        self.train_seconds = time.perf_counter() - start
        self.user_matrix = final_users
        self.item_matrix[item_cols] = final_items
        log.info(
            "lightgcn: %d customers x %d items, %d edges, trained in %.1fs on %s",
            len(user_ids), len(item_cols), len(users), self.train_seconds, device,
        )
        return self

    def _set_ids(self, ids: tuple[str, ...]) -> None:
        self.ids = ids
        self._item_index = {i: n for n, i in enumerate(ids)}
        if len(self._item_index) != len(ids):
            raise ValueError("item ids must be distinct")

    # ------------------------------------------------------------------ scoring

    def user_vector(self, items: Sequence[str], customer_id: str | None = None) -> np.ndarray:
        """A fitted customer's final embedding; anyone else is folded in from `items`.

        Fold-in = the mean of the final embeddings of the known items in `items`: the
        user side of LightGCN's first layer is an (degree-weighted) average of the item
        embeddings, so the mean lands the stranger among customers with the same items
        without retraining. Ids outside the graph (unknown, or never bought by a known
        customer) are skipped; none left gives the zero vector (every score 0).
        """
        row = self._user_index.get(customer_id) if customer_id is not None else None
        if row is not None:
            return self.user_matrix[row]
        cols = sorted({self._item_index[i] for i in items if i in self._item_index})
        cols = [c for c in cols if self.item_matrix[c].any()]  # zero rows: never bought
        if not cols:
            return np.zeros(self.item_matrix.shape[1], dtype=np.float32)
        return self.item_matrix[cols].mean(axis=0)

    def scores(self, items: Sequence[str], customer_id: str | None = None) -> np.ndarray:
        """One score per id (dot product of user and final item embeddings)."""
        return self.item_matrix @ self.user_vector(items, customer_id)

    def scores_batch(
        self, histories: Sequence[tuple[Sequence[str], str | None]]
    ) -> np.ndarray:
        """(len(histories), len(ids)) scores for (items, customer_id) pairs."""
        if not histories:
            return np.zeros((0, len(self.ids)), dtype=np.float32)
        users = np.stack([self.user_vector(items, cid) for items, cid in histories])
        return users @ self.item_matrix.T

    # ------------------------------------------------------------------ persistence

    def save(self, path: str | Path) -> Path:
        """Write the serving state to an .npz (plain arrays and strings, no pickle)."""
        path = Path(path)
        params = asdict(self.params)
        np.savez(
            path,
            format=np.array(_FORMAT),
            item_matrix=self.item_matrix,
            user_matrix=self.user_matrix,
            ids=np.array(self.ids, dtype=str),
            user_ids=np.array(self.user_ids, dtype=str),
            param_names=np.array(list(params), dtype=str),
            param_values=np.array([str(v) for v in params.values()], dtype=str),
            train_seconds=np.array(self.train_seconds),
        )
        return path if path.suffix == ".npz" else path.with_name(path.name + ".npz")

    @classmethod
    def load(cls, path: str | Path) -> GraphModel:
        with np.load(Path(path), allow_pickle=False) as data:
            if int(data["format"]) != _FORMAT:
                raise ValueError(f"{path}: graph model format {int(data['format'])} unknown")
            raw = dict(zip(data["param_names"].tolist(), data["param_values"].tolist(), strict=True))
            model = cls(_params_from_strings(raw))
            model._set_ids(tuple(data["ids"].tolist()))
            model.user_ids = tuple(data["user_ids"].tolist())
            model._user_index = {u: n for n, u in enumerate(model.user_ids)}
            model.item_matrix = data["item_matrix"].astype(np.float32)
            model.user_matrix = data["user_matrix"].astype(np.float32)
            model.train_seconds = float(data["train_seconds"])
        return model


def _params_from_strings(raw: dict[str, str]) -> GraphParams:
    defaults = asdict(GraphParams())
    typed = {k: type(defaults[k])(v) for k, v in raw.items() if k in defaults}
    return GraphParams(**typed)


def _edges(
    baskets: Baskets, item_index: dict[str, int]
) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """Distinct (customer code, item column) pairs, and the customers sorted by id."""
    lines = baskets.lines.dropna(subset=["customer_id"])
    pairs = pd.DataFrame(
        {
            "customer": lines["customer_id"].astype(str).to_numpy(),
            "item": lines["product_id"].astype(str).map(item_index).to_numpy(),
        }
    ).dropna()
    pairs = pairs.drop_duplicates()
    codes, customers = pd.factorize(pairs["customer"], sort=True)
    items = pairs["item"].to_numpy(dtype=np.int64)
    order = np.lexsort((items, codes))  # a fixed edge order whatever the line order
    return codes[order].astype(np.int64), items[order], tuple(str(c) for c in customers)


def _pick_device(requested: str) -> str:
    """CUDA when present (via the shared pick), else CPU: MPS lacks the sparse kernels."""
    from ..index.device import resolve_device

    device = resolve_device(requested)
    if device.startswith("mps"):
        log.info("lightgcn: sparse propagation is not supported on mps; training on cpu")
        return "cpu"
    return device


@contextmanager
def _threads(n: int, device: str):
    """Bound torch's CPU threads for the fit and restore the caller's setting after."""
    import torch

    before = torch.get_num_threads()
    if device == "cpu" and n > 0:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _train(
    p: GraphParams,
    users: np.ndarray,
    items: np.ndarray,
    n_users: int,
    n_items: int,
    device,
) -> tuple[np.ndarray, np.ndarray]:
    """BPR training of LightGCN; returns the final (layer-mean) user and item matrices."""
    import torch

    # Every draw (init, shuffles, negatives) comes from this CPU generator, never the global
    # one: the same seed gives the same draws on any device and leaves the caller's RNG be.
    gen = torch.Generator().manual_seed(p.seed)
    adj = _norm_adjacency(users, items, n_users, n_items).to(device)
    ego = torch.empty(n_users + n_items, p.dim).normal_(0.0, p.init_std, generator=gen)
    ego = torch.nn.Parameter(ego.to(device))
    opt = torch.optim.Adam([ego], lr=p.lr)
    u_all = torch.from_numpy(users)
    i_all = torch.from_numpy(items)
    bought = _Bought(u_all, i_all, n_users, n_items)  # to reject negatives they bought
    n_edges = len(users)
    started = time.perf_counter()
    bar = tqdm(range(p.epochs), desc="lightgcn", unit="epoch", leave=False, disable=None)
    for epoch in bar:
        order = torch.randperm(n_edges, generator=gen)
        u_epoch, i_epoch = u_all.index_select(0, order), i_all.index_select(0, order)
        negs = _negatives(u_epoch, n_items, bought, gen)
        # (3, edges): customer, bought item, sampled item, as node numbers.
        triples = torch.stack([u_epoch, i_epoch + n_users, negs + n_users]).to(device)
        total = 0.0
        for start in range(0, n_edges, p.batch_size):
            batch = triples[:, start : start + p.batch_size]
            bpr, reg = _batch_loss(adj, ego, batch, p.layers)
            opt.zero_grad(set_to_none=True)
            (bpr + p.l2 * reg).backward()
            opt.step()
            total += bpr.item() * batch.shape[1]
        bar.set_postfix(bpr=f"{total / n_edges:.4f}")
        log.debug("lightgcn epoch %d: bpr %.4f", epoch + 1, total / n_edges)
        if time.perf_counter() - started > p.max_seconds and epoch + 1 < p.epochs:
            log.warning(
                "lightgcn: stopped after %d of %d epochs (max_seconds=%.0f)",
                epoch + 1, p.epochs, p.max_seconds,
            )
            break
    bar.close()
    with torch.no_grad():
        final = _propagate(adj, ego, p.layers).float().cpu().numpy()
    return final[:n_users].copy(), final[n_users:].copy()


def _batch_loss(adj, ego, batch, layers: int):
    """Mean BPR loss of the batch's triples, and the L2 term on their ego embeddings.

    One gather for the three node kinds (a gather's backward is a scatter-add, the costliest
    step after the sparse products); the L2 term, sum over the batch's nodes of |e0|^2 / 2,
    is read as node counts x squared norms, which needs no second gather.
    """
    import torch

    nodes = batch.reshape(-1)
    # index_select, not final[nodes]: advanced indexing is several times slower on CPU.
    emb = _propagate(adj, ego, layers).index_select(0, nodes).view(3, batch.shape[1], -1)
    eu, ei, ej = emb[0], emb[1], emb[2]
    bpr = torch.nn.functional.softplus((eu * ej).sum(1) - (eu * ei).sum(1)).mean()
    counts = torch.bincount(nodes, minlength=ego.shape[0]).to(ego.dtype)
    reg = (counts * ego.square().sum(1)).sum() / (2 * batch.shape[1])
    return bpr, reg


class _Bought:
    """Whether customer u bought item i: a bitmap when users x items is small, else a
    binary search over the sorted (u, i) keys (the bitmap is ~3x faster on CPU)."""

    BITMAP_CELLS = 1 << 27  # 128 MB of bools at most

    def __init__(self, users, items, n_users: int, n_items: int) -> None:
        import torch

        self.n_items = n_items
        self.keys = users * n_items + items  # sorted: the edges are in (user, item) order
        self.bitmap = None
        if n_users * n_items <= self.BITMAP_CELLS:
            self.bitmap = torch.zeros(n_users * n_items, dtype=torch.bool)
            self.bitmap[self.keys] = True

    def __call__(self, users, items):
        import torch

        query = users * self.n_items + items
        if self.bitmap is not None:
            return self.bitmap[query]
        pos = torch.searchsorted(self.keys, query).clamp(max=len(self.keys) - 1)
        return self.keys[pos] == query


def _negatives(users, n_items: int, bought: _Bought, gen):
    """One uniform item per positive, redrawn (a few rounds) where the customer bought it."""
    import torch

    negs = torch.randint(n_items, (len(users),), generator=gen)
    for _ in range(5):
        bad = bought(users, negs)
        if not bool(bad.any()):
            break
        negs[bad] = torch.randint(n_items, (int(bad.sum()),), generator=gen)
    return negs


def _norm_adjacency(users: np.ndarray, items: np.ndarray, n_users: int, n_items: int):
    """Â = D^-1/2 A D^-1/2 of the symmetric bipartite graph, as a torch CSR tensor."""
    import torch

    n = n_users + n_items
    rows = np.concatenate([users, items + n_users])
    cols = np.concatenate([items + n_users, users])
    degree = np.bincount(rows, minlength=n).astype(np.float64)
    inv_sqrt = np.where(degree > 0, 1.0 / np.sqrt(np.maximum(degree, 1.0)), 0.0)
    values = (inv_sqrt[rows] * inv_sqrt[cols]).astype(np.float32)
    coo = torch.sparse_coo_tensor(
        torch.from_numpy(np.stack([rows, cols])),
        torch.from_numpy(values),
        (n, n),
        check_invariants=True,  # built once per fit: checking is cheap here
    )
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Sparse CSR tensor support is in beta")
        return coo.coalesce().to_sparse_csr()


def _propagate(adj, ego, layers: int):
    """Mean of E0..EK with E(k+1) = Â E(k)."""
    spmm = _symmetric_spmm()
    out = layer = ego
    for _ in range(layers):
        layer = spmm.apply(adj, layer)
        out = out + layer
    return out / (layers + 1)


@cache
def _symmetric_spmm():
    """Built on first use so that importing this module does not import torch."""
    import torch

    class SymmetricSpMM(torch.autograd.Function):
        """Â X whose gradient is Â G: Â is symmetric, so no transposed copy is needed."""

        @staticmethod
        def forward(ctx, adj, dense):
            ctx.adj = adj
            return adj @ dense

        @staticmethod
        def backward(ctx, grad):
            return None, ctx.adj @ grad

    return SymmetricSpMM
