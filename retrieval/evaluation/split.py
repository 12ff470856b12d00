"""The temporal hold-out split every offline figure is computed on.

The protocol is fixed so that figures compare across runs and across recommenders:

- A basket's time is the earliest timestamp among its lines (a few Online Retail invoices
  span two timestamps a minute apart; a basket must fall wholly on one side of the cut).
- ``cut = last.normalize() - pd.DateOffset(months=months)``: midnight of the last basket's
  day minus `months` calendar months (default 3). On the bundled Online Retail data the last
  basket is 2011-12-09 12:50, so the cut is 2011-09-09 00:00.
- train = every basket strictly before the cut, with or without a customer id (anonymous
  baskets still teach popularity and co-occurrence).
- test customers = customers with at least one basket before the cut and one at or after it.
- target = the distinct items of the customer's first basket at or after the cut (earliest
  basket time; ties broken by basket id), in basket line order.
- history = the customer's baskets before the cut, oldest first.
- new target = target minus every item in the history (used by the "new" evaluation mode).

The validation split is the same protocol applied to the train part only, so it never
touches the test period: ``cut_val = midnight of (last train basket's day - months)``.

Rolling origin (``rolling_splits(..., cuts=n)``): the same protocol at n cuts a calendar month
apart, the latest first (``earlier=i`` moves the cut i months back: the train part ends there and
each customer's target is their next basket after it). One cut's ~2,000 customers leave a
ratio of two recommenders uncertain by several percent; the customers of several cuts pooled
narrow that (a customer appears once per cut, and the bootstrap in ``compare.py`` resamples
customers, not customer-cut pairs, since one shopper's cuts are not independent).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

import numpy as np
import pandas as pd

from ..baskets import Basket, BasketLine, Baskets
from ..errors import DataError

log = logging.getLogger(__name__)

DEFAULT_MONTHS = 3


@dataclass(frozen=True, eq=False)
class History:
    """One customer's baskets before the cut, oldest first, with the summaries rankers read."""

    customer_id: str
    baskets: tuple[Basket, ...]

    @cached_property
    def counts(self) -> dict[str, int]:
        """Item -> number of the customer's baskets containing it."""
        out: dict[str, int] = {}
        for basket in self.baskets:
            for item in dict.fromkeys(basket.items):
                out[item] = out.get(item, 0) + 1
        return out

    @cached_property
    def last_seen(self) -> dict[str, datetime]:
        """Item -> time of the latest basket containing it."""
        out: dict[str, datetime] = {}
        for basket in self.baskets:
            for item in basket.items:
                assert basket.timestamp is not None  # a split's baskets are all dated (_checked_lines)
                out[item] = basket.timestamp
        return out

    @cached_property
    def items(self) -> tuple[str, ...]:
        """Distinct items, most recently bought first (within a basket: line order)."""
        seen: dict[str, None] = {}
        for basket in reversed(self.baskets):
            for item in basket.items:
                seen.setdefault(item, None)
        return tuple(seen)

    @cached_property
    def item_set(self) -> frozenset[str]:
        return frozenset(self.counts)

    @property
    def end(self) -> datetime | None:
        """Time of the latest basket in the history."""
        return self.baskets[-1].timestamp if self.baskets else None


@dataclass(frozen=True, eq=False)
class EvalCase:
    """One test customer: what they had bought before the cut and what they bought next."""

    history: History
    target: tuple[str, ...]

    @property
    def customer_id(self) -> str:
        return self.history.customer_id

    @cached_property
    def new_target(self) -> tuple[str, ...]:
        """Target items the customer had never bought before the cut."""
        seen = self.history.item_set
        return tuple(item for item in self.target if item not in seen)


@dataclass
class Split:
    """A train part, a cut and the test cases after it."""

    name: str
    cut: pd.Timestamp
    months: int
    train: Baskets
    cases: list[EvalCase] = field(default_factory=list)

    def summary(self) -> dict[str, object]:
        return {
            "name": self.name,
            "cut": self.cut.isoformat(),
            "months": self.months,
            "train_baskets": len(self.train),
            "train_lines": len(self.train.lines),
            "test_customers": len(self.cases),
            "test_customers_with_new_items": sum(1 for c in self.cases if c.new_target),
        }


def basket_times(lines: pd.DataFrame) -> pd.Series:
    """Each line's basket time (the earliest timestamp of its basket), aligned to `lines`."""
    return lines.groupby("basket_id", sort=False)["timestamp"].transform("min")


def cut_for(baskets: Baskets, months: int = DEFAULT_MONTHS) -> pd.Timestamp:
    """Midnight of (the last basket's day minus `months` calendar months)."""
    lines = _checked_lines(baskets)
    last = pd.Timestamp(basket_times(lines).max())
    return last.normalize() - pd.DateOffset(months=months)


def temporal_split(
    baskets: Baskets, months: int = DEFAULT_MONTHS, *, name: str = "test", earlier: int = 0
) -> Split:
    """Split `baskets` by the protocol in this module's docstring, the cut `earlier` months
    before the usual one."""
    if earlier < 0:
        raise ValueError(f"earlier must be 0 or more months, got {earlier}")
    lines = _checked_lines(baskets)
    times = basket_times(lines)
    cut = pd.Timestamp(times.max()).normalize() - pd.DateOffset(months=months + earlier)
    before = (times < cut).to_numpy()
    known = lines["customer_id"].notna().to_numpy()

    train = Baskets(lines[before])
    past = lines[before & known]
    future = lines[~before & known].assign(_t=times[~before & known])

    future_baskets = future.drop_duplicates("basket_id")[["basket_id", "customer_id", "_t"]]
    future_baskets = future_baskets[future_baskets["customer_id"].isin(set(past["customer_id"]))]
    first = future_baskets.sort_values(["customer_id", "_t", "basket_id"], kind="stable")
    first = first.drop_duplicates("customer_id")
    target_lines = future[future["basket_id"].isin(set(first["basket_id"]))]
    targets = {
        str(customer): tuple(dict.fromkeys(str(p) for p in group["product_id"]))
        for customer, group in target_lines.groupby("customer_id", sort=True)
    }
    history_lines = past[past["customer_id"].isin(set(targets))]
    histories = _histories(history_lines, times[before & known].loc[history_lines.index])
    cases = [EvalCase(histories[c], targets[c]) for c in sorted(targets)]
    split = Split(name=name, cut=cut, months=months, train=train, cases=cases)
    log.info(
        "%s split: cut %s, %d train baskets, %d test customers",
        name,
        cut.date(),
        len(train),
        len(cases),
    )
    return split


def rolling_splits(baskets: Baskets, months: int = DEFAULT_MONTHS, cuts: int = 1) -> list[Split]:
    """The test split at `cuts` cuts a month apart, the latest (the usual test split) first."""
    if cuts < 1:
        raise ValueError(f"cuts must be 1 or more, got {cuts}")
    splits = [temporal_split(baskets, months, name="test" if i == 0 else f"test-{i}m", earlier=i)
              for i in range(cuts)]
    for i, split in enumerate(splits[1:], start=1):
        if not split.cases:
            # Pooling a cut with nothing to test (or nothing before it) would pass silently.
            raise DataError(
                f"the cut {split.cut.date()} ({i} month{'s' if i > 1 else ''} before the usual one) "
                f"has {'no baskets before it' if not len(split.train) else 'no test customers'}; "
                f"use at most {i} cut{'s' if i > 1 else ''} on these baskets"
            )
    return splits


def validation_split(baskets: Baskets, months: int = DEFAULT_MONTHS) -> Split:
    """The same protocol shifted earlier: applied to the test split's train part only."""
    train = temporal_split(baskets, months, name="test").train
    return temporal_split(train, months, name="validation")


def _checked_lines(baskets: Baskets) -> pd.DataFrame:
    lines = baskets.lines
    if lines.empty:
        raise DataError("no baskets to split")
    if lines["timestamp"].isna().any():
        raise DataError(
            "some baskets have no timestamp; a temporal split needs one on every basket"
        )
    return lines


def _histories(lines: pd.DataFrame, times: pd.Series) -> dict[str, History]:
    """Build every customer's History in one pass over sorted arrays (groupby is slow here)."""
    if lines.empty:
        return {}
    frame = lines.assign(_t=times).sort_values(["customer_id", "_t", "basket_id"], kind="stable")
    customers = frame["customer_id"].astype(str).to_numpy()
    basket_ids = frame["basket_id"].astype(str).to_numpy()
    stamps = frame["_t"].to_numpy()
    products = frame["product_id"].astype(str).to_numpy()
    quantities = frame["quantity"].astype(float).to_numpy()

    # A new basket starts wherever the basket id changes in the sorted frame.
    starts = np.flatnonzero(np.r_[True, basket_ids[1:] != basket_ids[:-1]])
    ends = np.r_[starts[1:], len(frame)]
    per_customer: dict[str, list[Basket]] = {}
    for s, e in zip(starts, ends, strict=True):
        basket = Basket(
            basket_id=basket_ids[s],
            lines=tuple(
                BasketLine(p, q) for p, q in zip(products[s:e], quantities[s:e], strict=True)
            ),
            customer_id=customers[s],
            timestamp=pd.Timestamp(stamps[s]).to_pydatetime(),
        )
        per_customer.setdefault(customers[s], []).append(basket)
    return {c: History(c, tuple(bs)) for c, bs in per_customer.items()}
