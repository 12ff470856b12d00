"""The one data root everything persists under (index, rules, cleaned data, logs).

Resolved at call time, never at import time, so tests can point SHOPASSIST_HOME at a
temporary directory after importing the package.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

ENV_HOME = "SHOPASSIST_HOME"
DEFAULT_HOME = Path("~/.shopassist")

# In a clone the bundled data sits in data/, next to the packages.
REPO_ROOT = Path(__file__).resolve().parent.parent
BUNDLED_DATA = REPO_ROOT / "data"
ONLINE_RETAIL_FILE = "online_retail_2010_2011.csv.gz"
# An installed wheel carries data/online_retail/ as package data of `retrieval` (setup.py
# copies it in at build time), because site-packages has no data/ beside the packages.
PACKAGED_DATA = "bundled"
PACKAGED_ONLINE_RETAIL = resources.files(__package__) / PACKAGED_DATA / "online_retail" / ONLINE_RETAIL_FILE
CLONE_ONLINE_RETAIL = BUNDLED_DATA / "online_retail" / ONLINE_RETAIL_FILE


def _bundled_online_retail() -> Path:
    """The packaged copy in an installed wheel, else the clone's data/ file.

    Fixed per install, so it is resolved once at import (unlike the data root).
    """
    # Only a real file will do: pandas and the shop profile beside it need a path.
    if isinstance(PACKAGED_ONLINE_RETAIL, Path) and PACKAGED_ONLINE_RETAIL.is_file():
        return PACKAGED_ONLINE_RETAIL
    return CLONE_ONLINE_RETAIL


BUNDLED_ONLINE_RETAIL = _bundled_online_retail()
# For the tests and the README's mapping example; not packaged (GPL-3 data), so clone-only.
BUNDLED_GROCERIES_LONG = BUNDLED_DATA / "groceries" / "groceries_long.csv.gz"


def data_root(root: str | os.PathLike[str] | None = None) -> Path:
    """The data root: `root` if given, else $SHOPASSIST_HOME, else ~/.shopassist."""
    chosen = root if root is not None else os.environ.get(ENV_HOME) or DEFAULT_HOME
    path = Path(chosen).expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return path


def dataset_dir(root: str | os.PathLike[str] | None = None) -> Path:
    """Where the cleaned catalogue and baskets live as Parquet."""
    return data_root(root) / "dataset"


def index_dir(root: str | os.PathLike[str] | None = None) -> Path:
    """Where the vector index builds (and the pointer to the current one) live."""
    return data_root(root) / "index"


def rules_dir(root: str | os.PathLike[str] | None = None) -> Path:
    """Where mined association rules live, beside the index."""
    return data_root(root) / "rules"


def positive_env(name: str, kind: type[int] | type[float] = float) -> int | float | None:
    """$name read as a number > 0 (`kind`), None when unset; anything else is a ConfigError naming it."""
    from .errors import ConfigError

    raw = os.environ.get(name)
    if not raw:
        return None
    try:
        value = kind(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a {kind.__name__} > 0, got {raw!r}.") from None
    if value <= 0:
        raise ConfigError(f"{name} must be > 0, got {raw!r}.")
    return value
