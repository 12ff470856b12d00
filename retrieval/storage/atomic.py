"""Atomic file writes: a reader sees the old file or the new one, whole, never a mix.

Every write goes to a temporary file in the target's own folder (os.replace is only atomic
within one file system), is flushed and fsynced, renamed over the target, and then the
folder is fsynced so the rename itself survives a power cut. A writer that raises leaves the
old file and no temporary file behind.

Temporary names are hidden and carry the writer's pid (two processes writing one target do
not clobber each other's temp file) and keep the target's suffix (np.save and np.savez add
``.npy``/``.npz`` to a path that lacks it). A process killed mid-write cannot clean up, so
each write first removes the temp files of the same target left by processes that are gone.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

# Writes the new content to the path it is given (a temporary one); its return is ignored.
Writer = Callable[[Path], object]

TEMP_MARK = ".tmp-"


def write_atomic(path: str | os.PathLike[str], writer: Writer) -> Path:
    """Replace `path` with what `writer(temp_path)` writes; returns `path`.

    For library writers that want a path: ``write_atomic(p, lambda t: frame.to_parquet(t))``.
    """
    path = Path(path)
    write_files_atomic(path.parent, {path.name: writer})
    return path


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> Path:
    return write_atomic(path, lambda tmp: tmp.write_bytes(data))


def write_text_atomic(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> Path:
    return write_atomic(path, lambda tmp: tmp.write_text(text, encoding=encoding))


def write_json_atomic(path: str | os.PathLike[str], data: Any, *, indent: int | None = 2) -> Path:
    # Serialised before any file is touched: data json cannot encode fails with nothing written.
    return write_text_atomic(path, json.dumps(data, indent=indent))


def write_files_atomic(folder: str | os.PathLike[str], writers: Mapping[str, Writer]) -> Path:
    """Write several files of `folder` (name -> writer), then rename them all into place.

    Each file is atomic on its own. Writing every temp file before the first rename means a
    writer that fails (or a process killed while writing) changes none of them; only the
    renames themselves, back to back, are not one atomic step together.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    temps: dict[str, Path] = {}
    try:
        for name, writer in writers.items():
            target = folder / name
            _sweep_orphans(target)
            temps[name] = _temp_path(target)
            writer(temps[name])
            fsync_file(temps[name])
        for name, tmp in temps.items():
            os.replace(tmp, folder / name)
    except BaseException:
        for tmp in temps.values():
            tmp.unlink(missing_ok=True)
        raise
    fsync_dir(folder)
    return folder


def fsync_file(path: Path) -> None:
    """Flush a file's data to disk, whoever wrote it (a read-only descriptor is enough on Linux)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(folder: Path) -> None:
    """Make renames and new entries in `folder` durable."""
    if os.name == "nt":  # Windows cannot open a folder as a file; NTFS journals renames
        return
    fsync_file(folder)


def fsync_tree(folder: Path) -> None:
    """Every file and folder under `folder`, deepest first, then `folder` itself."""
    for current, dirs, files in os.walk(folder, topdown=False):
        here = Path(current)
        for name in files:
            fsync_file(here / name)
        for name in dirs:
            fsync_dir(here / name)
    fsync_dir(folder)


def is_temp_name(name: str) -> bool:
    """Whether `name` is one of this module's temporary files (for folder listings)."""
    return name.startswith(".") and TEMP_MARK in name


def _temp_path(target: Path) -> Path:
    # The random tail keeps two threads of one process apart.
    return target.with_name(f".{target.name}{TEMP_MARK}{os.getpid()}-{secrets.token_hex(4)}{target.suffix}")


def _sweep_orphans(target: Path) -> None:
    prefix = f".{target.name}{TEMP_MARK}"
    if not target.parent.is_dir():
        return
    for leftover in target.parent.glob(f"{_glob_escape(prefix)}*"):
        pid = leftover.name[len(prefix):].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            log.debug("removing %s, left by a writer that died", leftover)
            leftover.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid() or os.name == "nt":
        # Ours: another thread may be writing it now. Windows: os.kill(pid, 0) would send
        # CTRL_C_EVENT, not probe, so nothing is ever swept there.
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    except OSError:  # cannot tell: keep the file
        return True
    return True


def _glob_escape(text: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)
