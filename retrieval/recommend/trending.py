"""Trending: what many baskets hold lately, more than they used to."""

from __future__ import annotations

from functools import partial

import numpy as np

from ..vectors import StaticRanking
from .sources import CandidateSource, Context, Scored
from .types import Evidence


class TrendingSource(CandidateSource):
    """Items by recent basket count, weighted by how far that beats their usual share.

    `recent` and `trend` come from `retrieval.ranking.items.ItemStats` (recent = the last
    four weeks of the data; trend = recent share / overall share).
    """

    name, role = "trending", "popular"

    def __init__(self, recent: np.ndarray, trend: np.ndarray) -> None:
        self.recent, self.trend = recent.astype(np.float64), trend.astype(np.float64)
        # A product's recent count, boosted by at most 3x when it is rising.
        self.strength = self.recent * np.clip(self.trend, 0.0, 3.0)
        self.ranking = StaticRanking(np.where(self.recent > 0, self.strength, -np.inf))

    def candidates(self, ctx: Context, k: int) -> list[Scored]:
        rows, scores = self.ranking.top(k, ctx.mask)
        return [
            Scored(ctx.ids[r], float(s), partial(_trending_evidence, int(self.recent[r]), float(self.trend[r]), float(s)))
            for r, s in zip(rows, scores, strict=True)
        ]


def _trending_evidence(recent: int, trend: float, score: float) -> Evidence:
    return Evidence("trending", f"trending: in {recent:,} baskets over the last 4 weeks, "
                    f"{trend:.1f} times its usual share", score)
