"""Shoppers like you: TIFU-KNN's nearest shoppers, and LightGCN's shopper-item graph."""

from __future__ import annotations

from functools import partial

from ..vectors import top_k
from .graph import GraphModel
from .model_order import ModelOrder
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
        self.order = ModelOrder(model.index, catalogue_ids)

    def candidates(self, ctx: Context, k: int) -> list[Scored]:
        if ctx.baskets:
            history = [list(b.items) for b in ctx.baskets]
        elif ctx.history:
            history = [list(ctx.history)]
        else:
            return []
        own, near = self.model.parts_batch([history], [ctx.customer_id])
        own_c, near_c = self.order.to_catalogue(own[0]), self.order.to_catalogue(near[0])
        total = own_c + near_c
        rows, scores = top_k(total, k, ctx.mask & (total > 0))
        return [Scored(ctx.ids[r], float(s), partial(_tifu_evidence, bool(near_c[r] >= own_c[r]), float(s)),
                       features={"tifu_neighbours": float(near_c[r])})
                for r, s in zip(rows, scores, strict=True)]


def _tifu_evidence(from_neighbours: bool, score: float) -> Evidence:
    text = ("shoppers whose baskets look like yours buy it often" if from_neighbours
            else "a regular in your own recent baskets")
    return Evidence("tifu", text, score)


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
        return [Scored(ctx.ids[r], float(v), partial(Evidence, "graph", text, float(v))) for r, v in zip(rows, values, strict=True)]
