"""A retailer's own export, read through a column mapping (CLI flags or a TOML file).

Example `mapping.toml`:

    [columns]
    basket = "order_id"          # required
    product = "sku"              # required
    title = "name"
    price = "unit_price"
    quantity = "qty"
    timestamp = "ordered_at"
    customer = "customer"
    category = "department"
    attributes = ["brand", "colour"]

    [format]
    date_format = "%d/%m/%Y %H:%M"   # default: ISO 8601
    encoding = "utf-8"
    sep = ","
"""

from __future__ import annotations

import os
import time
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path

import pandas as pd

from ..dataset import Dataset
from ..errors import ConfigError
from .cleaning import RAW_DUPLICATE, clean_lines
from .readers import parse_dates, parse_numbers, read_table, require_columns

_TEXT_ROLES = ("title", "description", "category")
_NUMBER_ROLES = ("price", "quantity")


@dataclass(frozen=True)
class ColumnMap:
    """Which source column plays which role. Only basket and product are required."""

    basket: str
    product: str
    title: str | None = None
    description: str | None = None
    category: str | None = None
    price: str | None = None
    quantity: str | None = None
    timestamp: str | None = None
    customer: str | None = None
    attributes: tuple[str, ...] = field(default_factory=tuple)
    date_format: str | None = None
    encoding: str = "utf-8"
    sep: str | None = None

    def source_columns(self) -> list[str]:
        roles = ("basket", "product", *_TEXT_ROLES, *_NUMBER_ROLES, "timestamp", "customer")
        named = [getattr(self, r) for r in roles if getattr(self, r)]
        return list(dict.fromkeys([*named, *self.attributes]))

    @classmethod
    def from_toml(cls, path: str | os.PathLike[str]) -> ColumnMap:
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"mapping file {path}: no such file.") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"mapping file {path}: not valid TOML ({exc}).") from None
        values = {**data.get("columns", {}), **data.get("format", {})}
        allowed = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - allowed)
        if unknown or set(data) - {"columns", "format"}:
            raise ConfigError(
                f"mapping file {path}: unknown keys {unknown or sorted(set(data) - {'columns', 'format'})}; "
                f"allowed under [columns]/[format]: {', '.join(sorted(allowed))}."
            )
        return cls.build(values, source=f"mapping file {path}")

    @classmethod
    def build(cls, values: dict, source: str = "column mapping") -> ColumnMap:
        missing = [k for k in ("basket", "product") if not values.get(k)]
        if missing:
            raise ConfigError(f"{source}: the {' and '.join(missing)} column must be named.")
        values = dict(values)
        values["attributes"] = tuple(values.get("attributes") or ())
        return cls(**values)


def read_mapped(path: str | os.PathLike[str], mapping: ColumnMap) -> pd.DataFrame:
    """Read any CSV/Parquet into the standard line schema through `mapping`."""
    path = Path(path)
    raw = read_table(path, encoding=mapping.encoding, sep=mapping.sep)
    require_columns(raw, mapping.source_columns(), path)
    out = pd.DataFrame(index=raw.index)
    out["basket_id"] = raw[mapping.basket].str.strip()
    out["product_id"] = raw[mapping.product].str.strip()
    # Without a title column the product id is the best name there is.
    out["title"] = raw[mapping.title].str.strip() if mapping.title else out["product_id"]
    for role in ("description", "category"):
        column = getattr(mapping, role)
        out[role] = raw[column].str.strip() if column else pd.Series(pd.NA, index=raw.index, dtype="string")
    for role in _NUMBER_ROLES:
        column = getattr(mapping, role)
        out[role] = parse_numbers(raw[column], column, path) if column else float("nan")
    if mapping.timestamp:
        out["timestamp"] = parse_dates(raw[mapping.timestamp], mapping.timestamp, path, mapping.date_format)
    else:
        out["timestamp"] = pd.NaT
    out["customer_id"] = (
        raw[mapping.customer].str.strip() if mapping.customer else pd.Series(pd.NA, index=raw.index, dtype="string")
    )
    for column in mapping.attributes:
        out[column] = raw[column].str.strip()
    out[RAW_DUPLICATE] = raw.duplicated(keep="first")
    return out


def load_mapped(path: str | os.PathLike[str], mapping: ColumnMap) -> Dataset:
    """Load and clean any retailer export described by a column mapping."""
    started = time.perf_counter()
    frame = read_mapped(path, mapping)
    return clean_lines(frame, source=str(path), attributes=mapping.attributes, started=started)
