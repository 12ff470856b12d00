"""Turn raw order lines into a catalogue and baskets, accounting for every row.

The input is a frame in the *standard line schema* (STANDARD_COLUMNS, already parsed).
Drop rules run in order; a row is dropped for the first rule that matches it, so the
report's reasons are disjoint and add up to the rows read exactly.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..baskets import Baskets
from ..dataset import Dataset
from ..products import CATALOGUE_COLUMNS, Catalogue
from ..report import IngestReport

log = logging.getLogger(__name__)

STANDARD_COLUMNS = (
    "basket_id",
    "product_id",
    "title",
    "description",
    "category",
    "price",
    "quantity",
    "timestamp",
    "customer_id",
)


# Optional boolean column a reader may add: "this raw row repeats an earlier one exactly".
RAW_DUPLICATE = "_raw_duplicate"


@dataclass(frozen=True)
class DropRule:
    """A reason to drop a row and the test that finds such rows."""

    reason: str
    matches: Callable[[pd.DataFrame], pd.Series]


def _blank(s: pd.Series) -> pd.Series:
    return s.isna() | (s.astype("string").str.strip() == "")


COMMON_RULES_BEFORE: tuple[DropRule, ...] = (
    DropRule("missing_basket_id", lambda f: _blank(f["basket_id"])),
    DropRule("missing_product_id", lambda f: _blank(f["product_id"])),
)
COMMON_RULES_AFTER: tuple[DropRule, ...] = (
    DropRule("missing_description", lambda f: _blank(f["title"])),
    DropRule("non_positive_quantity", lambda f: f["quantity"].fillna(1) <= 0),
    # After the content rules, so a duplicated cancellation counts as a cancellation.
    DropRule("duplicate_row", lambda f: _duplicates(f)),
)


def _duplicates(frame: pd.DataFrame) -> pd.Series:
    # Readers may mark duplicates on the raw text (before trimming); else compare parsed rows.
    if RAW_DUPLICATE in frame:
        return frame[RAW_DUPLICATE]
    return frame.duplicated(keep="first")


def apply_rules(frame: pd.DataFrame, rules: Sequence[DropRule]) -> tuple[np.ndarray, dict[str, int]]:
    """Return the keep mask and the count of rows dropped per reason (first match wins)."""
    keep = np.ones(len(frame), dtype=bool)
    dropped: dict[str, int] = {}
    for rule in rules:
        hit = rule.matches(frame).fillna(False).to_numpy(dtype=bool) & keep
        dropped[rule.reason] = int(hit.sum())
        keep &= ~hit
    return keep, dropped


def _most_frequent(frame: pd.DataFrame, column: str) -> pd.Series:
    """Per product, the most frequent non-blank value of `column` (ties: alphabetical)."""
    values = frame[["product_id", column]].dropna()
    values = values[values[column].astype(str).str.strip() != ""]
    if values.empty:
        return pd.Series(dtype="string", name=column)
    counts = values.groupby(["product_id", column], observed=True).size().rename("n").reset_index()
    counts = counts.sort_values(["product_id", "n", column], ascending=[True, False, True])
    return counts.drop_duplicates("product_id").set_index("product_id")[column]


def build_catalogue(lines: pd.DataFrame, attributes: Sequence[str] = ()) -> Catalogue:
    ids = pd.Index(lines["product_id"].unique(), name="product_id")
    frame = pd.DataFrame(index=ids)
    for column in ("title", "description", "category", *attributes):
        frame[column] = _most_frequent(lines, column).reindex(ids).astype("string").fillna("")
    positive = lines.loc[lines["price"] > 0, ["product_id", "price"]]
    # Median of positive unit prices: robust to the odd free sample and to bulk discounts.
    frame["price"] = positive.groupby("product_id")["price"].median().reindex(ids).astype("float64")
    popularity = lines.drop_duplicates(["basket_id", "product_id"])["product_id"].value_counts()
    frame["popularity"] = popularity.reindex(ids).fillna(0).astype("int64")
    frame = frame[[*CATALOGUE_COLUMNS, *attributes]].sort_index()
    return Catalogue(frame)


def build_baskets(lines: pd.DataFrame) -> Baskets:
    """One row per (basket, product) with quantities summed; one customer and time per basket."""
    per_basket = lines.groupby("basket_id", sort=False).agg(
        customer_id=("customer_id", "first"), timestamp=("timestamp", "min")
    )
    items = lines.groupby(["basket_id", "product_id"], sort=False)["quantity"].sum().reset_index()
    out = items.join(per_basket, on="basket_id")
    out["quantity"] = out["quantity"].astype("float64")
    if out["timestamp"].notna().any():
        out = out.sort_values(["timestamp", "basket_id"], kind="stable")
    return Baskets(out[["basket_id", "customer_id", "timestamp", "product_id", "quantity"]])


def clean_lines(
    raw: pd.DataFrame,
    *,
    source: str,
    extra_rules: Sequence[DropRule] = (),
    attributes: Sequence[str] = (),
    started: float | None = None,
) -> Dataset:
    """Apply the drop rules, build catalogue and baskets, and report what happened."""
    started = time.perf_counter() if started is None else started
    rules = [*COMMON_RULES_BEFORE, *extra_rules, *COMMON_RULES_AFTER]
    keep, dropped = apply_rules(raw, rules)
    kept = raw.loc[keep].drop(columns=[RAW_DUPLICATE], errors="ignore")
    kept["quantity"] = kept["quantity"].fillna(1.0)
    catalogue = build_catalogue(kept, attributes)
    baskets = build_baskets(kept)
    report = IngestReport(
        source=source,
        rows_read=len(raw),
        rows_kept=int(keep.sum()),
        dropped=dropped,
        kept_without_customer=int(kept["customer_id"].isna().sum()),
        baskets=len(baskets),
        customers=int(kept["customer_id"].nunique()),
        products=len(catalogue),
    )
    report.seconds = round(time.perf_counter() - started, 2)
    report.check()
    log.info(
        "ingested %s: kept %d of %d rows, %d products, %d baskets",
        source, report.rows_kept, report.rows_read, report.products, report.baskets,
    )
    return Dataset(catalogue, baskets, report)
