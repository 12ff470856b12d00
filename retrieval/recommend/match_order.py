""""Cheap office chairs", "your most popular mugs": the products that match every word, in
the order the shopper asked for.

A shopper who asks for cheap (or popular) things wants the low end (or the best sellers) of
what matches, not the cheapest (or best-selling) thing in the shop: only the products whose
titles hold the most of the question's words (as many as any candidate holds: "got any cheap
office chairs?" is "office" and "chairs") are reordered, by price or by the number of baskets
holding them; the rest keep their fused order after them, so a question no title matches is
answered as before.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..products import Catalogue
from .fusion import Fused
from .sources import Scored

MATCH_POOL = 4  # candidates fused per place asked for, so the cheap or popular end is in reach
CHEAPEST_NOTE = "cheapest first among the closest matches"
POPULAR_NOTE = "most popular first among the closest matches"


def _matched(f: Fused, words: Sequence[str]) -> int:
    matched = {w for _, scored in f.parts if scored.evidence.source == "semantic"
               for w in scored.evidence.matched_words}
    return sum(w in matched for w in words)


def best_matches(fused: list[Fused], words: Sequence[str]) -> list[Fused]:
    """The candidates holding the most of the question's words ([] when none holds any)."""
    counts = [_matched(f, words) for f in fused]
    best = max(counts, default=0)
    return [f for f, n in zip(fused, counts, strict=True) if n == best] if best else []


def best_matches_first(fused: list[Fused], words: Sequence[str], key: Callable[[Fused], tuple[float, ...]],
                       k: int, notes: list[str], note: str) -> list[Fused]:
    """The first k of `fused` with its best matches moved to the front in `key` order
    (stable: equal keys keep their fused order); `note` is added to `notes` when that
    changed anything."""
    ordered = sorted(best_matches(fused, words), key=key)
    if not ordered:
        return fused[:k]
    chosen = {f.product_id for f in ordered}
    out = (ordered + [f for f in fused if f.product_id not in chosen])[:k]
    if [f.product_id for f in out] != [f.product_id for f in fused[:k]]:
        notes.append(note)
    return out


def cheapest_first(fused: list[Fused], words: Sequence[str], catalogue: Catalogue, k: int,
                   notes: list[str]) -> list[Fused]:
    """The best matches cheapest first, unknown prices last."""
    def price(f: Fused) -> tuple[float, ...]:
        p = catalogue.get(f.product_id).price
        return (float(p is None), p if p is not None else 0.0)

    return best_matches_first(fused, words, price, k, notes, CHEAPEST_NOTE)


def popular_first(fused: list[Fused], words: Sequence[str], catalogue: Catalogue, k: int,
                  notes: list[str], popularity: Callable[[str], Scored]) -> list[Fused]:
    """The best matches in the most baskets first. What put each of them there is how many
    baskets hold it, so that evidence (`popularity`: a product's scored entry) leads theirs."""
    for f in best_matches(fused, words):
        if all(source != "popularity" for source, _ in f.parts):
            f.parts.append(("popularity", popularity(f.product_id)))
        f.role_source = "popularity"
    return best_matches_first(fused, words, lambda f: (-float(catalogue.get(f.product_id).popularity),), k,
                              notes, POPULAR_NOTE)
