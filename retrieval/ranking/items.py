"""Item statistics as of one moment: what every shopper's candidates share.

Everything here is computed from the baskets strictly before `as_of`, so a ranker trained
on features "as of the inner cut" never sees what it will be asked to predict; `ItemStats`
drops later lines itself rather than trusting the caller.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..baskets import Baskets

log = logging.getLogger(__name__)

RECENT_DAYS = 28


@dataclass
class ItemStats:
    """Per-item arrays aligned to `ids` (catalogue order)."""

    ids: list[str]
    as_of: pd.Timestamp
    baskets: int  # baskets before as_of
    recent_baskets: int  # of those, baskets in the last RECENT_DAYS
    popularity: np.ndarray  # baskets holding the item
    recent: np.ndarray  # recent baskets holding the item
    trend: np.ndarray  # recent share / overall share (1 = steady)
    buyers: np.ndarray  # distinct customers who bought it
    repurchase_rate: np.ndarray  # share of its buyers who bought it in two or more baskets
    interval_days: np.ndarray  # median days between a customer's consecutive purchases of it (NaN: never repeated)
    price: np.ndarray

    @classmethod
    def compute(
        cls, baskets: Baskets, ids: Sequence[str], prices: np.ndarray, as_of: pd.Timestamp
    ) -> ItemStats:
        as_of = pd.Timestamp(as_of)
        lines = baskets.lines
        lines = lines[lines["timestamp"] < as_of]
        position = {pid: i for i, pid in enumerate(ids)}
        n = len(ids)
        lines = lines.drop_duplicates(["basket_id", "product_id"])
        col = lines["product_id"].astype(str).map(position)
        lines = lines[col.notna().to_numpy()].assign(_c=col[col.notna()].astype(np.int64).to_numpy())
        recent_from = as_of - pd.Timedelta(days=RECENT_DAYS)
        is_recent = (lines["timestamp"] >= recent_from).to_numpy()
        popularity = np.bincount(lines["_c"], minlength=n).astype(np.float64)
        recent = np.bincount(lines["_c"][is_recent], minlength=n).astype(np.float64)
        n_baskets = int(baskets.lines.loc[baskets.lines["timestamp"] < as_of, "basket_id"].nunique())
        n_recent = int(lines.loc[is_recent, "basket_id"].nunique())
        share = popularity / max(1, n_baskets)
        recent_share = recent / max(1, n_recent)
        trend = np.where(share > 0, recent_share / np.maximum(share, 1e-12), 0.0)

        known = lines.dropna(subset=["customer_id"])
        per = known.groupby(["_c", "customer_id"], sort=False).size()
        buyers = np.bincount(per.index.get_level_values(0), minlength=n).astype(np.float64)
        repeaters = np.bincount(per.index.get_level_values(0)[per.to_numpy() >= 2], minlength=n)
        rate = np.where(buyers > 0, repeaters / np.maximum(buyers, 1), 0.0)

        ordered = known.sort_values(["customer_id", "_c", "timestamp"], kind="stable")
        same = (ordered["customer_id"].to_numpy()[1:] == ordered["customer_id"].to_numpy()[:-1]) & (
            ordered["_c"].to_numpy()[1:] == ordered["_c"].to_numpy()[:-1]
        )
        gaps = np.diff(ordered["timestamp"].to_numpy()).astype("timedelta64[s]").astype(np.float64) / 86400.0
        gap_frame = pd.DataFrame({"c": ordered["_c"].to_numpy()[1:][same], "gap": gaps[same]})
        medians = gap_frame.groupby("c")["gap"].median()
        interval = np.full(n, np.nan)
        interval[medians.index.to_numpy()] = medians.to_numpy()
        log.debug("item stats as of %s: %d baskets, %d recent", as_of, n_baskets, n_recent)
        return cls(list(ids), as_of, n_baskets, n_recent, popularity, recent, trend, buyers, rate,
                   interval, np.asarray(prices, dtype=np.float64))
