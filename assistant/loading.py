"""Turn command-line style options into a column mapping and an export reader (shared by every shell)."""

from __future__ import annotations

from argparse import Namespace
from pathlib import Path

from retrieval.dataset import Dataset
from retrieval.datasets import ReadExport
from retrieval.errors import ConfigError
from retrieval.ingest import ColumnMap, load_mapped, load_online_retail

_ROLES = ("basket", "product", "title", "description", "category", "price", "quantity", "timestamp", "customer")
_FORMAT_KEYS = ("date_format", "encoding", "sep", "title_sep", "title_case")


def mapping_from_options(options: Namespace) -> ColumnMap | None:
    """A column mapping from a TOML file and/or flags (flags win); None when neither is given."""
    values: dict = {}
    base = None
    if getattr(options, "mapping", None):
        base = ColumnMap.from_toml(options.mapping)
        values = {k: v for k, v in vars(base).items() if v not in (None, ())}
    for role in _ROLES:
        value = getattr(options, f"col_{role}", None)
        if value:
            values[role] = value
    # --title-col repeats: one is a title column, several compose the title.
    if isinstance(values.get("title"), list):
        values["title"] = values["title"][0] if len(values["title"]) == 1 else tuple(values["title"])
    if getattr(options, "col_attributes", None):
        values["attributes"] = tuple(options.col_attributes)
    for key in _FORMAT_KEYS:
        value = getattr(options, key, None)
        if value:
            values[key] = value
    _products_from_options(options, values)
    if base is None and not any(k in values for k in (*_ROLES, "attributes")):
        return None
    return ColumnMap.build(values, source="column flags")


def _products_from_options(options: Namespace, values: dict) -> None:
    """--products-file / --products-key override the mapping's [products] (a file relative to cwd)."""
    file = getattr(options, "products_file", None)
    key = getattr(options, "products_key", None)
    if not (file or key):
        return
    current = values.get("products")
    if not file:
        if current is None:
            raise ConfigError("--products-key needs --products-file (or a [products] section in --mapping).")
        file = current.file
    values["products"] = {
        "file": file,
        "key": key or (current.key if current else None),
        "encoding": current.encoding if current else None,
        "sep": current.sep if current else None,
    }


SHOP_FLAGS = {"shop_name": "name", "shop_sells": "sells", "currency": "currency", "locale": "locale"}


def add_shop_arguments(p) -> None:  # noqa: ANN001 - an argparse parser
    """--shop-name, --shop-sells, --currency, --locale: the shop profile, beside a mapping's [shop]."""
    g = p.add_argument_group("shop profile (saved with the dataset; overrides a mapping's [shop])")
    g.add_argument("--shop-name", metavar="NAME", help='the shop\'s name, e.g. "Superstore"')
    g.add_argument("--shop-sells", metavar="TEXT", help='one line on what it sells, e.g. "office supplies"')
    g.add_argument("--currency", metavar="CODE", help="ISO 4217 code of its prices, e.g. USD, EUR, GBP")
    g.add_argument("--locale", metavar="LOCALE", help="how amounts are written, e.g. en_US, de_DE (default en)")


def apply_shop_options(dataset: Dataset, options: Namespace) -> bool:
    """Set the shop profile fields given as flags on `dataset`; whether any was given."""
    given = {field: getattr(options, flag, None) for flag, field in SHOP_FLAGS.items()}
    if not any(v is not None for v in given.values()):
        return False
    dataset.shop = dataset.shop.with_options(**given)
    return True


def export_reader(options: Namespace) -> ReadExport:
    """How to read the export PATH named by `options` (format and mapping flags).

    Checked before any file is read, so a missing mapping is reported as such, not as a
    missing file. Which dataset is read at all is `retrieval.datasets.resolve_dataset`'s rule.
    """
    mapping = mapping_from_options(options)
    fmt = getattr(options, "format", None) or ("mapped" if mapping else "online-retail")
    if fmt != "mapped":
        return load_online_retail
    if mapping is None:
        raise ConfigError("--format mapped needs --mapping FILE or at least --basket-col and --product-col.")
    if not getattr(options, "path", None):
        # Without PATH the rule would fall back to the saved or bundled data, ignoring the mapping.
        raise ConfigError("--format mapped needs the PATH of the export to read.")
    return lambda path: load_mapped(Path(path), mapping)
