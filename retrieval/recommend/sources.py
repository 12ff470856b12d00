"""Candidate sources: each turns one kind of signal into scored candidates with evidence.

Every source implements `candidates(ctx, k)`; fusion decides how much each one counts.
Scores are only comparable within a source; fusion normalises them.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from ..vectors import ExactVectors, top_k
from .lexicon import LEXICAL_WEIGHT, Lexicon
from .question import ParsedQuestion
from .types import Evidence, Role


@dataclass
class Scored:
    product_id: str
    score: float
    evidence: Evidence
    features: dict[str, float] = field(default_factory=dict)  # extra figures a ranker reads


@dataclass
class Context:
    """Everything one request knows, shared by all sources."""

    ids: list[str]  # catalogue order; masks and vectors are aligned to it
    titles: dict[str, str]
    mask: np.ndarray  # products allowed by the filters
    history: list[str] = field(default_factory=list)  # oldest first, repeats = bought again
    question: ParsedQuestion | None = None
    query_vector: np.ndarray | None = None
    seeds: list[str] = field(default_factory=list)  # products the question names
    position: dict[str, int] = field(default_factory=dict)  # id -> row; built once by the retriever
    baskets: list = field(default_factory=list)  # the history as dated Baskets, when it has dates
    now: datetime | None = None  # the moment the request is made (dated histories only)
    customer_id: str | None = None  # set only when the history is a known customer's own

    def __post_init__(self) -> None:
        if not self.position:
            self.position = {pid: i for i, pid in enumerate(self.ids)}

    def allowed(self, product_id: str, position: dict[str, int]) -> bool:
        at = position.get(product_id)
        return at is not None and bool(self.mask[at])


class CandidateSource(ABC):
    name: str
    role: Role

    @abstractmethod
    def candidates(self, ctx: Context, k: int) -> list[Scored]: ...


def _recency_weights(history: Sequence[str], half_life: float) -> dict[str, float]:
    """Each distinct item's recency weight: 1 for the newest purchase, halving every half_life items back."""
    n = len(history)
    weights: dict[str, float] = {}
    for i, pid in enumerate(history):
        weights[pid] = max(weights.get(pid, 0.0), 0.5 ** ((n - 1 - i) / half_life))
    return weights


class SemanticSource(CandidateSource):
    """The question's vector against every product vector (exact, filtered)."""

    name, role = "semantic", "match"

    def __init__(self, vectors: ExactVectors, lexicon: Lexicon | None = None) -> None:
        self.vectors, self.lexicon = vectors, lexicon

    def candidates(self, ctx: Context, k: int) -> list[Scored]:
        if ctx.query_vector is None:
            return []
        words = ctx.question.words if ctx.question else ()
        cosine = self.vectors.scores(ctx.query_vector)
        coverage = self.lexicon.coverage(words) if self.lexicon is not None else None
        ranked = cosine if coverage is None else cosine + LEXICAL_WEIGHT * coverage
        rows, _ = top_k(ranked, k, ctx.mask)
        out = []
        for row in rows:
            pid, score = ctx.ids[row], float(cosine[row])
            matched = _matched_words(words, ctx.titles.get(pid, ""))
            text = f"matches your question (similarity {score:.2f})"
            if matched:
                text = f"matches {', '.join(repr(w) for w in matched)} (similarity {score:.2f})"
            out.append(Scored(pid, float(ranked[row]), Evidence("semantic", text, score, similarity=score,
                                                                 matched_words=matched)))
        return out


_TITLE_WORD = re.compile(r"[a-z0-9']+")


def _matched_words(words: Sequence[str], title: str) -> tuple[str, ...]:
    # Words, not whitespace runs: composed titles ("Ground Coffee, National, 11.5 OZ") put
    # punctuation against the word, and "coffee," never matched "coffee".
    title_words = {w.rstrip("s") for w in _TITLE_WORD.findall(title.lower().replace("-", " "))}
    return tuple(dict.fromkeys(w for w in words if w.rstrip("s") in title_words))


class RepeatSource(CandidateSource):
    """Buy again: the shopper's own past items by frequency, then recency.

    On retail baskets this is the strongest single signal (wholesalers reorder).
    """

    name, role = "repeat", "buy again"

    def __init__(
        self, popularity: np.ndarray | None = None, half_life: float = 50.0, recency: float = 0.0
    ) -> None:
        top = float(popularity.max()) if popularity is not None and len(popularity) else 0.0
        self.popularity: np.ndarray | None = (
            popularity / top if popularity is not None and top > 0 else None
        )
        self.half_life, self.recency = half_life, recency

    def candidates(self, ctx: Context, k: int) -> list[Scored]:
        # How often beats how recently on these baskets (validation NDCG@10: frequency with
        # a popularity tie-break 0.308, time decay ~0.300), so ties between items bought
        # equally often go to the more popular one, and recency is off by default.
        counts = Counter(ctx.history)
        recency = _recency_weights(ctx.history, self.half_life)
        position = ctx.position
        scored = []
        for pid, n in counts.items():
            if not ctx.allowed(pid, position):
                continue
            tie = 0.5 * self.popularity[position[pid]] if self.popularity is not None else 0.0
            score = n + self.recency * recency[pid] + tie
            text = f"you bought it {n} time{'s' if n > 1 else ''} before"
            scored.append(Scored(pid, score, Evidence("repeat", text, score, times_bought=n)))
        scored.sort(key=lambda s: (-s.score, s.product_id))
        return scored[:k]


# One rules hit: (product_id, score, [rule dicts]), optionally followed by the ranker's
# features for it ({"rules_fired": ..., "rule_lift": ...}).
RuleHit = tuple[str, float, list[dict]] | tuple[str, float, list[dict], dict[str, float]]


class RulesSource(CandidateSource):
    """Bought together: association rules whose antecedent lies inside the history or the named items.

    `apply` is the rules layer's call: (items, k, exclude) -> [RuleHit].
    """

    name, role = "rules", "add-on"

    def __init__(self, apply: Callable[[Sequence[str], int, set[str]], Sequence[RuleHit]]) -> None:
        self.apply = apply

    def candidates(self, ctx: Context, k: int) -> list[Scored]:
        basket = list(dict.fromkeys([*ctx.seeds, *ctx.history]))
        if not basket:
            return []
        position = ctx.position
        out = []
        # The basket is excluded by the rules layer itself; a few spare for other filters
        # (building each candidate's quoted rule is the costly part, so not k * 3).
        for pid, score, rules, *counts in self.apply(basket, k + 20, set(basket)):
            if not ctx.allowed(pid, position):
                continue
            best = rules[0]
            names = " + ".join(ctx.titles.get(a, a) for a in best["antecedent"])
            text = (
                f"bought together with {names} in {best['confidence']:.0%} of the baskets that "
                f"contain it ({best['rule_count']} of {best['antecedent_count']}), "
                f"{best['lift']:.1f} times more often than chance"
            )
            extra = counts[0] if counts else {}
            out.append(Scored(pid, score, Evidence("rules", text, score, rule=best, related_to=best["antecedent"][0]),
                              features=extra))
            if len(out) == k:
                break
        return out


class NeighbourSource(CandidateSource):
    """Alternatives: nearest products to the recent history items (or the named ones)."""

    name, role = "neighbours", "alternative"

    def __init__(self, vectors: ExactVectors, recent: int = 10, half_life: float = 5.0) -> None:
        self.vectors, self.recent, self.half_life = vectors, recent, half_life

    def candidates(self, ctx: Context, k: int) -> list[Scored]:
        anchors = list(dict.fromkeys(reversed([*ctx.history, *ctx.seeds])))[: self.recent]
        if not anchors:
            return []
        weights = _recency_weights(list(reversed(anchors)), self.half_life)
        exclude = np.zeros(len(ctx.ids), dtype=bool)
        position = ctx.position
        for pid in anchors:
            if pid in position:
                exclude[position[pid]] = True
        mask = ctx.mask & ~exclude
        found = [(a, v) for a in anchors if (v := self.vectors.vector(a)) is not None and v.any()]
        if not found:
            return []
        usable = [a for a, _ in found]
        # One matrix product for all anchors: (n x d) @ (d x a); each product keeps its best
        # recency-weighted anchor, and only the top k get evidence built.
        sims = self.vectors.matrix @ np.stack([v for _, v in found]).T
        weighted = sims * np.array([weights[a] for a in usable], dtype=sims.dtype)
        which = weighted.argmax(axis=1)
        best = weighted[np.arange(len(which)), which]
        rows, scores = top_k(best, k, mask)
        out = []
        for row, score in zip(rows, scores, strict=True):
            anchor, sim = usable[which[row]], float(sims[row, which[row]])
            text = f"similar to {ctx.titles.get(anchor, anchor)} (similarity {sim:.2f})"
            out.append(Scored(ctx.ids[row], float(score), Evidence(
                "neighbours", text, float(score), similarity=sim, related_to=anchor)))
        return out


class ProfileSource(CandidateSource):
    """For you: one taste vector from the history (recency-weighted mean), searched like a question."""

    name, role = "profile", "for you"

    def __init__(self, vectors: ExactVectors, half_life: float = 20.0) -> None:
        self.vectors, self.half_life = vectors, half_life

    def candidates(self, ctx: Context, k: int) -> list[Scored]:
        weights = _recency_weights(ctx.history, self.half_life)
        rows = [(v, w) for p, w in weights.items() if (v := self.vectors.vector(p)) is not None]
        if not rows:
            return []
        profile = sum(v * w for v, w in rows)
        assert isinstance(profile, np.ndarray)  # rows is not empty: a sum of arrays, never the 0 start
        norm = float(np.linalg.norm(profile))
        if norm == 0:
            return []
        owned = np.zeros(len(ctx.ids), dtype=bool)
        owned[[ctx.position[p] for p in weights if p in ctx.position]] = True
        found, sims = top_k(self.vectors.scores(profile / norm), k, ctx.mask & ~owned)
        text = "close to the things you usually buy (similarity {:.2f})"
        return [
            Scored(ctx.ids[r], float(s), Evidence("profile", text.format(s), float(s), similarity=float(s)))
            for r, s in zip(found, sims, strict=True)
        ]


class PopularitySource(CandidateSource):
    """Cold start: what most baskets contain."""

    name, role = "popularity", "popular"

    def __init__(self, popularity: np.ndarray, n_baskets: int) -> None:
        self.popularity, self.n_baskets = popularity.astype(np.float64), max(1, n_baskets)

    def candidates(self, ctx: Context, k: int) -> list[Scored]:
        rows, counts = top_k(self.popularity, k, ctx.mask)
        out = []
        for row, n in zip(rows, counts, strict=True):
            share = n / self.n_baskets
            text = f"popular: in {int(n):,} baskets ({share:.1%} of all)"
            out.append(Scored(ctx.ids[row], float(n), Evidence("popularity", text, float(share))))
        return out
