"""Which dataset a command works on: the one rule every shell uses.

An explicit path (a command's `--dataset DIR` or PATH argument) wins; else the dataset saved
under the data root (by `shopassist ingest --save` or `shopassist build`); else the bundled
Online Retail file. Keeping the rule in one place is what makes `rules --save`, `build`,
`eval` and the assistant all work on a retailer's own saved data, not the bundled file.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from .config import BUNDLED_ONLINE_RETAIL, CLONE_ONLINE_RETAIL, PACKAGED_ONLINE_RETAIL, dataset_dir
from .dataset import Dataset
from .errors import ConfigError
from .ingest import load_online_retail

log = logging.getLogger(__name__)

SAVED_MARKER = "products.parquet"  # a folder holds a saved dataset iff this is in it

ReadExport = Callable[[Path], Dataset]


class DatasetSource(StrEnum):
    EXPLICIT = "explicit path"
    SAVED = "saved dataset"
    BUNDLED = "bundled file"


@dataclass(frozen=True)
class ResolvedDataset:
    """A loaded dataset and where it came from, so a command can say which data it used."""

    dataset: Dataset
    source: DatasetSource
    path: Path

    def describe(self) -> str:
        """One line for a person: which data, from where, how big."""
        return (f"dataset: {self.source} {self.path} ({len(self.dataset.catalogue):,} products, "
                f"{len(self.dataset.baskets):,} baskets)")


def has_saved_dataset(folder: str | os.PathLike[str]) -> bool:
    return (Path(folder) / SAVED_MARKER).exists()


def resolve_dataset(
    explicit: str | os.PathLike[str] | None = None,
    root: str | os.PathLike[str] | None = None,
    *,
    read_export: ReadExport | None = None,
) -> ResolvedDataset:
    """Load the dataset by the rule: `explicit` > the saved one under `root` > the bundled file.

    `explicit` is a saved dataset folder or an export file; `read_export` reads such a file
    (default: the Online Retail format), so `ingest` can pass its column mapping.
    """
    if explicit:  # None or "" (an omitted PATH) fall through to the rule
        resolved = _explicit(Path(explicit).expanduser(), read_export)
    elif has_saved_dataset(saved := dataset_dir(root)):
        resolved = ResolvedDataset(Dataset.load(saved), DatasetSource.SAVED, saved)
    else:
        resolved = ResolvedDataset(_read_bundled(), DatasetSource.BUNDLED, BUNDLED_ONLINE_RETAIL)
    log.debug("%s", resolved.describe())
    return resolved


def _explicit(path: Path, read_export: ReadExport | None) -> ResolvedDataset:
    if not path.exists():
        raise ConfigError(
            f"no cleaned dataset or export at {path}: no such file or folder. Give a folder written "
            "by `shopassist ingest --out DIR` or a retailer's export file."
        )
    if path.is_dir():
        # Dataset.load names the folder when it holds no (or a damaged) saved dataset.
        return ResolvedDataset(Dataset.load(path), DatasetSource.EXPLICIT, path)
    read = read_export or load_online_retail
    return ResolvedDataset(read(path), DatasetSource.EXPLICIT, path)


def _read_bundled() -> Dataset:
    if not BUNDLED_ONLINE_RETAIL.is_file():
        # A wheel built without its package data, or a clone missing data/: say where we looked.
        raise ConfigError(
            f"the bundled Online Retail file is not installed (looked for {PACKAGED_ONLINE_RETAIL} "
            f"and {CLONE_ONLINE_RETAIL}). Pass --dataset DIR, or save a dataset first with "
            "`shopassist ingest FILE --save`."
        )
    return load_online_retail(BUNDLED_ONLINE_RETAIL)
