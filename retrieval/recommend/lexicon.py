"""Which titles hold a question's words, weighted by how rare each word is.

Cosine similarity alone ranks "RED RETROSPOT SHOPPER BAG" next to the lunch bags for "red
lunch bags": the vector knows the colour and the bag, not that "lunch" is the word that
decides. Adding the IDF-weighted share of the question's words that a title holds puts
products that are what the shopper named first, while meaning still orders the rest.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

LEXICAL_WEIGHT = 0.25  # a title holding every word gains this much cosine similarity


def _stem(word: str) -> str:
    return word.rstrip("s")


_WORD = re.compile(r"[a-z0-9]+")


def title_words(title: str) -> set[str]:
    return {_stem(w) for w in _WORD.findall(title.lower())}


class Lexicon:
    """Per-word title masks over one catalogue order, built on first use."""

    def __init__(self, titles: Sequence[str]) -> None:
        self._words = [title_words(t) for t in titles]
        counts = Counter(w for words in self._words for w in words)
        n = max(1, len(titles))
        self._idf = {w: math.log(1 + n / c) for w, c in counts.items()}
        self._masks: dict[str, np.ndarray] = {}

    def mask(self, word: str) -> np.ndarray:
        stem = _stem(word)
        if stem not in self._masks:
            if len(self._masks) > 10_000:
                self._masks.clear()
            self._masks[stem] = np.fromiter((stem in ws for ws in self._words), dtype=bool, count=len(self._words))
        return self._masks[stem]

    def coverage(self, words: Sequence[str]) -> np.ndarray | None:
        """Per product, the IDF-weighted share of `words` its title holds (None: no words)."""
        stems = list(dict.fromkeys(_stem(w) for w in words))
        if not stems:
            return None
        # A word no title holds weighs as the rarest: asking for it and not finding it counts.
        top = max(self._idf.values(), default=1.0)
        weights = np.array([self._idf.get(s, top) for s in stems])
        hits = np.zeros(len(self._words))
        for s, w in zip(stems, weights, strict=True):
            hits += w * self.mask(s)
        return hits / weights.sum()
