"""Shoppers like you: TIFU-KNN's nearest shoppers, and LightGCN's shopper-item graph."""

from __future__ import annotations

import numpy as np

from ..vectors import top_k
from .graph import GraphModel
from .sources import CandidateSource, Context, Scored
from .tifu import TifuModel
from .types import Evidence


class TifuSource(CandidateSource):
    """TIFU-KNN scores over the catalogue (see `tifu.py`); the evidence says which part spoke.

    A known customer is never their own neighbour, so their own purchases reach the
    neighbour part only through shoppers who resemble them.
    """

    name, role = "tifu", "for you"

    def __init__(self, model: TifuModel, catalogue_ids: list[str]) -> None:
        self.model = model
        pos = model.index
        self.to_model = np.array([pos.get(pid, -1) for pid in catalogue_ids])

    def candidates(self, ctx: Context, k: int) -> list[Scored]:
        if ctx.baskets:
            history = [list(b.items) for b in ctx.baskets]
        elif ctx.history:
            history = [list(ctx.history)]
        else:
            return []
        own, near = self.model.parts_batch([history], [ctx.customer_id])
        valid = self.to_model >= 0
        own_c, near_c = np.zeros(len(ctx.ids)), np.zeros(len(ctx.ids))
        own_c[valid], near_c[valid] = own[0][self.to_model[valid]], near[0][self.to_model[valid]]
        total = own_c + near_c
        rows, scores = top_k(total, k, ctx.mask & (total > 0))
        out = []
        for r, s in zip(rows, scores, strict=True):
            if near_c[r] >= own_c[r]:
                text = "shoppers whose baskets look like yours buy it often"
            else:
                text = "a regular in your own recent baskets"
            out.append(Scored(ctx.ids[r], float(s), Evidence("tifu", text, float(s)),
                              features={"tifu_neighbours": float(near_c[r])}))
        return out


class GraphSource(CandidateSource):
    """LightGCN: items close to the shopper in the shopper-item purchase graph (see `graph.py`).

    A known customer is scored from their own trained embedding, anyone else from the mean
    of their items' embeddings; the model's ids must be the catalogue's, in order.
    """

    name, role = "graph", "for you"

    def __init__(self, model: GraphModel) -> None:
        self.model = model

    def candidates(self, ctx: Context, k: int) -> list[Scored]:
        items = list(dict.fromkeys([*ctx.history, *ctx.seeds]))
        if not items and ctx.customer_id is None:
            return []
        scores = self.model.scores(items, ctx.customer_id)
        allowed = ctx.mask & (scores > 0)
        allowed[[ctx.position[p] for p in items if p in ctx.position]] = False
        rows, values = top_k(scores, k, allowed)
        text = "close to your purchases in the graph of who buys what"
        return [Scored(ctx.ids[r], float(v), Evidence("graph", text, float(v))) for r, v in zip(rows, values, strict=True)]
