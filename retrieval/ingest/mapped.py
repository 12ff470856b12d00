"""A retailer's own export, read through a column mapping (CLI flags or a TOML file).

Example `mapping.toml`:

    [columns]
    basket = "order_id"          # required
    product = "sku"              # required
    title = "name"               # or several columns: ["type", "brand", "size"], or a
                                 #   template of columns: "{type} by {brand}, {size}"
    price = "unit_price"         # or line_total = "sales" (+ discount = "disc"): the unit price
    quantity = "qty"             #   is then line_total / quantity / (1 - discount)
    timestamp = "ordered_at"
    customer = "customer"
    category = "department"
    attributes = ["brand", "colour"]

    [format]
    date_format = "%d/%m/%Y %H:%M"   # default: ISO 8601
    encoding = "utf-8"
    sep = ","
    title_sep = ", "                 # between the parts of a composed title (default " ")
    title_case = "title"             # "keep" (default) or "title", see `compose_title`

    [shop]                           # optional: the shop profile, saved with the dataset
    name = "Superstore"
    sells = "office supplies, furniture and technology"
    currency = "USD"                 # ISO 4217
    locale = "en_US"
    examples = ["a wireless mouse under $30"]

    [products]                       # optional: the catalogue in a file of its own
    file = "products.csv"            # relative to this mapping file (or absolute); CSV or Parquet
    key = "sku"                      # its column matching the lines' product (default: same name)

With a `[products]` table, the product columns (title parts, description, category,
attributes) are taken from the products file where it has them, else from the lines file.
"""

from __future__ import annotations

import logging
import os
import re
import time
from dataclasses import dataclass, field, fields
from pathlib import Path

import numpy as np
import pandas as pd

from ..dataset import Dataset
from ..errors import ConfigError, DataError
from ..index.text import TextTemplate
from ..shop import ShopProfile
from ..toml_file import read_toml
from .cleaning import RAW_DUPLICATE, clean_lines
from .readers import parse_dates, parse_numbers, read_table, require_columns

log = logging.getLogger(__name__)

_NUMBER_ROLES = ("price", "quantity", "line_total", "discount")
_LINE_ROLES = ("basket", "product", *_NUMBER_ROLES, "timestamp", "customer")
TITLE_CASES = ("keep", "title")
_SECTIONS = ("columns", "format", "products", "shop")


@dataclass(frozen=True)
class ProductsTable:
    """The catalogue as a separate file, joined to the lines where `key` equals their product."""

    file: Path
    key: str
    encoding: str | None = None  # default: the lines' [format] encoding
    sep: str | None = None  # default: the lines' [format] sep

    @classmethod
    def build(cls, values: dict, *, product: str, base: Path | None, source: str) -> ProductsTable:
        allowed = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - allowed)
        if unknown:
            raise ConfigError(
                f"{source}: unknown keys {unknown} under [products]; allowed: {', '.join(sorted(allowed))}."
            )
        if not values.get("file"):
            raise ConfigError(f"{source}: [products] needs `file`, the products CSV/Parquet.")
        file = Path(values["file"]).expanduser()
        if base is not None and not file.is_absolute():
            file = base / file
        return cls(file=file, key=values.get("key") or product,
                   encoding=values.get("encoding"), sep=values.get("sep"))


@dataclass(frozen=True)
class ColumnMap:
    """Which source column plays which role. Only basket and product are required.

    `title` is one column or a tuple of columns composed into one title (`compose_title`).
    """

    basket: str
    product: str
    title: str | tuple[str, ...] | None = None
    description: str | None = None
    category: str | None = None
    price: str | None = None
    # Exports that carry line revenue instead of a unit price: the unit price is derived as
    # line_total / quantity / (1 - discount) (the list price before the line's discount).
    line_total: str | None = None
    discount: str | None = None
    quantity: str | None = None
    timestamp: str | None = None
    customer: str | None = None
    attributes: tuple[str, ...] = field(default_factory=tuple)
    date_format: str | None = None
    encoding: str = "utf-8"
    sep: str | None = None
    title_sep: str = " "
    title_case: str = "keep"
    # A display title written as a template of columns ("{type} by {brand}, {size}"),
    # beside the embedding template: `title = "..."` with braces sets it.
    title_template: str | None = None
    products: ProductsTable | None = None
    shop: ShopProfile | None = None  # the [shop] table, saved with the dataset

    @property
    def title_columns(self) -> tuple[str, ...]:
        if not self.title:
            return ()
        return (self.title,) if isinstance(self.title, str) else tuple(self.title)

    def product_columns(self) -> list[str]:
        """Columns describing a product (may come from a products table)."""
        named = [*self.title_columns, self.description, self.category, *self.attributes]
        return list(dict.fromkeys(c for c in named if c))

    def line_columns(self) -> list[str]:
        """Columns that always come from the lines file."""
        return list(dict.fromkeys(getattr(self, r) for r in _LINE_ROLES if getattr(self, r)))

    @classmethod
    def from_toml(cls, path: str | os.PathLike[str]) -> ColumnMap:
        path = Path(path)
        data = read_toml(path, "mapping file")
        values = {**data.get("columns", {}), **data.get("format", {})}
        allowed = {f.name for f in fields(cls)} - {"products", "shop"}
        unknown = sorted(set(values) - allowed)
        if unknown or set(data) - set(_SECTIONS):
            raise ConfigError(
                f"mapping file {path}: unknown keys {unknown or sorted(set(data) - set(_SECTIONS))}; "
                f"allowed under [columns]/[format]: {', '.join(sorted(allowed))}; "
                "a [products] section (file, key) and a [shop] section (name, sells, currency, locale, examples)."
            )
        if "shop" in data:
            if not isinstance(data["shop"], dict):
                raise ConfigError(f"mapping file {path}: `shop` must be a [shop] section.")
            values["shop"] = ShopProfile.from_dict(data["shop"], source=f"mapping file {path}")
        if "products" in data:
            if not isinstance(data["products"], dict):
                raise ConfigError(f"mapping file {path}: `products` must be a [products] section.")
            values["products"] = data["products"]
        return cls.build(values, source=f"mapping file {path}", base=path.parent)

    @classmethod
    def build(cls, values: dict, source: str = "column mapping", base: Path | None = None) -> ColumnMap:
        """Validate `values`; a relative products file is taken relative to `base`."""
        missing = [k for k in ("basket", "product") if not values.get(k)]
        if missing:
            raise ConfigError(f"{source}: the {' and '.join(missing)} column must be named.")
        values = dict(values)
        values["attributes"] = tuple(values.get("attributes") or ())
        title = values.get("title")
        if isinstance(title, str) and "{" in title:
            template = TextTemplate(title)  # a ConfigError for a malformed one
            if not template.fields:
                raise ConfigError(f"{source}: the title template {title!r} names no column.")
            values["title_template"], values["title"] = title, tuple(template.fields)
        elif isinstance(title, list | tuple):
            if not title or not all(isinstance(c, str) and c for c in title):
                raise ConfigError(f"{source}: `title` must be a column name or a list of them.")
            values["title"] = tuple(title)
        case = values.get("title_case", "keep")
        if case not in TITLE_CASES:
            raise ConfigError(f"{source}: title_case must be one of {', '.join(TITLE_CASES)}, not {case!r}.")
        if values.get("price") and values.get("line_total"):
            raise ConfigError(f"{source}: name either `price` (a unit price) or `line_total` (line revenue), not both.")
        if values.get("discount") and not values.get("line_total"):
            raise ConfigError(f"{source}: `discount` only applies with `line_total` (the unit price is derived from both).")
        products = values.get("products")
        if isinstance(products, dict):
            values["products"] = ProductsTable.build(
                products, product=values["product"], base=base, source=source
            )
        return cls(**values)


_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")  # a run of letters; "MEN'S" is one word
_COLON = re.compile(r"\s*:\s*")
_SPACES = re.compile(r"\s+")


def tidy_part(part: pd.Series) -> pd.Series:
    """`title_case = "title"`: make a shouting title part readable, and touch little else.

    Runs of spaces become one space in every part. Beyond that only a part in capitals with
    no digit is changed: each word is capitalised and a colon gets one space after it
    ("BREAD:ITALIAN/FRENCH" -> "Bread: Italian/French"). A part a person typed in mixed case
    is left alone, and so is one with digits: sizes and codes ("14.5 OZ", "4 PK/4 OZ") read
    better untouched than as "14.5 Oz".
    """
    # Tidy each distinct value once: exports repeat the same few thousand values a lot.
    codes, values = pd.factorize(part)
    values = pd.Series(values, dtype="string").str.replace(_SPACES, " ", regex=True)
    shouting = (
        (values == values.str.upper())
        & values.str.contains(r"[^\W\d_]", regex=True)
        & ~values.str.contains(r"\d", regex=True)
    ).to_numpy(dtype=bool)
    tidied = values.str.replace(_WORD, lambda m: m.group(0).capitalize(), regex=True)
    tidied = tidied.str.replace(_COLON, ": ", regex=True).str.rstrip()
    values = values.where(~shouting, tidied)
    return pd.Series(values.array.take(codes, allow_fill=True), index=part.index, name=part.name)


def compose_title(parts: list[pd.Series], sep: str = " ", case: str = "keep",
                  template: TextTemplate | None = None) -> pd.Series:
    """Join title parts with `sep`, skipping blank or missing parts; all parts blank gives NA.

    With `case = "title"` each part goes through `tidy_part` first. With a `template`
    ("{product_type} by {brand}, {package_size}", its fields the parts' names in order) the
    parts are written into it instead; a blank part drops out with the text before it.
    """
    cleaned = []
    for part in parts:
        part = part.str.strip().replace("", pd.NA)
        cleaned.append(tidy_part(part) if case == "title" else part)
    if len(cleaned) == 1 and template is None:
        return cleaned[0]
    # Join each distinct combination of parts once: there are far fewer of them than rows.
    combo = np.zeros(len(cleaned[0]), dtype=np.int64)
    for part in cleaned:
        codes, uniques = pd.factorize(part)
        combo, _ = pd.factorize(combo * (len(uniques) + 1) + codes + 1)
    _, first, inverse = np.unique(combo, return_index=True, return_inverse=True)
    rows = np.column_stack([p.to_numpy(dtype=object, na_value=None)[first] for p in cleaned])
    if template is not None:
        fields = template.fields
        joined = np.array([template.render(dict(zip(fields, row, strict=True))) or None for row in rows],
                          dtype=object)
    else:
        joined = np.array([sep.join(t for t in row if t is not None) or None for row in rows], dtype=object)
    return pd.Series(joined[inverse.reshape(-1)], index=cleaned[0].index, dtype="string")


def _describe(frame: pd.DataFrame, mapping: ColumnMap) -> pd.DataFrame:
    """The product columns of `frame` (lines or a products table) in the standard schema.

    title (composed; NA when blank), description, category and the attributes, trimmed.
    """
    out = pd.DataFrame(index=frame.index)
    if mapping.title:
        parts = [frame[c] for c in mapping.title_columns]
        template = TextTemplate(mapping.title_template) if mapping.title_template else None
        out["title"] = compose_title(parts, mapping.title_sep, mapping.title_case, template)
    for role in ("description", "category"):
        out[role] = _text(frame, getattr(mapping, role))
    for column in mapping.attributes:
        out[column] = frame[column].str.strip()
    return out


def _read_products(table: ProductsTable, mapping: ColumnMap) -> pd.DataFrame:
    """The products file indexed by its key (stripped); the first row of a repeated key wins."""
    frame = read_table(table.file, encoding=table.encoding or mapping.encoding, sep=table.sep or mapping.sep)
    if table.key not in frame.columns:
        raise DataError(
            f"missing column {table.key!r}, the key matching the lines' product (`key` under "
            f"[products], or --products-key); columns found: {', '.join(map(str, frame.columns))}.",
            path=table.file,
        )
    keys = frame[table.key].str.strip()
    blank = (keys.isna() | (keys == "")).to_numpy()
    repeated = keys.duplicated(keep="first").to_numpy() & ~blank
    if blank.any():
        log.warning("products file %s: %d rows without a %r, ignored", table.file, int(blank.sum()), table.key)
    if repeated.any():
        log.warning(
            "products file %s: %d rows repeat an earlier %r (%d distinct keys); the first row of each is used",
            table.file, int(repeated.sum()), table.key, keys[repeated].nunique(),
        )
    keep = ~(blank | repeated)
    return frame.loc[keep].set_axis(pd.Index(keys[keep], name=table.key), axis=0)


def _take(values: pd.Series, where: np.ndarray, index: pd.Index) -> pd.Series:
    """values[where] as a line-level column; where < 0 gives NA."""
    return pd.Series(values.array.take(where, allow_fill=True), index=index, name=values.name)


def _described_lines(raw: pd.DataFrame, path: Path, mapping: ColumnMap) -> tuple[pd.DataFrame, np.ndarray]:
    """Each line's product columns (`_describe`), and a mask of the lines whose product the
    products table lacks.

    Without a products table they come straight from the lines file. With one, a column is
    taken from the products file when it has it, else from the lines file.
    """
    wanted = mapping.product_columns()
    table = mapping.products
    if table is None:
        require_columns(raw, wanted, path)
        return _describe(raw, mapping), np.zeros(len(raw), dtype=bool)
    products = _read_products(table, mapping)
    absent = [c for c in wanted if c not in products.columns and c not in raw.columns]
    if absent:
        noun = "column" if len(absent) == 1 else "columns"
        raise DataError(
            f"missing {noun} {', '.join(repr(c) for c in absent)}, in neither this file nor the "
            f"products file {table.file}; columns found here: {', '.join(map(str, raw.columns))}; "
            f"in the products file: {', '.join(map(str, products.columns))}.",
            path=path,
        )
    product_ids = raw[mapping.product].str.strip()
    codes, uniques = pd.factorize(product_ids)
    found = products.index.get_indexer(uniques)
    where = np.where(codes >= 0, found[codes], -1)
    unknown = (where < 0) & (codes >= 0)
    if unknown.any():
        log.warning(
            "%s: %d lines (%d distinct products) have no row in the products file %s; "
            "they keep the product id as title",
            path, int(unknown.sum()), int((found < 0).sum()), table.file,
        )
    if all(c in products.columns for c in wanted):
        # Describe each product once, then hand it to its lines.
        described = _describe(products, mapping)
        lines = pd.DataFrame({c: _take(described[c], where, raw.index) for c in described.columns})
        return lines, unknown
    joined = pd.DataFrame(
        {c: _take(products[c], where, raw.index) if c in products.columns else raw[c] for c in wanted},
        index=raw.index,
    )
    return _describe(joined, mapping), unknown


def _text(frame: pd.DataFrame, column: str | None) -> pd.Series:
    if not column:
        return pd.Series(pd.NA, index=frame.index, dtype="string")
    return frame[column].str.strip()


def read_mapped(path: str | os.PathLike[str], mapping: ColumnMap) -> pd.DataFrame:
    """Read any CSV/Parquet (and its products file, if any) into the standard line schema."""
    path = Path(path)
    raw = read_table(path, encoding=mapping.encoding, sep=mapping.sep)
    require_columns(raw, mapping.line_columns(), path)
    described, unknown = _described_lines(raw, path, mapping)
    out = pd.DataFrame(index=raw.index)
    out["basket_id"] = raw[mapping.basket].str.strip()
    out["product_id"] = raw[mapping.product].str.strip()
    if not mapping.title:
        # Without a title column the product id is the best name there is.
        out["title"] = out["product_id"]
    else:
        # A composed title with every part blank, or a product the products table lacks, is
        # named by its id; a single title column left blank stays blank (dropped as undescribed).
        composed = isinstance(mapping.title, tuple)
        fallback = unknown | (described["title"].isna().to_numpy() & composed)
        out["title"] = described["title"].mask(fallback, out["product_id"])
    out["description"] = described["description"]
    out["category"] = described["category"]
    for role in ("price", "quantity"):
        column = getattr(mapping, role)
        out[role] = parse_numbers(raw[column], column, path) if column else float("nan")
    if mapping.line_total:
        out["price"] = _unit_price(raw, mapping, mapping.line_total, out["quantity"], path)
    if mapping.timestamp:
        out["timestamp"] = parse_dates(raw[mapping.timestamp], mapping.timestamp, path, mapping.date_format)
    else:
        out["timestamp"] = pd.NaT
    out["customer_id"] = _text(raw, mapping.customer)
    for column in mapping.attributes:
        out[column] = described[column]
    out[RAW_DUPLICATE] = raw.duplicated(keep="first")
    return out


def _unit_price(raw: pd.DataFrame, mapping: ColumnMap, line_total: str, quantity: pd.Series,
                path: Path) -> pd.Series:
    """line_total / quantity / (1 - discount), rounded to cents; NaN where it cannot be told
    (no quantity, or a 100% discount), never a made-up number. `line_total` is the mapping's
    column, passed in as the one the caller checked is set."""
    total = parse_numbers(raw[line_total], line_total, path)
    # A blank discount is no discount.
    discount = (parse_numbers(raw[mapping.discount], mapping.discount, path).fillna(0.0) if mapping.discount
                else pd.Series(0.0, index=raw.index))
    bad = (discount < 0) | (discount > 1)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(f"the discount is {raw[mapping.discount].iloc[row]!r}; a discount is a fraction "
                        "from 0 to 1 (0.2 = 20% off).", path=path, line=row + 2, column=mapping.discount)
    with np.errstate(divide="ignore", invalid="ignore"):
        unit = total / quantity / (1.0 - discount)
    return unit.where(np.isfinite(unit) & (quantity > 0)).round(2)


def load_mapped(path: str | os.PathLike[str], mapping: ColumnMap) -> Dataset:
    """Load and clean any retailer export described by a column mapping."""
    started = time.perf_counter()
    frame = read_mapped(path, mapping)
    dataset = clean_lines(frame, source=str(path), attributes=mapping.attributes, started=started)
    if mapping.shop is not None:
        dataset.shop = mapping.shop
    return dataset
