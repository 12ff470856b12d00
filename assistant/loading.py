"""Turn command-line style options into a loaded `Dataset` (shared by every shell)."""

from __future__ import annotations

from argparse import Namespace
from pathlib import Path

from retrieval.config import dataset_dir
from retrieval.dataset import Dataset
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
    if not file and current is None:
        raise ConfigError("--products-key needs --products-file (or a [products] section in --mapping).")
    values["products"] = {
        "file": file or current.file,
        "key": key or (current.key if current else None),
        "encoding": current.encoding if current else None,
        "sep": current.sep if current else None,
    }


def load_source(options: Namespace) -> Dataset:
    """Load the export named by `options` (path, format, mapping flags)."""
    mapping = mapping_from_options(options)
    fmt = getattr(options, "format", None) or ("mapped" if mapping else "online-retail")
    path = getattr(options, "path", None)
    if fmt == "mapped":
        if mapping is None:
            raise ConfigError("--format mapped needs --mapping FILE or at least --basket-col and --product-col.")
        if not path:
            raise ConfigError("--format mapped needs the PATH of the export to read.")
        return load_mapped(Path(path), mapping)
    return load_online_retail(path)


def load_saved_or_bundled(home: str | None = None, dataset: str | None = None) -> Dataset:
    """The dataset a later command works on: an explicit folder, the saved one, or the bundled file."""
    if dataset:
        return Dataset.load(dataset)
    saved = dataset_dir(home)
    if (saved / "products.parquet").exists():
        return Dataset.load(saved)
    return load_online_retail()
