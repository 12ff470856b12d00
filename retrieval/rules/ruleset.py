"""`RuleSet`: the result of one mining run, and how every engine's raw output becomes one.

Engines only count; `build_ruleset` applies the confidence and lift thresholds with the
same float comparisons for all of them, computes the measures and sorts, so results from
different engines are equal row for row.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ConfigError
from .measures import rule_measures
from .model import MEASURE_COLUMNS, RULE_COLUMNS, Rule
from .params import MiningParams

log = logging.getLogger(__name__)

# The canonical order: strongest first; the last keys only make ties deterministic.
SORT_KEYS = ("confidence", "lift", "rule_count")
SORTABLE = (*MEASURE_COLUMNS, "rule_count", "antecedent_count", "consequent_count")


@dataclass
class RuleSet:
    """Frequent itemsets and single-consequent rules (frames with ITEMSET/RULE_COLUMNS)."""

    rules: pd.DataFrame
    itemsets: pd.DataFrame
    n_baskets: int
    min_count: int  # the absolute support threshold actually used
    params: MiningParams
    engine: str

    def __len__(self) -> int:
        return len(self.rules)

    def __iter__(self) -> Iterator[Rule]:
        for row in self.rules.to_dict("records"):
            yield Rule.from_row(row, self.n_baskets)

    def rule(self, i: int) -> Rule:
        return Rule.from_row(self.rules.iloc[i], self.n_baskets)

    def top(self, n: int = 10, by: str = "confidence") -> list[Rule]:
        frame = sort_rules(self.rules, by).head(n)
        return [Rule.from_row(r, self.n_baskets) for r in frame.to_dict("records")]

    def involving(self, items: Iterable[str]) -> RuleSet:
        """Only the rules that mention any of `items`, in antecedent or consequent."""
        wanted = set(items)
        mask = self.rules["consequent"].isin(wanted) | self.rules["antecedent"].map(
            lambda a: not wanted.isdisjoint(a)
        )
        return RuleSet(self.rules[mask].reset_index(drop=True), self.itemsets,
                       self.n_baskets, self.min_count, self.params, self.engine)


def sort_rules(rules: pd.DataFrame, by: str = "confidence") -> pd.DataFrame:
    if by not in SORTABLE:
        raise ConfigError(f"cannot sort rules by {by!r}; choose one of {', '.join(SORTABLE)}")
    keys = [by, *(k for k in SORT_KEYS if k != by)]
    tie = rules["antecedent"].map("\x1f".join) + "\x1e" + rules["consequent"]
    order = np.lexsort((tie.to_numpy(dtype=object), *(-rules[k].to_numpy() for k in reversed(keys))))
    return rules.iloc[order].reset_index(drop=True)


def itemsets_frame(sets: Sequence[tuple[str, ...]], counts: Sequence[int], n_baskets: int) -> pd.DataFrame:
    count = np.asarray(counts, dtype=np.int64)
    frame = pd.DataFrame({"items": list(sets), "count": count, "support": count / float(n_baskets)})
    # Canonical order (count desc, then items) so two engines' frames compare with ==.
    key = frame["items"].map("\x1f".join).to_numpy(dtype=object)
    return frame.iloc[np.lexsort((key, frame["items"].map(len).to_numpy(), -count))].reset_index(drop=True)


def build_ruleset(
    antecedents: Sequence[tuple[str, ...]],
    consequents: Sequence[str],
    rule_count: Sequence[int],
    antecedent_count: Sequence[int],
    consequent_count: Sequence[int],
    itemsets: pd.DataFrame,
    *,
    n_baskets: int,
    min_count: int,
    params: MiningParams,
    engine: str,
) -> RuleSet:
    """Threshold, measure and sort raw rules. Antecedents must be sorted tuples."""
    frame = rule_measures(
        np.asarray(rule_count, dtype=np.int64),
        np.asarray(antecedent_count, dtype=np.int64),
        np.asarray(consequent_count, dtype=np.int64),
        n_baskets,
    )
    frame.insert(0, "antecedent", pd.Series(list(antecedents), dtype=object))
    frame.insert(1, "consequent", pd.Series(list(consequents), dtype=object))
    keep = (frame["confidence"].to_numpy() >= params.min_confidence) & (
        frame["lift"].to_numpy() >= params.min_lift
    )
    rules = sort_rules(frame[keep].reset_index(drop=True)[list(RULE_COLUMNS)])
    log.debug("%s: %d itemsets, %d of %d rules kept", engine, len(itemsets), len(rules), len(frame))
    return RuleSet(rules, itemsets, n_baskets, min_count, params, engine)
