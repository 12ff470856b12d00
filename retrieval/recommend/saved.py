"""Models that serving would otherwise refit at every start, saved once under the data root.

A saved model is named by a key of everything it was fitted from (the caller's hash of the
baskets and settings), so a changed dataset or setting simply misses and refits; a damaged
file is refitted too. They are written with the shared atomic write (`retrieval.storage`).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from ..config import data_root
from ..storage import write_atomic

log = logging.getLogger(__name__)

MODELS_DIR = "models"

T = TypeVar("T")


def saved_or_fitted(
    root: str | os.PathLike[str] | None,
    name: str,
    key: str,
    fit: Callable[[], T],
    save: Callable[[T, Path], None],
    load: Callable[[Path], T],
) -> T:
    """The model saved as `<root>/models/<name>-<key>.npz`, else `fit()` it and save it there
    (dropping this name's files of other keys: they belong to data that is gone)."""
    path = saved_path(root, name, key)
    folder = path.parent
    if path.exists():
        try:
            model = load(path)
            log.info("%s from %s", name, path)
            return model
        except (OSError, ValueError, KeyError) as exc:
            log.warning("the saved %s in %s is unreadable (%s); fitting it again", name, path, exc)
    model = fit()
    try:
        # The temporary file keeps the ".npz" suffix, so numpy writes to it as named.
        write_atomic(path, lambda tmp: save(model, tmp))
    except OSError as exc:  # a read-only data root still serves, it just refits next time
        log.warning("could not save the %s to %s (%s)", name, path, exc)
        return model
    for other in folder.glob(f"{name}-*.npz"):
        if other != path:
            other.unlink(missing_ok=True)
    return model



def saved_path(root: str | os.PathLike[str] | None, name: str, key: str) -> Path:
    """Where `saved_or_fitted` keeps the model `name` fitted from what `key` names."""
    return data_root(root) / MODELS_DIR / f"{name}-{key}.npz"
