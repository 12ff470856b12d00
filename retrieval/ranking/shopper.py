"""One shopper's purchase rhythm as of a moment: how often and how lately they buy each item.

Built from the shopper's dated baskets before `now` (later ones are ignored, so a feature
can never read the basket it is asked to predict).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pandas as pd

from ..baskets import Basket

DAY = 86400.0


@dataclass
class ItemRhythm:
    """One item in one shopper's history."""

    baskets: int  # how many of the shopper's baskets hold it
    last: int  # index of the latest basket holding it (0 = first basket)
    first_time: float  # epoch seconds of the first and latest basket holding it
    last_time: float


@dataclass
class ShopperView:
    now: float  # epoch seconds
    baskets: int
    basket_size: float
    interval_days: float  # mean days between the shopper's baskets (NaN with one basket)
    days_since_basket: float
    repeat_share: float  # share of the shopper's distinct items bought in two or more baskets
    items: dict[str, ItemRhythm] = field(default_factory=dict)
    recent: list[str] = field(default_factory=list)  # distinct items, newest first

    @classmethod
    def of(cls, baskets: Sequence[Basket], now: datetime | pd.Timestamp | None = None) -> ShopperView:
        # (timestamp, basket) pairs: the dated baskets, with their dates typed as present.
        dated = [(b.timestamp, b) for b in baskets if b.timestamp is not None]
        stamp = pd.Timestamp(now) if now is not None else None
        if stamp is not None:
            dated = [(when, b) for when, b in dated if pd.Timestamp(when) < stamp]
        dated.sort(key=lambda pair: pair[0])
        times = [pd.Timestamp(when).timestamp() for when, _ in dated]
        end = stamp.timestamp() if stamp is not None else (times[-1] if times else 0.0)
        items: dict[str, ItemRhythm] = {}
        sizes = []
        for i, ((_, basket), t) in enumerate(zip(dated, times, strict=True)):
            distinct = dict.fromkeys(basket.items)
            sizes.append(len(distinct))
            for pid in distinct:
                r = items.get(pid)
                if r is None:
                    items[pid] = ItemRhythm(1, i, t, t)
                else:
                    r.baskets += 1
                    r.last, r.last_time = i, t
        n = len(dated)
        interval = (times[-1] - times[0]) / DAY / (n - 1) if n > 1 else float("nan")
        recent = list(dict.fromkeys(p for _, b in reversed(dated) for p in b.items))
        repeats = sum(1 for r in items.values() if r.baskets > 1)
        return cls(
            now=end, baskets=n, basket_size=float(np.mean(sizes)) if sizes else 0.0,
            interval_days=interval, days_since_basket=(end - times[-1]) / DAY if times else float("nan"),
            repeat_share=repeats / len(items) if items else 0.0, items=items, recent=recent,
        )
