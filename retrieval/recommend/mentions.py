"""Resolving a product mention ("the white heart t-light holder") to a catalogue id.

Fuzzy title matching finds the spelling; the encoder, when given, breaks ties on meaning.
The answer carries a confidence and the runner-up, so a caller can ask "which one?" when
the two are close.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process, utils

AMBIGUITY_MARGIN = 0.05
_ARTICLES = frozenset({"the", "a", "an", "my", "this", "that", "some"})


def _coverage(words: list[str], title: str) -> float:
    """Share of the phrase's words that appear in the title (a word may be a prefix: "cake" ~ "cakes")."""
    if not words:
        return 0.0
    title_words = title.split()
    hit = sum(1 for w in words if any(t.startswith(w) or w.startswith(t) for t in title_words if len(t) > 1))
    return hit / len(words)


@dataclass(frozen=True)
class Resolved:
    phrase: str
    product_id: str
    title: str
    confidence: float  # 0..1
    runner_up: tuple[str, str, float] | None = None  # (id, title, confidence)

    @property
    def ambiguous(self) -> bool:
        return self.runner_up is not None and self.confidence - self.runner_up[2] < AMBIGUITY_MARGIN


class MentionResolver:
    def __init__(
        self,
        ids: list[str],
        titles: list[str],
        vectors: np.ndarray | None = None,
        encode_query: Callable[[str], np.ndarray] | None = None,
        shortlist: int = 20,
        popularity: np.ndarray | None = None,
    ) -> None:
        self.popularity = popularity
        self.ids, self.titles = ids, titles
        self.vectors, self.encode_query, self.shortlist = vectors, encode_query, shortlist
        self._choices = [utils.default_process(t) for t in titles]

    def resolve(self, phrase: str, min_confidence: float = 0.5) -> Resolved | None:
        """Best catalogue match for `phrase`, or None if nothing is close enough."""
        query = utils.default_process(phrase)
        if not query:
            return None
        if phrase.strip().upper() in self._id_set:
            pid = phrase.strip().upper()
            return Resolved(phrase, pid, self.titles[self.ids.index(pid)], 1.0)
        words = [w for w in query.split() if w not in _ARTICLES]
        query = " ".join(words) or query
        # Two shortlists: WRatio saturates on a long title sharing one word ("logitech ...
        # mouse" scores 85.5 for two dozen Logitech titles), so the titles holding every word
        # ("logitech m325 mouse" in "logitech 910-002974 m325 wireless mouse ...") are added
        # by token_set_ratio, which is 100 when the phrase's words are a subset of the title's.
        rows_seen: dict[int, None] = {}
        for scorer in (fuzz.WRatio, fuzz.token_set_ratio):
            for _, _, row in process.extract(query, self._choices, scorer=scorer,
                                             limit=self.shortlist, processor=None):
                rows_seen.setdefault(row, None)
        if not rows_seen:
            return None
        rows = np.array(list(rows_seen))
        fuzzy = np.array([fuzz.WRatio(query, self._choices[r]) for r in rows], dtype=np.float64) / 100.0
        # token_sort rewards matching the whole title, not just a word inside it; coverage
        # rewards titles holding every word the shopper said ("white heart t-light holder"
        # is WHITE HANGING HEART T-LIGHT HOLDER, not HEART T-LIGHT HOLDER).
        whole = np.array([fuzz.token_sort_ratio(query, self._choices[r]) for r in rows]) / 100.0
        coverage = np.array([_coverage(words, self._choices[r]) for r in rows])
        score = 0.4 * coverage + 0.3 * fuzzy + 0.3 * whole
        if self.vectors is not None and self.encode_query is not None:
            semantic = self.vectors[rows] @ self.encode_query(phrase)
            score = 0.7 * score + 0.3 * np.clip(semantic, 0, 1)
        tiebreak = self.popularity[rows] if self.popularity is not None else rows
        order = np.lexsort((rows, -tiebreak, -np.round(score, 6)))
        best = order[0]
        if score[best] < min_confidence:
            return None
        runner = None
        if len(order) > 1:
            r = order[1]
            runner = (self.ids[rows[r]], self.titles[rows[r]], round(float(score[r]), 4))
        return Resolved(phrase, self.ids[rows[best]], self.titles[rows[best]], round(float(score[best]), 4), runner)

    @property
    def _id_set(self) -> set[str]:
        if not hasattr(self, "_ids_cache"):
            self._ids_cache = set(self.ids)
        return self._ids_cache
