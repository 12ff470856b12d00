"""Adapter for the UCI Online Retail export (InvoiceNo, StockCode, Description, ...)."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pandas as pd

from ..config import BUNDLED_ONLINE_RETAIL
from ..dataset import Dataset
from ..shop import profile_beside
from .cleaning import RAW_DUPLICATE, DropRule, clean_lines
from .readers import parse_dates, parse_numbers, parse_whole_numbers, read_table, require_columns

COLUMNS = {
    "InvoiceNo": "basket_id",
    "StockCode": "product_id",
    "Description": "title",
    "Quantity": "quantity",
    "InvoiceDate": "timestamp",
    "UnitPrice": "price",
    "CustomerID": "customer_id",
    "Country": "country",
}

# Codes that are fees, postage, discounts or bookkeeping rather than products.
NON_PRODUCT_CODES = frozenset(
    {"POST", "DOT", "M", "D", "S", "B", "C2", "BANK CHARGES", "AMAZONFEE", "CRUK", "PADS"}
)
NON_PRODUCT_PREFIXES = ("GIFT_", "DCGS")

# Fee or bookkeeping lines that hide behind ordinary-looking codes.
NON_PRODUCT_TITLES = re.compile(
    r"gift voucher|^(?:next day )?carriage$|^postage$|^manual$|^discount$|^samples?$|bank charges",
    re.IGNORECASE,
)

# Product names in this export are upper case. Stock-keeping notes typed by staff ("check",
# "damaged", "?", "wrongly marked 23343", "Found") have no all-caps word and a zero price;
# real names with lower case ("POLYESTER FILLER PAD 40x40cm", "Dr. Jam's Arouzer Stress
# Ball", priced) keep either an all-caps word or a price, so both tests are needed.
_CAPS_WORD = re.compile(r"\b[A-Z]{2,}\b")


def _is_stock_note(frame: pd.DataFrame) -> pd.Series:
    text = frame["title"].fillna("")
    has_text = text.str.strip() != ""
    return has_text & ~text.str.contains(_CAPS_WORD) & (frame["price"].fillna(0) <= 0)


def _is_non_product(frame: pd.DataFrame) -> pd.Series:
    code = frame["product_id"].str.upper()
    by_code = code.isin(NON_PRODUCT_CODES) | code.str.startswith(NON_PRODUCT_PREFIXES)
    return by_code | frame["title"].fillna("").str.contains(NON_PRODUCT_TITLES)


RULES = (
    DropRule("cancellation", lambda f: f["basket_id"].str.upper().str.startswith("C")),
    DropRule("adjustment", lambda f: f["basket_id"].str.upper().str.startswith("A")),
    DropRule("non_product_code", _is_non_product),
    DropRule("stock_note", _is_stock_note),
)


def read_online_retail(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read the export into the standard line schema (parsed, not yet cleaned)."""
    path = Path(path)
    raw = read_table(path)
    require_columns(raw, COLUMNS, path)
    frame = raw[list(COLUMNS)].rename(columns=COLUMNS)
    for column in ("basket_id", "product_id", "title", "country"):
        frame[column] = frame[column].str.strip()
    # "85123a" and "85123A" are the same product sold under a mistyped code.
    frame["product_id"] = frame["product_id"].str.upper()
    frame["quantity"] = parse_numbers(raw["Quantity"], "Quantity", path)
    frame["price"] = parse_numbers(raw["UnitPrice"], "UnitPrice", path)
    frame["timestamp"] = parse_dates(raw["InvoiceDate"], "InvoiceDate", path)
    # Customer ids are written as floats ("17850.0"); keep them as the integer text.
    frame["customer_id"] = parse_whole_numbers(raw["CustomerID"], "CustomerID", path).astype("string")
    frame["description"] = pd.Series(pd.NA, index=frame.index, dtype="string")
    frame["category"] = pd.Series(pd.NA, index=frame.index, dtype="string")
    frame[RAW_DUPLICATE] = raw.duplicated(keep="first")
    return frame


def load_online_retail(path: str | os.PathLike[str] | None = None) -> Dataset:
    """Load and clean an Online Retail export (the bundled file by default)."""
    started = time.perf_counter()
    path = Path(path) if path is not None else BUNDLED_ONLINE_RETAIL
    frame = read_online_retail(path)
    dataset = clean_lines(frame, source=str(path), extra_rules=RULES, started=started)
    # The export's own profile sits beside it (the bundled one: GBP, en_GB, its examples).
    dataset.shop = profile_beside(path)
    return dataset
