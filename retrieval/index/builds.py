"""Builds on disk and the CURRENT.json pointer that names the live one.

    <root>/index/CURRENT.json            which build is live (replaced atomically)
    <root>/index/build.lock              held while a build runs
    <root>/index/builds/<id>/target.json where this build writes (so a crashed one can be removed)
    <root>/index/builds/<id>/manifest.json  what the build holds, written when it is complete
    <root>/index/builds/<id>/chroma/     the embedded Chroma folder (embedded store only)
    <root>/index/builds/<id>/vectors.npy, ids.json   the exact numpy mirror

A build never touches the live build's files; switching is one os.replace of CURRENT.json,
so a build killed at any moment leaves the previous index as it was.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..errors import ConfigError
from .encoder import ModelInfo
from .store import StoreSpec, connect, drop_collection

log = logging.getLogger(__name__)

CURRENT_FILE = "CURRENT.json"
MANIFEST_FILE = "manifest.json"
TARGET_FILE = "target.json"
LOCK_FILE = "build.lock"
BUILDS = "builds"


@dataclass(frozen=True)
class BuildInfo:
    """Everything needed to open a build again and to know what it holds."""

    build_id: str
    created: str
    store: StoreSpec
    collection: str
    model: ModelInfo
    template: str
    count: int
    fingerprint: str  # of ids, texts (via content hashes), model and metadata

    def to_dict(self) -> dict:
        d = asdict(self)
        d["store"], d["model"] = self.store.to_dict(), self.model.to_dict()
        return d

    @classmethod
    def from_dict(cls, d: dict) -> BuildInfo:
        d = dict(d)
        d["store"] = StoreSpec.from_dict(d["store"])
        d["model"] = ModelInfo.from_dict(d["model"])
        return cls(**d)


def new_build_id() -> str:
    # Sortable by time; the random tail keeps two builds in one second apart.
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3)


def build_folder(index_root: Path, build_id: str) -> Path:
    return index_root / BUILDS / build_id


def write_json_atomic(path: Path, data: dict) -> None:
    """Temp file, fsync, rename, fsync the folder: readers see the old or the new file, whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("w") as f:
        json.dump(data, f, indent=2)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read_current(index_root: Path) -> BuildInfo | None:
    """The live build, or None when there is none. Raises ValueError when the pointer is corrupt."""
    path = index_root / CURRENT_FILE
    if not path.exists():
        return None
    try:
        return BuildInfo.from_dict(json.loads(path.read_text()))
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise ValueError(f"{path} is unreadable: {exc}") from None


def switch_current(index_root: Path, info: BuildInfo) -> None:
    write_json_atomic(index_root / CURRENT_FILE, info.to_dict())


@contextmanager
def build_lock(index_root: Path) -> Iterator[None]:
    """One build at a time per data root; the OS drops the lock if the process dies."""
    import fcntl

    index_root.mkdir(parents=True, exist_ok=True)
    with (index_root / LOCK_FILE).open("w") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ConfigError(f"another `shopassist build` is running on {index_root}") from None
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def start_build(index_root: Path, build_id: str, spec: StoreSpec, collection: str) -> Path:
    """Make the build's folder and record where it will write, before writing anywhere."""
    folder = build_folder(index_root, build_id)
    folder.mkdir(parents=True)
    write_json_atomic(folder / TARGET_FILE, {"store": spec.to_dict(), "collection": collection})
    return folder


def drop_build(index_root: Path, build_id: str) -> None:
    """Delete a build: its server collection (if any), then its folder."""
    folder = build_folder(index_root, build_id)
    target = folder / TARGET_FILE
    try:
        data = json.loads(target.read_text()) if target.exists() else None
    except ValueError:
        data = None  # killed while writing target.json: nothing was written to a server yet
    if data is not None:
        spec = StoreSpec.from_dict(data["store"])
        if spec.host is not None:
            try:
                drop_collection(connect(spec), data["collection"])
            except Exception as exc:  # server gone: the folder still goes, the collection stays
                log.warning("could not drop collection %s on %s: %s", data["collection"], spec.host, exc)
    shutil.rmtree(folder, ignore_errors=True)
    log.debug("dropped build %s", build_id)


def drop_stale_builds(index_root: Path, keep: str | None) -> list[str]:
    """Remove builds other than `keep`: leftovers of killed builds or failed deletions."""
    builds = index_root / BUILDS
    stale = [p.name for p in builds.iterdir() if p.is_dir() and p.name != keep] if builds.exists() else []
    for build_id in stale:
        log.info("removing unfinished or replaced build %s", build_id)
        drop_build(index_root, build_id)
    return stale
