"""Typed rule and itemset objects handed out at the edges of the rules package.

Inside the package rules travel as one pandas frame (columnar, vectorised, what the store
persists); `Rule` and `Itemset` are built from single rows when a caller asks for them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Rule frame columns, in order. Antecedents are tuples of item ids sorted as strings.
COUNT_COLUMNS = ("rule_count", "antecedent_count", "consequent_count")
MEASURE_COLUMNS = (
    "support",
    "confidence",
    "lift",
    "leverage",
    "conviction",
    "zhangs_metric",
    "antecedent_support",
    "consequent_support",
)
RULE_COLUMNS = ("antecedent", "consequent", *COUNT_COLUMNS, *MEASURE_COLUMNS)
ITEMSET_COLUMNS = ("items", "count", "support")


@dataclass(frozen=True)
class Itemset:
    items: tuple[str, ...]
    count: int  # baskets containing every item
    support: float  # count / n_baskets


@dataclass(frozen=True)
class Rule:
    """A -> c with the counts it was computed from, so an explanation can quote them.

    Conviction is ``math.inf`` when confidence is 1 (the consequent never misses); in
    Parquet it is stored as IEEE infinity and in JSON (`to_dict`) as ``None``, which is
    what JSON.stringify does with Infinity too.
    """

    antecedent: tuple[str, ...]
    consequent: str
    rule_count: int  # baskets with antecedent and consequent
    antecedent_count: int
    consequent_count: int
    n_baskets: int
    support: float
    confidence: float
    lift: float
    leverage: float
    conviction: float
    zhangs_metric: float
    antecedent_support: float
    consequent_support: float

    @classmethod
    def from_row(cls, row: Mapping[str, Any], n_baskets: int) -> Rule:
        # Any: the counts (int) and the measures (float) go in by their column names.
        figures: dict[str, Any] = {c: int(row[c]) for c in COUNT_COLUMNS}
        figures.update({m: float(row[m]) for m in MEASURE_COLUMNS})
        return cls(
            antecedent=tuple(row["antecedent"]),
            consequent=str(row["consequent"]),
            n_baskets=int(n_baskets),
            **figures,
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: infinite conviction becomes None."""
        out = {f: getattr(self, f) for f in self.__dataclass_fields__}
        out["antecedent"] = list(self.antecedent)
        if math.isinf(self.conviction):
            out["conviction"] = None
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Rule:
        """The inverse of `to_dict` (None conviction is infinity again); other keys are ignored."""
        values = {f: data[f] for f in cls.__dataclass_fields__}
        values["antecedent"] = tuple(values["antecedent"])
        if values["conviction"] is None:
            values["conviction"] = math.inf
        return cls(**values)

    def describe(self, titles: Mapping[str, str] | None = None) -> str:
        """One sentence an assistant can quote, e.g. for a "why this?" answer."""

        def name(item: str) -> str:
            return titles.get(item, item) if titles else item

        body = " + ".join(name(i) for i in self.antecedent)
        return (
            f"{self.rule_count} of the {self.antecedent_count} baskets with {body} also had "
            f"{name(self.consequent)} (confidence {self.confidence:.0%}, lift {self.lift:.1f}, "
            f"in {self.support:.2%} of {self.n_baskets} baskets)"
        )
