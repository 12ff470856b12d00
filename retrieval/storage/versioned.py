"""Versioned builds on disk: each build in its own folder, a pointer file naming the live one.

    <root>/<pointer>            which build is live, replaced atomically (the commit point)
    <root>/<lock>               held while a build runs (an OS lock: dropped if the process dies)
    <root>/<builds>/<id>/       one folder per build, never changed once the pointer names it
    <root>/<builds>/.tmp-<id>/  a build being written aside by `publish`

Readers go through the pointer only, so a reader sees the old build or the new one, never
half of one: a build is written (and fsynced) in a folder nothing points at yet, then the
pointer is replaced. A build killed at any moment leaves the live build as it was; what it
left behind is pruned by the next build, under the lock.

Two ways to write a build: `publish(write)` runs the whole cycle for a writer that can write
anywhere (it writes into ``.tmp-<id>``, renamed once complete); `new_build` + `commit` are
for writers that must write in the build's final folder (an embedded database that records
its own path), with the caller holding `lock()` around them.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from .atomic import fsync_dir, fsync_tree, write_json_atomic, write_text_atomic

log = logging.getLogger(__name__)

STAGING_PREFIX = ".tmp-"


class LockHeldError(ConfigError):
    """Another process holds the build lock and the caller asked not to wait."""


class PointerError(ValueError):
    """The pointer file exists but cannot be read as a build id (or a JSON record of one)."""


@dataclass(frozen=True)
class BuildLayout:
    """File names of one kind of build store; fixed per store so existing roots keep loading."""

    pointer: str  # e.g. "CURRENT.json"
    builds: str = ""  # sub-folder holding the build folders; "" puts them beside the pointer
    lock: str = "build.lock"
    json_pointer: bool = False  # the pointer holds a JSON object with "build_id", else the bare id


def new_build_id(tail_bytes: int = 3) -> str:
    """Sortable by time; the random tail keeps two builds in one second apart."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(tail_bytes)


@dataclass(frozen=True)
class BuildStore:
    """The builds of one kind under `root`; cheap to make, holds no state beyond the paths."""

    root: Path
    layout: BuildLayout

    @property
    def builds_dir(self) -> Path:
        return self.root / self.layout.builds if self.layout.builds else self.root

    @property
    def pointer_path(self) -> Path:
        return self.root / self.layout.pointer

    def folder(self, build_id: str) -> Path:
        return self.builds_dir / build_id

    # Reading ---------------------------------------------------------------------------

    def current(self) -> str | None:
        """The live build's id, or None when nothing was committed. PointerError if damaged."""
        if not self.layout.json_pointer:
            text = self._pointer_text()
            return (text or "").strip() or None  # an empty pointer names nothing
        document = self.current_document()
        return None if document is None else str(document["build_id"])

    def current_document(self) -> dict[str, Any] | None:
        """The JSON record the pointer holds (JSON pointers only), or None when there is none."""
        if not self.layout.json_pointer:
            raise TypeError(f"{self.pointer_path} holds a bare build id, not a JSON record")
        text = self._pointer_text()
        if text is None:
            return None
        try:
            document = json.loads(text)
        except ValueError as exc:
            raise PointerError(f"{self.pointer_path} is unreadable: {exc}") from None
        if not isinstance(document, dict) or not isinstance(document.get("build_id"), str):
            raise PointerError(f"{self.pointer_path} is unreadable: no build_id")
        return document

    def current_folder(self) -> Path | None:
        """The live build's folder, or None when nothing was committed (or it has gone)."""
        build_id = self.current()
        folder = None if build_id is None else self.folder(build_id)
        return folder if folder is not None and folder.is_dir() else None

    def builds(self) -> list[str]:
        """Ids of the complete-looking build folders on disk, oldest first."""
        return sorted(p.name for p in self._folders() if not p.name.startswith(STAGING_PREFIX))

    # Writing ---------------------------------------------------------------------------

    @contextmanager
    def lock(self, *, wait: bool = True) -> Iterator[None]:
        """One writer at a time across processes; `wait=False` raises LockHeldError instead of
        waiting. Readers never take it: the pointer is what keeps them safe."""
        import fcntl  # POSIX only, as are the builds' other users

        self.root.mkdir(parents=True, exist_ok=True)
        # Append mode: taking the lock must not rewrite the file (mtimes are compared in tests
        # that check an unchanged rebuild writes nothing).
        with (self.root / self.layout.lock).open("a") as f:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                raise LockHeldError(f"another build holds {self.root / self.layout.lock}") from None
            try:
                yield
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)

    def new_build(self, build_id: str) -> Path:
        """Make the (empty, final) folder of a build that will be written in place. Hold `lock()`."""
        folder = self.folder(build_id)
        folder.mkdir(parents=True)  # an existing folder is a reused id: refuse, never mix builds
        return folder

    def commit(self, build_id: str, document: Mapping[str, Any] | None = None) -> None:
        """Flush the complete build to disk, then switch the pointer to it (the commit point).

        JSON pointers take `document` (which must name `build_id`); bare ones write the id.
        """
        folder = self.folder(build_id)
        if not folder.is_dir():
            raise FileNotFoundError(f"no build folder {folder} to commit")
        # Before the switch: a power cut after it must not find a pointer to unwritten files.
        fsync_tree(folder)
        fsync_dir(folder.parent)
        if self.layout.json_pointer:
            if document is None or document.get("build_id") != build_id:
                raise ValueError(f"the pointer record must name build {build_id}")
            write_json_atomic(self.pointer_path, dict(document))
        else:
            write_text_atomic(self.pointer_path, build_id)
        log.debug("%s now points at %s", self.pointer_path, build_id)

    def publish(
        self,
        write: Callable[[Path], object],
        build_id: str | None = None,
        *,
        document: Mapping[str, Any] | None = None,
        keep_previous: bool = True,
        wait: bool = True,
    ) -> Path:
        """Write a build aside with `write(folder)`, rename it into place, switch, prune.

        Under the lock, so two publishers take turns. `keep_previous` keeps the build the
        pointer named before (a reader may have just read the old pointer); older ones go.
        Returns the new build's folder.
        """
        build_id = build_id or new_build_id()
        with self.lock(wait=wait):
            previous = self._current_or_none()
            staging = self.builds_dir / f"{STAGING_PREFIX}{build_id}"
            staging.mkdir(parents=True)
            try:
                write(staging)
                fsync_tree(staging)
                os.rename(staging, self.folder(build_id))  # fails, rather than merges, if it exists
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
            self.commit(build_id, document)
            self.prune(keep={build_id, previous} if keep_previous else {build_id})
        return self.folder(build_id)

    def prune(self, keep: Iterable[str | None], drop: Callable[[str], None] | None = None) -> list[str]:
        """Remove every build folder (staging ones too) not in `keep`; returns their names.

        Hold `lock()`: a folder not kept is then either finished with or a killed build's.
        `drop` removes one build (say, a server-side collection first); default: its folder.
        """
        kept = {k for k in keep if k}
        gone = sorted(p.name for p in self._folders() if p.name not in kept)
        for name in gone:
            log.debug("removing build %s from %s", name, self.builds_dir)
            if drop is None:
                shutil.rmtree(self.folder(name), ignore_errors=True)
            else:
                drop(name)
        return gone

    # ---------------------------------------------------------------------------------

    def _pointer_text(self) -> str | None:
        try:
            return self.pointer_path.read_text()
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            raise PointerError(f"{self.pointer_path} is unreadable: {exc}") from None

    def _current_or_none(self) -> str | None:
        try:
            return self.current()
        except PointerError as exc:
            log.warning("ignoring the damaged pointer (%s)", exc)
            return None

    def _folders(self) -> list[Path]:
        base = self.builds_dir
        return [p for p in base.iterdir() if p.is_dir()] if base.is_dir() else []
