"""Filters as a boolean mask over the catalogue, and how to loosen them step by step."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Protocol

import numpy as np

from ..money import Money
from .types import Filters


class FilterableCatalogue(Protocol):
    """The catalogue columns a mask is built from (the retriever holds them, row-aligned).

    A protocol, not the retriever itself, so this module does not depend on the retriever
    that depends on it.
    """

    # Read-only members, so that the retriever's list and dict satisfy the wider types.
    @property
    def ids(self) -> Sequence[str]: ...
    @property
    def position(self) -> Mapping[str, int]: ...
    @property
    def prices(self) -> np.ndarray: ...  # float, NaN where unknown
    @property
    def categories(self) -> np.ndarray: ...  # lower-case names, "" where unknown


def allowed_mask(r: FilterableCatalogue, f: Filters, owned: set[str]) -> np.ndarray:
    mask = np.ones(len(r.ids), dtype=bool)
    prices = r.prices
    if f.min_price is not None:
        mask &= np.nan_to_num(prices, nan=-1.0) >= f.min_price - 1e-9
    if f.max_price is not None:
        mask &= np.nan_to_num(prices, nan=np.inf) <= f.max_price + 1e-9
    if f.categories:
        mask &= np.isin(r.categories, [c.lower() for c in f.categories])
    blocked = set(f.exclude) | (owned if f.exclude_owned else set())
    for pid in blocked:
        at = r.position.get(pid)
        if at is not None:
            mask[at] = False
    if f.restrict:
        keep = np.zeros_like(mask)
        for pid in f.restrict:
            at = r.position.get(pid)
            if at is not None:
                keep[at] = True
        mask &= keep
    return mask


def relaxation_steps(f: Filters, money: Money | None = None) -> Iterator[tuple[str, Filters]]:
    """Ever looser versions of `f`: categories first, then the price range widened, then dropped.

    Exclusions (owned, already shown, restrict) are never relaxed: they are promises.
    The steps are told in the shop's currency (`money`).
    """
    money = money or Money()
    if f.categories:
        f = replace(f, categories=())
        yield "dropped the category filter", f
    for widen in (1.25, 1.5, 2.0):
        if f.min_price is None and f.max_price is None:
            break
        lo = None if f.min_price is None else round(f.min_price / widen, 2)
        hi = None if f.max_price is None else round(f.max_price * widen, 2)
        yield f"widened the price range to {_range(lo, hi, money)}", replace(f, min_price=lo, max_price=hi)
    if f.min_price is not None or f.max_price is not None:
        yield "dropped the price limit", replace(f, min_price=None, max_price=None)


def _range(lo: float | None, hi: float | None, money: Money) -> str:
    if lo is not None and hi is not None:
        return f"{money.limit(lo)}-{money.limit(hi)}"
    if hi is not None:
        return f"up to {money.limit(hi)}"
    assert lo is not None  # relaxation_steps words a range only when it has an end
    return f"from {money.limit(lo)}"
