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
from functools import partial

import numpy as np

from ..pruned_search import PrunedSearch
from ..vectors import ExactVectors, StaticRanking, top_k
from .item_neighbours import NeighbourTable
from .lexicon import LEXICAL_WEIGHT, Lexicon
from .question import ParsedQuestion
from .types import Evidence, Role


class Scored:
    """One source's candidate: its score, the figures a ranker reads, and its evidence.

    `evidence` may be given as a function that makes it: a source lists many more candidates
    than are ever shown (the ranker reads ~280 a request and shows 10), so the sentence is
    written only for those whose evidence is read.
    """

    __slots__ = ("product_id", "score", "_evidence", "features")

    def __init__(self, product_id: str, score: float, evidence: Evidence | Callable[[], Evidence],
                 features: dict[str, float] | None = None) -> None:
        self.product_id, self.score, self._evidence = product_id, score, evidence
        self.features: dict[str, float] = features if features is not None else {}

    @property
    def evidence(self) -> Evidence:
        made = self._evidence
        if not isinstance(made, Evidence):
            made = self._evidence = made()
        return made

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Scored):
            return NotImplemented
        return ((self.product_id, self.score, self.evidence, self.features)
                == (other.product_id, other.score, other.evidence, other.features))

    def __repr__(self) -> str:
        return f"Scored({self.product_id!r}, {self.score!r})"


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
    newest = {pid: i for i, pid in enumerate(history)}  # first-seen order, the latest position
    ages = len(history) - 1 - np.fromiter(newest.values(), np.float64, len(newest))
    return dict(zip(newest, np.power(0.5, ages / half_life).tolist(), strict=True))


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


# One rules hit: (product_id, score, rules, features). `rules` is the fired rules as dicts,
# strongest first, or a function giving the strongest one (built only when it is quoted);
# `features` ({"rules_fired", "rule_lift", "rule_confidence"}) may be left out.
RuleHit = (tuple[str, float, list[dict] | Callable[[], dict]]
           | tuple[str, float, list[dict] | Callable[[], dict], dict[str, float]])


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
        # The basket is excluded by the rules layer itself; a few spare for other filters.
        for pid, score, rules, *counts in self.apply(basket, k + 20, set(basket)):
            if not ctx.allowed(pid, position):
                continue
            if callable(rules):
                best = rules
                extra = counts[0] if counts else {}
            else:
                first = rules[0]
                best = partial(_first_rule, rules)
                extra = counts[0] if counts else {"rules_fired": float(len(rules)), "rule_lift": first["lift"],
                                                  "rule_confidence": first["confidence"]}
            out.append(Scored(pid, score, partial(_rule_evidence, best, ctx.titles, score), features=extra))
            if len(out) == k:
                break
        return out


def _first_rule(rules: list[dict]) -> dict:
    return rules[0]


def _rule_evidence(best: Callable[[], dict], titles: dict[str, str], score: float) -> Evidence:
    rule = best()
    names = " + ".join(titles.get(a, a) for a in rule["antecedent"])
    text = (
        f"bought together with {names} in {rule['confidence']:.0%} of the baskets that "
        f"contain it ({rule['rule_count']} of {rule['antecedent_count']}), "
        f"{rule['lift']:.1f} times more often than chance"
    )
    return Evidence("rules", text, score, rule=rule, related_to=rule["antecedent"][0])


class NeighbourSource(CandidateSource):
    """Alternatives: nearest products to the recent history items (or the named ones).

    Each product's score is its best recency-weighted similarity to one anchor. The anchors'
    lists in the neighbour table give the answer when it is provably the exact one: the k-th
    score found beats every anchor's weight times the last similarity its list holds (a
    product outside an anchor's list is no nearer to it than that). Otherwise, say when the
    filters remove most of the lists, the whole matrix is scanned.
    """

    name, role = "neighbours", "alternative"

    def __init__(self, vectors: ExactVectors, recent: int = 10, half_life: float = 5.0,
                 table: NeighbourTable | None = None) -> None:
        self.vectors, self.recent, self.half_life, self.table = vectors, recent, half_life, table

    def candidates(self, ctx: Context, k: int) -> list[Scored]:
        anchors = list(dict.fromkeys(reversed([*ctx.history, *ctx.seeds])))[: self.recent]
        if not anchors:
            return []
        weights = _recency_weights(list(reversed(anchors)), self.half_life)
        position = ctx.position
        at = [position[a] for a in anchors if a in position]
        mask = ctx.mask.copy()
        mask[at] = False
        matrix = self.vectors.matrix
        usable = [a for a in anchors if a in position and matrix[position[a]].any()]
        if not usable:
            return []
        rows_of = np.array([position[a] for a in usable])
        w = np.array([weights[a] for a in usable], dtype=np.float32)
        found = self._from_table(rows_of, w, mask, k) if self.table is not None else None
        if found is None:
            found = self._scan(rows_of, w, mask, k)
        rows, scores, which, sims = found
        titles = ctx.titles
        return [Scored(ctx.ids[row], float(score), partial(_neighbour_evidence, usable[a], titles, float(sim),
                                                           float(score)))
                for row, score, a, sim in zip(rows, scores, which, sims, strict=True)]

    def _from_table(self, anchor_rows, w, mask, k):
        table = self.table
        assert table is not None
        rows = table.rows[anchor_rows].ravel()
        sims = table.sims[anchor_rows]
        weighted = (sims * w[:, None]).ravel()
        which = np.repeat(np.arange(len(anchor_rows)), table.depth)
        keep = mask[rows] & np.isfinite(weighted)
        rows, weighted, which, sims = rows[keep], weighted[keep], which[keep], sims.ravel()[keep]
        # Each product once, at its best anchor (the first anchor among equals, as a scan's argmax).
        order = np.lexsort((which, -weighted, rows))
        first = np.r_[True, rows[order][1:] != rows[order][:-1]]
        best = order[first]
        ranked = best[np.lexsort((rows[best], -weighted[best]))][:k]
        if len(ranked) < k:
            return None
        last = table.sims[anchor_rows, -1]
        # A list ending in -inf holds every product with a vector; those without one score 0.
        bound = max(0.0, float(np.max(w * np.where(np.isfinite(last), last, 0.0))))
        if not weighted[ranked[-1]] > bound:  # something outside the lists could rank here
            return None
        return rows[ranked], weighted[ranked], which[ranked], sims[ranked]

    def _scan(self, anchor_rows, w, mask, k):
        # One matrix product for all anchors: (n x d) @ (d x a); each product keeps its best
        # recency-weighted anchor, and only the top k get evidence built.
        matrix = self.vectors.matrix
        sims = matrix @ matrix[anchor_rows].T
        weighted = sims * w
        which = weighted.argmax(axis=1)
        best = weighted[np.arange(len(which)), which]
        rows, scores = top_k(best, k, mask)
        return rows, scores, which[rows], sims[rows, which[rows]]


def _neighbour_evidence(anchor: str, titles: dict[str, str], sim: float, score: float) -> Evidence:
    text = f"similar to {titles.get(anchor, anchor)} (similarity {sim:.2f})"
    return Evidence("neighbours", text, score, similarity=sim, related_to=anchor)


# Above this many products the profile's search is pruned (exactly; see pruned_search.py):
# a full scan of 100,000 x 384 costs ~20 ms here, of 20,000 ~3.
PROFILE_SCAN_ROWS = 20_000
PROFILE_HALF_LIFE = 20.0  # history items back at which an item's weight in the profile halves


class ProfileSource(CandidateSource):
    """For you: one taste vector from the history (recency-weighted mean), searched like a question.

    On a large catalogue the search scores exactly only the products a low-dimensional copy
    of the vectors cannot rule out; the answer is the full scan's.
    """

    name, role = "profile", "for you"

    def __init__(self, vectors: ExactVectors, half_life: float = PROFILE_HALF_LIFE) -> None:
        self.vectors, self.half_life = vectors, half_life
        self.search = PrunedSearch(vectors.matrix) if len(vectors) > PROFILE_SCAN_ROWS else None

    def candidates(self, ctx: Context, k: int) -> list[Scored]:
        made = taste_profile(ctx.history, ctx.position, self.vectors.matrix, self.half_life)
        if made is None:
            return []
        profile, rows_of, _ = made
        mask = ctx.mask.copy()
        mask[rows_of] = False
        if self.search is not None:
            found = self.search.top_k(profile, k, mask)
        else:
            found = top_k(self.vectors.scores(profile), k, mask)
        # A dated history is a customer's orders; plain ids are a basket or a list so far.
        whose = "the things you usually buy" if ctx.baskets else "what you have picked"
        return [Scored(ctx.ids[r], float(s), partial(_profile_evidence, float(s), whose))
                for r, s in zip(*found, strict=True)]


def taste_profile(history: Sequence[str], position: dict[str, int], matrix: np.ndarray,
                  half_life: float) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The unit taste vector of a history, the rows it averages and their weights (None: none)."""
    weights = _recency_weights(history, half_life)
    items = [p for p in weights if p in position]
    if not items:
        return None
    rows = np.array([position[p] for p in items])
    w = np.array([weights[p] for p in items], dtype=np.float32)
    profile = w @ matrix[rows]
    norm = float(np.linalg.norm(profile))
    return (profile / norm, rows, w) if norm else None


def _profile_evidence(sim: float, whose: str) -> Evidence:
    return Evidence("profile", f"close to {whose} (similarity {sim:.2f})", sim, similarity=sim)


class PopularitySource(CandidateSource):
    """Cold start: what most baskets contain."""

    name, role = "popularity", "popular"

    def __init__(self, popularity: np.ndarray, n_baskets: int) -> None:
        self.popularity, self.n_baskets = popularity.astype(np.float64), max(1, n_baskets)
        self.ranking = StaticRanking(self.popularity)

    def candidates(self, ctx: Context, k: int) -> list[Scored]:
        rows, _ = self.ranking.top(k, ctx.mask)
        return [self.entry(ctx.ids[row], int(row)) for row in rows]

    def entry(self, product_id: str, row: int) -> Scored:
        """The product at this catalogue row, scored by the baskets that hold it."""
        n = self.popularity[row]
        return Scored(product_id, float(n), partial(_popularity_evidence, int(n), float(n) / self.n_baskets))


def _popularity_evidence(n: int, share: float) -> Evidence:
    return Evidence("popularity", f"popular: in {n:,} baskets ({share:.1%} of all)", share)
