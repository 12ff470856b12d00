""""Cheap office chairs": the products that match every word, cheapest first.

A shopper who asks for cheap things without a figure wants the low end of what matches, not
the cheapest thing in the shop: only the products whose titles hold the most of the question's
words (as many as any candidate holds: "got any cheap office chairs?" is "office" and
"chairs") are reordered by price, unknown prices last; the rest keep their fused order after
them, so a question no title matches is answered as before.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..products import Catalogue
from .fusion import Fused

CHEAP_POOL = 4  # candidates fused per place asked for, so the cheap end of the matches is in reach
NOTE = "cheapest first among the closest matches"


def _matched(f: Fused, words: Sequence[str]) -> int:
    matched = {w for _, scored in f.parts if scored.evidence.source == "semantic"
               for w in scored.evidence.matched_words}
    return sum(w in matched for w in words)


def cheapest_first(fused: list[Fused], words: Sequence[str], catalogue: Catalogue, k: int,
                   notes: list[str]) -> list[Fused]:
    """The first k of `fused` with its best matches moved to the front, cheapest first;
    the note is added to `notes` when that changed anything."""
    counts = [_matched(f, words) for f in fused]
    best = max(counts, default=0)
    if best == 0:
        return fused[:k]
    full = [f for f, n in zip(fused, counts, strict=True) if n == best]

    def price(f: Fused) -> tuple[bool, float]:
        p = catalogue.get(f.product_id).price
        return (p is None, p if p is not None else 0.0)

    ordered = sorted(full, key=price)  # stable: equal prices keep their fused order
    chosen = {f.product_id for f in ordered}
    out = (ordered + [f for f in fused if f.product_id not in chosen])[:k]
    if [f.product_id for f in out] != [f.product_id for f in fused[:k]]:
        notes.append(NOTE)
    return out
