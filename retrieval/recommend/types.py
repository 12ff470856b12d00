"""What retrieval hands out: candidates with the evidence that put them there."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

from ..errors import ConfigError
from ..products import Product

Role = Literal["match", "buy again", "add-on", "alternative", "for you", "popular"]
Source = Literal["semantic", "repeat", "rules", "copurchase", "neighbours", "profile", "popularity",
                 "tifu", "ease", "graph", "factors", "trending", "filter"]


@dataclass(frozen=True)
class Evidence:
    """One reason a candidate is in the list, with the numbers an explanation may quote.

    `text` is a plain-words sentence; the other fields are the raw figures behind it, so an
    answer can be checked against them.
    """

    source: Source
    text: str
    score: float = 0.0
    rule: dict[str, Any] | None = None  # the rule's measures and counts (Rule.to_dict())
    similarity: float | None = None
    related_to: str | None = None  # the history / mentioned item this is similar to or goes with
    matched_words: tuple[str, ...] = ()
    times_bought: int | None = None


@dataclass
class Candidate:
    product: Product
    score: float
    role: Role
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def product_id(self) -> str:
        return self.product.product_id


@dataclass(frozen=True)
class Filters:
    """Hard constraints on what may be shown. Prices are inclusive bounds in the catalogue's currency."""

    min_price: float | None = None
    max_price: float | None = None
    categories: tuple[str, ...] = ()
    exclude_owned: bool = False
    exclude: tuple[str, ...] = ()
    restrict: tuple[str, ...] = ()  # if non-empty, only these ids may be shown

    def __post_init__(self) -> None:
        for name in ("min_price", "max_price"):
            value = getattr(self, name)
            if value is not None and not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
                raise ConfigError(f"{name} must be a number >= 0, got {value!r}.")


@dataclass
class Recommendations:
    """The answer to one `recommend` call."""

    candidates: list[Candidate]
    filters: Filters
    relaxed: list[str] = field(default_factory=list)  # what was loosened to reach k, in order
    notes: list[str] = field(default_factory=list)

    def __iter__(self):
        return iter(self.candidates)

    def __len__(self) -> int:
        return len(self.candidates)

    @property
    def ids(self) -> list[str]:
        return [c.product_id for c in self.candidates]
