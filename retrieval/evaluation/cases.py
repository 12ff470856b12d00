"""The cases an evaluation asks about: which split, and per mode the histories, targets and exclusions.

Its own module so the runner and the weight tuning share it without one importing the other
(the runner imports the registry, whose hybrid factories import the tuning).
"""

from __future__ import annotations

from collections.abc import Collection

from ..dataset import Dataset
from ..errors import ConfigError
from .results import MODES
from .split import (
    DEFAULT_MONTHS,
    EvalCase,
    History,
    Split,
    rolling_splits,
    temporal_split,
    validation_split,
)

SPLITS = ("test", "validation")


def mode_cases(
    split: Split, mode: str
) -> tuple[list[History], list[tuple[str, ...]], list[Collection[str]]]:
    """Histories, targets and exclusions for `mode` (customers with no target dropped)."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    cases: list[EvalCase] = split.cases
    if mode == "all":
        return [c.history for c in cases], [c.target for c in cases], [frozenset()] * len(cases)
    kept = [c for c in cases if c.new_target]
    return (
        [c.history for c in kept],
        [c.new_target for c in kept],
        [c.history.item_set for c in kept],
    )


def make_split(dataset: Dataset, which: str = "test", months: int = DEFAULT_MONTHS) -> Split:
    """The test split, or the validation split (test period removed, same protocol)."""
    if which == "test":
        return temporal_split(dataset.baskets, months)
    if which == "validation":
        return validation_split(dataset.baskets, months)
    raise ValueError(f"split must be one of {SPLITS}, not {which!r}")


def make_splits(
    dataset: Dataset, which: str = "test", months: int = DEFAULT_MONTHS, cuts: int = 1
) -> list[Split]:
    """`make_split`'s split, or the test split at `cuts` cuts a month apart (latest first)."""
    if cuts < 1:
        raise ConfigError(f"cuts must be 1 or more, not {cuts}")
    if cuts == 1:
        return [make_split(dataset, which, months)]
    if which != "test":
        raise ConfigError(f"several cuts apply to the test split only, not the {which} split")
    return rolling_splits(dataset.baskets, months, cuts)
