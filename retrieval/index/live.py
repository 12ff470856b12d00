"""Reading the live build during a rebuild: is it current, and which vectors can be reused.

A rebuild reads the live build's own files (the numpy mirror and records.parquet), never
its Chroma folder: Chroma rewrites chroma.sqlite3 and HNSW files whenever a process opens a
collection, so a build killed while it had the live collection open could damage the very
index it must leave alone. Only a live build whose files are unreadable (already damaged)
is read through Chroma instead.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import ShopassistError
from ..vectors import IDS_FILE, VECTORS_FILE, ExactVectors
from .builds import MANIFEST_FILE, BuildInfo, build_folder
from .records import RECORDS_FILE, IndexRecords, load_records
from .store import StoreSpec, connect, get_collection, read_pages

log = logging.getLogger(__name__)


@dataclass
class LiveContents:
    """What the live build holds, as far as the next build cares."""

    ids: set[str] = field(default_factory=set)
    reusable: dict[str, np.ndarray] = field(default_factory=dict)  # same content hash: same vector


def is_unchanged(index_root: Path, live: BuildInfo, store: StoreSpec, template: str, fingerprint: str) -> bool:
    """Same content, store and template as the live build, and the live build's files are there."""
    if (live.fingerprint, live.store, live.template) != (fingerprint, store, template):
        return False
    folder = build_folder(index_root, live.build_id)
    needed = [MANIFEST_FILE, VECTORS_FILE, IDS_FILE, RECORDS_FILE]
    if live.store.host is None:
        needed.append("chroma/chroma.sqlite3")
    if not all((folder / name).exists() for name in needed) or not _mirror_intact(folder, live.count):
        return False
    if live.store.host is None:
        return True
    try:  # a server can lose a collection behind our back; asking it changes no local file
        return get_collection(connect(live.store), live.collection).count() == live.count
    except ShopassistError:
        raise
    except Exception as exc:  # chromadb raises many kinds for "not there"
        log.warning("the live collection %s is gone (%s); rebuilding", live.collection, exc)
        return False


def _mirror_intact(folder: Path, count: int) -> bool:
    """The mirror loads whole: a damaged one (say a truncated vectors.npy) must not pass for an
    up-to-date index, or the `shopassist build` that open_index asks for would change nothing."""
    try:
        mirror = ExactVectors.load(folder)
    except (OSError, ValueError) as exc:
        log.warning("the live build's vectors are unreadable (%s); rebuilding", exc)
        return False
    return len(mirror) == count and mirror.matrix.ndim == 2


def read_live(index_root: Path, live: BuildInfo, records: IndexRecords) -> LiveContents:
    """The live vectors whose content hash still matches the new records."""
    wanted = dict(zip(records.ids, records.hashes, strict=True))
    folder = build_folder(index_root, live.build_id)
    try:
        mirror = ExactVectors.load(folder)
        saved = load_records(folder)
        if list(saved["product_id"]) != mirror.ids:
            raise ValueError("records.parquet and ids.json disagree")
    except (OSError, ValueError, KeyError) as exc:
        log.warning("the live build's files are unreadable (%s); reading its vectors from Chroma", exc)
        return _read_through_chroma(index_root, live, wanted)
    contents = LiveContents(ids=set(mirror.ids))
    for row, (pid, digest) in enumerate(zip(saved["product_id"], saved["content_hash"], strict=True)):
        if wanted.get(pid) == digest:
            contents.reusable[pid] = np.array(mirror.matrix[row], dtype=np.float32)
    return contents


def _read_through_chroma(index_root: Path, live: BuildInfo, wanted: dict[str, str]) -> LiveContents:
    contents = LiveContents()
    try:
        folder = build_folder(index_root, live.build_id)
        client = connect(live.store, folder / "chroma" if live.store.host is None else None)
        collection = get_collection(client, live.collection)
        for page in read_pages(collection, include=["embeddings", "metadatas"]):
            for pid, vector, meta in zip(page["ids"], page["embeddings"], page["metadatas"], strict=True):
                contents.ids.add(pid)
                if wanted.get(pid) == (meta or {}).get("content_hash"):
                    contents.reusable[pid] = np.asarray(vector, dtype=np.float32)
    except ShopassistError:
        raise
    except Exception as exc:  # damaged beyond reading: re-embed rather than fail the rebuild
        log.warning("cannot read the live build %s (%s); re-embedding everything", live.build_id, exc)
        return LiveContents(ids=contents.ids)
    return contents
