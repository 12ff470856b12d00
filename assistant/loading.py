"""Turn command-line style options into a loaded `Dataset` (shared by every shell)."""

from __future__ import annotations

from argparse import Namespace
from pathlib import Path

from retrieval.config import dataset_dir
from retrieval.dataset import Dataset
from retrieval.errors import ConfigError
from retrieval.ingest import ColumnMap, load_mapped, load_online_retail

_ROLES = ("basket", "product", "title", "description", "category", "price", "quantity", "timestamp", "customer")
_FORMAT_KEYS = ("date_format", "encoding", "sep")


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
    if getattr(options, "col_attributes", None):
        values["attributes"] = tuple(options.col_attributes)
    for key in _FORMAT_KEYS:
        value = getattr(options, key, None)
        if value:
            values[key] = value
    if base is None and not any(k in values for k in (*_ROLES, "attributes")):
        return None
    return ColumnMap.build(values, source="column flags")


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
