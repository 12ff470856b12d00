"""Models that serving would otherwise refit at every start, saved once under the data root.

A saved model is named by a key of everything it was fitted from (the caller's hash of the
baskets and settings), so a changed dataset or setting simply misses and refits; a damaged
file is refitted too. `write_atomic` is the one place these files are written.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, TypeVar

from ..config import data_root

log = logging.getLogger(__name__)

MODELS_DIR = "models"

T = TypeVar("T")


def write_atomic(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """Write through a temporary file in the same folder, fsync it, then rename it over `path`:
    a reader sees the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def saved_or_fitted(
    root: str | os.PathLike[str] | None,
    name: str,
    key: str,
    fit: Callable[[], T],
    save: Callable[[T, BinaryIO], None],
    load: Callable[[Path], T],
) -> T:
    """The model saved as `<root>/models/<name>-<key>.npz`, else `fit()` it and save it there
    (dropping this name's files of other keys: they belong to data that is gone)."""
    folder = data_root(root) / MODELS_DIR
    path = folder / f"{name}-{key}.npz"
    if path.exists():
        try:
            model = load(path)
            log.info("%s from %s", name, path)
            return model
        except (OSError, ValueError, KeyError) as exc:
            log.warning("the saved %s in %s is unreadable (%s); fitting it again", name, path, exc)
    model = fit()
    try:
        write_atomic(path, lambda f: save(model, f))
    except OSError as exc:  # a read-only data root still serves, it just refits next time
        log.warning("could not save the %s to %s (%s)", name, path, exc)
        return model
    for other in folder.glob(f"{name}-*.npz"):
        if other != path:
            other.unlink(missing_ok=True)
    return model
