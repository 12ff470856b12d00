"""Builds on disk and the CURRENT.json pointer that names the live one.

    <root>/index/CURRENT.json            which build is live (replaced atomically)
    <root>/index/build.lock              held while a build runs
    <root>/index/builds/<id>/target.json where this build writes (so a crashed one can be removed)
    <root>/index/builds/<id>/manifest.json  what the build holds, written when it is complete
    <root>/index/builds/<id>/chroma/     the embedded Chroma folder (embedded store only)
    <root>/index/builds/<id>/vectors.npy, ids.json   the exact numpy mirror

A build never touches the live build's files; switching is one atomic replace of
CURRENT.json (retrieval.storage's BuildStore, which also holds the lock and fsyncs the build
before the switch), so a build killed at any moment leaves the previous index as it was.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from ..errors import ConfigError
from ..storage import BuildLayout, BuildStore, LockHeldError, write_json_atomic
from .encoder import ModelInfo
from .store import StoreSpec, connect, drop_collection

log = logging.getLogger(__name__)

CURRENT_FILE = "CURRENT.json"
MANIFEST_FILE = "manifest.json"
TARGET_FILE = "target.json"
LOCK_FILE = "build.lock"
BUILDS = "builds"
LAYOUT = BuildLayout(pointer=CURRENT_FILE, builds=BUILDS, lock=LOCK_FILE, json_pointer=True)


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


def index_store(index_root: Path) -> BuildStore:
    """The index's builds: CURRENT.json holds the live build's whole BuildInfo."""
    return BuildStore(index_root, LAYOUT)


def build_folder(index_root: Path, build_id: str) -> Path:
    return index_store(index_root).folder(build_id)


def read_current(index_root: Path) -> BuildInfo | None:
    """The live build, or None when there is none. Raises ValueError when the pointer is corrupt."""
    store = index_store(index_root)
    document = store.current_document()  # PointerError (a ValueError) when unreadable
    if document is None:
        return None
    try:
        return BuildInfo.from_dict(document)
    except (ValueError, TypeError, KeyError) as exc:
        raise ValueError(f"{store.pointer_path} is unreadable: {exc}") from None


def switch_current(index_root: Path, info: BuildInfo) -> None:
    """Flush the complete build to disk and point CURRENT.json at it: the commit point."""
    index_store(index_root).commit(info.build_id, info.to_dict())


@contextmanager
def build_lock(index_root: Path) -> Iterator[None]:
    """One build at a time per data root; the OS drops the lock if the process dies.

    A second build fails at once rather than waiting: it would redo the first one's work.
    """
    with ExitStack() as held:
        try:  # only taking the lock is translated; the build's own errors pass through
            held.enter_context(index_store(index_root).lock(wait=False))
        except LockHeldError:
            raise ConfigError(f"another `shopassist build` is running on {index_root}") from None
        yield


def start_build(index_root: Path, build_id: str, spec: StoreSpec, collection: str) -> Path:
    """Make the build's folder and record where it will write, before writing anywhere.

    In place, not aside: Chroma's folder must be where it will be read from.
    """
    folder = index_store(index_root).new_build(build_id)
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
    return index_store(index_root).prune(
        keep={keep}, drop=lambda build_id: _drop_stale(index_root, build_id)
    )


def _drop_stale(index_root: Path, build_id: str) -> None:
    log.info("removing unfinished or replaced build %s", build_id)
    drop_build(index_root, build_id)
