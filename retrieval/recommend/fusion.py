"""Fusing the sources' lists into one ranking.

Each source's scores are divided by that source's best score in this request (so every
source tops out at 1), multiplied by the source's weight and summed per product. A
candidate's role is the source that contributed most; all sources' evidence is kept.
Weights are tuned on a validation split (see `retrieval.evaluation`), never on the test split.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from .sources import Scored


@dataclass(frozen=True)
class FusionWeights:
    semantic: float = 1.0
    repeat: float = 1.0
    rules: float = 0.5
    copurchase: float = 0.5
    neighbours: float = 0.2
    profile: float = 0.1
    popularity: float = 0.02

    def of(self, source: str) -> float:
        # Sources the fusion has no weight for (those only the learned ranker reads) count 0.
        return float(getattr(self, source, 0.0))

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


@dataclass
class Fused:
    product_id: str
    score: float
    role_source: str
    parts: list[tuple[str, Scored]]  # (source name, its scored entry)


def fuse(lists: dict[str, list[Scored]], weights: FusionWeights, k: int) -> list[Fused]:
    by_id: dict[str, Fused] = {}
    best_part: dict[str, float] = {}
    for source, scored in lists.items():
        w = weights.of(source)
        if not scored or w <= 0:
            continue
        top = max(s.score for s in scored) or 1.0
        for entry in scored:
            part = w * entry.score / top
            fused = by_id.setdefault(entry.product_id, Fused(entry.product_id, 0.0, source, []))
            fused.score += part
            fused.parts.append((source, entry))
            if part > best_part.get(entry.product_id, -1.0):
                best_part[entry.product_id] = part
                fused.role_source = source
    ranked = sorted(by_id.values(), key=lambda f: (-f.score, f.product_id))
    return ranked[:k]
