"""The shapes of a catalogue's product ids, learned from the ids themselves.

An id's shape writes each letter as "A" and each digit as "9" and keeps everything else:
"FUR-BO-10001798" is "AAA-AA-99999999", "85123A" is "99999A", a grocery id "1004906" is
"9999999". A token in an answer with the shape of the catalogue's ids, but no id a tool
returned, is an invented id, whatever scheme the retailer uses.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

# A candidate token: letters, digits and inner joiners, not part of a longer word or id
# ("EP-13915" is one token, never "13915" alone).
TOKEN = re.compile(r"(?<![\w-])[A-Za-z0-9](?:[A-Za-z0-9._/-]*[A-Za-z0-9])?(?![\w-])")
_LETTER = re.compile(r"[^\W\d_]")
_DIGIT = re.compile(r"\d")
# A shape must hold this share of the ids to count: the odd hand-made code ("POST") is
# caught as a known id, not by its shape, and must not make every short word suspect.
MIN_SHARE = 0.005


def shape(token: str) -> str:
    return _DIGIT.sub("9", _LETTER.sub("A", token))


@dataclass(frozen=True)
class IdShapes:
    shapes: frozenset[str]

    @classmethod
    def learn(cls, ids: Iterable[str]) -> IdShapes:
        counts = Counter(shape(str(i)) for i in ids)
        total = sum(counts.values())
        # A shape of letters only is a word, whatever the catalogue does ("BAG" as an id).
        keep = {s for s, n in counts.items() if n >= max(2, MIN_SHARE * total) and "9" in s}
        return cls(frozenset(keep))

    def matches(self, token: str) -> bool:
        return shape(token) in self.shapes

    def tokens(self, text: str) -> list[str]:
        """The tokens of `text` shaped like the catalogue's ids, once each, in order."""
        return list(dict.fromkeys(t for t in TOKEN.findall(text) if self.matches(t)))
