"""What to mine: thresholds and item filters, validated once, shared by every engine.

Minimum support is either a fraction of the baskets in (0, 1] or an absolute count (an
``int`` >= 1). A fraction becomes a count as ``ceil(fraction * n_baskets)`` and an itemset
is frequent iff its basket count is >= that count. Every engine (and every comparison with
another library) is driven by this one integer, so fractions never get compared as floats
across libraries; see `support_fraction_for` for how the count is handed to tools that
only take a fraction (Spark, mlxtend).
"""

from __future__ import annotations

import argparse
import logging
import math
import numbers
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from ..errors import ConfigError

# Defaults chosen for the bundled Online Retail data (19.8k invoices over 3.8k products),
# measured with these settings: 0.005 (99 invoices) gives 17k frequent itemsets and 30k
# rules, with 736 distinct products as antecedents, in ~0.5 s; 0.01 gives 2.2k rules over
# only 256 products, too few to serve a shop; 0.003 gives 380k rules (wholesale invoices
# are long: 26 lines on average) for 1.2k products, mostly near-duplicate variants.
# Confidence 0.2: most products sit in < 2 % of invoices, so 20 % co-purchase is already a
# 10x lift; lower values add "popular item" rules an assistant should not quote. max_len 4
# (antecedents of up to 3 items) drops 2.3k long rules that rarely fire on a real basket.
DEFAULT_MIN_SUPPORT = 0.005
DEFAULT_MIN_CONFIDENCE = 0.2
DEFAULT_MIN_LIFT = 1.0
DEFAULT_MAX_LEN = 4


log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MiningParams:
    """Thresholds for frequent itemsets and single-consequent rules.

    min_support: fraction of baskets in (0, 1] (a ``float``) or absolute basket count (an
        ``int`` >= 1). ``1.0`` is the fraction "every basket"; ``1`` is the count "one basket".
    min_confidence: in [0, 1]; a rule A -> c is kept iff count(A ∪ c) / count(A) >= it.
    min_lift: >= 0; rules with lift below it are dropped (1.0 keeps only positive association).
    max_len: the longest itemset mined (so antecedents have at most max_len - 1 items);
        ``None`` means no limit.
    include: if non-empty, only these items take part in mining (others are removed from
        every basket before mining; the basket count n is unchanged, so supports stay
        relative to all baskets).
    exclude: items removed from every basket before mining (e.g. postage, carrier bags).
    """

    min_support: float | int = DEFAULT_MIN_SUPPORT
    min_confidence: float = DEFAULT_MIN_CONFIDENCE
    min_lift: float = DEFAULT_MIN_LIFT
    max_len: int | None = DEFAULT_MAX_LEN
    include: frozenset[str] = field(default_factory=frozenset)
    exclude: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        # Normalise item filters to frozensets of str so params hash and compare by value.
        object.__setattr__(self, "include", _itemset(self.include, "include"))
        object.__setattr__(self, "exclude", _itemset(self.exclude, "exclude"))
        _check_support(self.min_support)
        _check_number(self.min_confidence, "min_confidence", 0.0, 1.0)
        _check_number(self.min_lift, "min_lift", 0.0, math.inf)
        if self.max_len is not None and (
            isinstance(self.max_len, bool)
            or not isinstance(self.max_len, numbers.Integral)
            or self.max_len < 1
        ):
            raise ConfigError(f"max_len must be an integer >= 1 or None, got {self.max_len!r}")
        if self.include & self.exclude:
            both = sorted(self.include & self.exclude)[:5]
            raise ConfigError(f"items both included and excluded: {both}")

    def min_count(self, n_baskets: int) -> int:
        """The absolute threshold: an itemset is frequent iff it occurs in >= this many baskets."""
        if isinstance(self.min_support, numbers.Integral):
            return int(self.min_support)
        # A tiny tolerance so 0.07 * 100 = 7.000000000000001 gives 7, not 8.
        return max(1, math.ceil(self.min_support * n_baskets - 1e-9))

    def warn_if_every_basket_counts(self, n_baskets: int) -> None:
        """Log when a fraction of few baskets comes to one basket: every co-occurrence is then
        a rule (120 baskets at 0.005 gave 8.9 million rules in a minute), none of them evidence."""
        if not isinstance(self.min_support, numbers.Integral) and self.min_count(n_baskets) == 1 and n_baskets > 1:
            log.warning("min_support %g of %d baskets is a single basket: every pair bought together once "
                        "becomes a rule. Give a count instead (--min-support 2 or more).", self.min_support, n_baskets)

    def allows(self, item: str) -> bool:
        if item in self.exclude:
            return False
        return not self.include or item in self.include

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form (stored in the rule store's meta)."""
        out = asdict(self)
        out["include"] = sorted(self.include)
        out["exclude"] = sorted(self.exclude)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MiningParams:
        return cls(**{**data, "include": frozenset(data.get("include", ())),
                      "exclude": frozenset(data.get("exclude", ()))})


SUPPORT_FRACTION = "a fraction of the baskets in (0, 1] written with a decimal point or as a/b (0.005, 1.0, 1/200)"
SUPPORT_COUNT = "a basket count written as a whole number >= 1 (99)"
_WHOLE = re.compile(r"\+?\d+")
_RATIO = re.compile(r"(\d+)/(\d+)")


def parse_min_support(text: str) -> float | int:
    """A command-line --min-support: the spelling decides, as MiningParams' int/float does.

    "99" and "1" are basket counts (``int``); "0.005", "1.0" and "1/200" are fractions
    (``float``), so "1.0" is every basket and "1" is one basket in every command. Anything
    else (0, -1, 1.5, 0.0, abc) raises ArgumentTypeError, which argparse prints under the
    flag's name, with both accepted forms.
    """
    value = _support_value(text.strip())
    if value is None:
        raise argparse.ArgumentTypeError(f"{text!r} is neither {SUPPORT_FRACTION} nor {SUPPORT_COUNT}")
    return value


def _support_value(text: str) -> float | int | None:
    if _WHOLE.fullmatch(text):
        count = int(text)
        return count if count >= 1 else None
    ratio = _RATIO.fullmatch(text)
    if ratio:
        numerator, denominator = (int(g) for g in ratio.groups())
        fraction = numerator / denominator if denominator else math.nan
    else:
        try:
            fraction = float(text)
        except ValueError:
            return None
    # nan and inf fail this comparison too.
    return fraction if 0.0 < fraction <= 1.0 else None


def support_fraction_for(min_count: int, n_baskets: int) -> float:
    """A fraction that makes fraction-only tools use exactly `min_count`.

    Spark (``ceil(minSupport * n)``) and mlxtend (``ceil(min_support * n)`` and
    ``count / n >= min_support``) both land on `min_count` for ``(min_count - 0.5) / n``:
    it sits half a basket below the threshold, far from any float rounding, and above
    ``(min_count - 1) / n``.
    """
    return (min_count - 0.5) / n_baskets


def _check_support(value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ConfigError(f"min_support must be a number, got {value!r}")
    # Compared as int / float: `numbers.Real` itself declares no ordering to check against.
    if isinstance(value, numbers.Integral):
        if int(value) < 1:
            raise ConfigError(
                f"min_support as a basket count must be >= 1, got {value}"
                " (use a float such as 0.01 for a fraction of the baskets)"
            )
        return
    if not math.isfinite(value) or not 0.0 < float(value) <= 1.0:
        raise ConfigError(f"min_support as a fraction must lie in (0, 1], got {value}")


def _check_number(value: object, name: str, low: float, high: float) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or math.isnan(value):
        raise ConfigError(f"{name} must be a number, got {value!r}")
    if not low <= float(value) <= high:
        raise ConfigError(f"{name} must lie in [{low:g}, {high:g}], got {value}")


def _itemset(items: Iterable[str] | str, name: str) -> frozenset[str]:
    if isinstance(items, str):
        # A lone string would otherwise become a set of its characters.
        raise ConfigError(f"{name} must be a collection of item ids, not the string {items!r}")
    return frozenset(str(i) for i in items)
