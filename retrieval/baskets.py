"""Baskets (orders): what was bought together, by whom and when."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import pandas as pd

# The long "lines" frame: one row per (basket, product); quantities of repeated lines summed.
LINE_COLUMNS = ("basket_id", "customer_id", "timestamp", "product_id", "quantity")


@dataclass(frozen=True)
class BasketLine:
    product_id: str
    quantity: float = 1.0


@dataclass(frozen=True)
class Basket:
    basket_id: str
    lines: tuple[BasketLine, ...]
    customer_id: str | None = None
    timestamp: datetime | None = None

    @property
    def items(self) -> tuple[str, ...]:
        return tuple(line.product_id for line in self.lines)


class Baskets:
    """All baskets as one long frame of lines (columns LINE_COLUMNS), in basket order."""

    def __init__(self, lines: pd.DataFrame) -> None:
        missing = [c for c in LINE_COLUMNS if c not in lines.columns]
        if missing:
            raise ValueError(f"basket lines lack columns {missing}")
        self.lines = lines.reset_index(drop=True)

    def __len__(self) -> int:
        return int(self.lines["basket_id"].nunique())

    def __iter__(self) -> Iterator[Basket]:
        for basket_id, group in self.lines.groupby("basket_id", sort=False):
            yield _to_basket(str(basket_id), group)

    def item_lists(self) -> list[list[str]]:
        """Each basket as a list of distinct product ids (what rule mining reads)."""
        grouped = self.lines.groupby("basket_id", sort=False)["product_id"]
        return [list(dict.fromkeys(items.tolist())) for _, items in grouped]

    @property
    def customers(self) -> list[str]:
        return sorted(self.lines["customer_id"].dropna().unique().tolist())

    def history(self, customer_id: str) -> list[Basket]:
        """A customer's baskets, oldest first. Baskets without a customer id belong to nobody."""
        mine = self.lines[self.lines["customer_id"] == customer_id]
        if "timestamp" in mine and mine["timestamp"].notna().any():
            mine = mine.sort_values("timestamp", kind="stable")
        return [_to_basket(str(b), g) for b, g in mine.groupby("basket_id", sort=False)]

    def item_popularity(self) -> pd.Series:
        """Number of distinct baskets containing each product."""
        return self.lines.drop_duplicates(["basket_id", "product_id"])["product_id"].value_counts()


def _to_basket(basket_id: str, group: pd.DataFrame) -> Basket:
    first = group.iloc[0]
    customer = first["customer_id"]
    ts = first["timestamp"]
    return Basket(
        basket_id=basket_id,
        lines=tuple(
            BasketLine(str(p), float(q))
            for p, q in zip(group["product_id"], group["quantity"], strict=True)
        ),
        customer_id=None if pd.isna(customer) else str(customer),
        timestamp=None if pd.isna(ts) else pd.Timestamp(ts).to_pydatetime(),
    )
