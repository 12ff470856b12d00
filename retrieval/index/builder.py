"""Build (or refresh) the product index: embed only what changed, build aside, then switch.

Each build writes a new collection holding every product: vectors of products whose text
(and model) are unchanged are copied from the live build's numpy mirror, the rest are
embedded. Only when the new build is complete does CURRENT.json switch to it; then the old
build is deleted. If nothing changed at all, nothing is written and nothing is embedded.

The live build's files are only ever read, and its Chroma folder is not even opened (see
live.py), so a build killed at any point leaves the live index exactly as it was.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from ..config import index_dir
from ..errors import ConfigError, DataError, ModelMismatchError
from ..products import Catalogue
from ..storage import new_build_id, write_json_atomic
from ..vectors import ExactVectors
from .builds import (
    MANIFEST_FILE,
    BuildInfo,
    build_folder,
    build_lock,
    drop_build,
    drop_stale_builds,
    read_current,
    start_build,
    switch_current,
)
from .encoder import Encoder, ModelInfo
from .live import is_unchanged, read_live
from .records import IndexRecords, catalogue_records, save_records
from .store import StoreSpec, connect, create_collection, write_batches
from .text import DEFAULT_TEMPLATE, TextTemplate
from .transformers_encoder import TransformersEncoder, encoder_for

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildResult:
    build_id: str
    changed: bool  # False: the live build already matched the catalogue; nothing was written
    total: int
    embedded: int
    reused: int
    deleted: int
    seconds: float
    store: StoreSpec
    model: ModelInfo
    folder: Path


def build_index(
    catalogue: Catalogue,
    root: str | os.PathLike[str] | None = None,
    *,
    store: StoreSpec | None = None,
    encoder: Encoder | None = None,
    template: TextTemplate | str | None = None,
    full: bool = False,
    write_batch_size: int | None = None,
) -> BuildResult:
    """Embed `catalogue` into a new build under `root` and make it the live index.

    Unset options keep what the live build used (its store, model and template), else the
    defaults: embedded Chroma, the bundled all-MiniLM-L6-v2, DEFAULT_TEMPLATE. `full`
    re-embeds everything and is required to change the model of an existing index.
    """
    started = time.perf_counter()
    if len(catalogue) == 0:
        raise DataError("the catalogue has no products; nothing to index")
    index_root = index_dir(root)
    with build_lock(index_root):
        previous = _live_build(index_root)
        drop_stale_builds(index_root, keep=previous.build_id if previous else None)
        store = store or (previous.store if previous else StoreSpec())
        if encoder is None:
            encoder = encoder_for(previous.model) if previous else TransformersEncoder()
        if isinstance(template, str) or template is None:
            template = TextTemplate(template or (previous.template if previous else DEFAULT_TEMPLATE))
        if store.host is not None:
            connect(store)  # an unreachable server fails now, not after minutes of embedding
        model = encoder.info
        if previous is not None and not full and not previous.model.same_model(model):
            raise ModelMismatchError(
                f"the index under {index_root} was built with {previous.model.describe()}; "
                f"this build uses {model.describe()}. Re-run with --full to re-embed every "
                "product with the new model."
            )
        records = catalogue_records(catalogue, template, encoder.document_key)
        fingerprint = records.fingerprint()
        if previous is not None and not full and is_unchanged(index_root, previous, store, template.template, fingerprint):
            log.debug("index %s is up to date (%d products)", previous.build_id, previous.count)
            return BuildResult(
                previous.build_id, False, previous.count, 0, previous.count, 0,
                time.perf_counter() - started, store, model, build_folder(index_root, previous.build_id),
            )
        contents = None if previous is None or full else read_live(index_root, previous, records)
        old_ids = contents.ids if contents else _ids_of(index_root, previous)
        vectors, embedded = _vectors(encoder, records, contents.reusable if contents else {})
        info = _write_build(index_root, store, model, template, records, vectors, fingerprint, write_batch_size)
        switch_current(index_root, info)  # the commit point
        if previous is not None:
            drop_build(index_root, previous.build_id)
    deleted = len(old_ids - set(records.ids))
    seconds = time.perf_counter() - started
    log.debug(
        "built index %s: %d products (%d embedded, %d reused, %d removed) in %.1f s",
        info.build_id, len(records), embedded, len(records) - embedded, deleted, seconds,
    )
    return BuildResult(
        info.build_id, True, len(records), embedded, len(records) - embedded, deleted, seconds,
        store, model, build_folder(index_root, info.build_id),
    )


def _write_build(
    index_root: Path,
    store: StoreSpec,
    model: ModelInfo,
    template: TextTemplate,
    records: IndexRecords,
    vectors: np.ndarray,
    fingerprint: str,
    write_batch_size: int | None,
) -> BuildInfo:
    """Write a complete new build aside (Chroma collection, mirror, records, manifest)."""
    build_id = new_build_id()
    collection_name = store.collection_name(build_id)
    folder = start_build(index_root, build_id, store, collection_name)
    client = connect(store, folder / "chroma" if store.host is None else None)
    collection = create_collection(
        client,
        collection_name,
        store,
        {
            "model": model.name,
            "model_fingerprint": model.fingerprint,
            "dimension": model.dimension,
            "template": template.template,
            "build_id": build_id,
        },
    )
    log.info("writing %d products to %s", len(records), store.describe())
    write_batches(client, collection, records.ids, vectors, records.metadatas, records.texts, write_batch_size)
    ExactVectors(records.ids, vectors).save(folder)
    save_records(records, folder)
    info = BuildInfo(
        build_id=build_id,
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        store=store,
        collection=collection_name,
        model=model,
        template=template.template,
        count=len(records),
        fingerprint=fingerprint,
    )
    write_json_atomic(folder / MANIFEST_FILE, info.to_dict())
    return info


def live_build(root: str | os.PathLike[str] | None = None) -> BuildInfo | None:
    """The live build's description, or None when there is none (or its pointer is damaged)."""
    return _live_build(index_dir(root))


def store_spec(
    root: str | os.PathLike[str] | None = None,
    *,
    host: str | None = None,
    port: int | None = None,
    collection: str | None = None,
    ef_search: int | None = None,
    embedded: bool = False,
) -> StoreSpec:
    """The store a build should write to: the live build's, with the given fields changed."""
    live = live_build(root)
    base = live.store if live else StoreSpec()
    if host is not None and embedded:
        raise ConfigError("choose either a Chroma server (--chroma-host) or the embedded store")
    return StoreSpec(
        host=None if embedded else (host or base.host),
        port=port or base.port,
        collection=collection or base.collection,
        ef_search=ef_search or base.ef_search,
        ef_construction=base.ef_construction,
        max_neighbors=base.max_neighbors,
    )


def _live_build(index_root: Path) -> BuildInfo | None:
    try:
        return read_current(index_root)
    except ValueError as exc:
        log.warning("ignoring the damaged index pointer (%s); building from scratch", exc)
        return None


def _ids_of(index_root: Path, build: BuildInfo | None) -> set[str]:
    """Ids of a build (from its mirror), only to report how many products a full build dropped."""
    if build is None:
        return set()
    try:
        return set(ExactVectors.load(build_folder(index_root, build.build_id)).ids)
    except (OSError, ValueError):
        return set()


def _vectors(encoder: Encoder, records: IndexRecords, reusable: dict[str, np.ndarray]) -> tuple[np.ndarray, int]:
    vectors = np.empty((len(records), encoder.dimension), dtype=np.float32)
    todo = []
    for i, pid in enumerate(records.ids):
        if pid in reusable:
            vectors[i] = reusable[pid]
        else:
            todo.append(i)
    if todo:
        log.info("embedding %d of %d products (%d unchanged)", len(todo), len(records), len(records) - len(todo))
        vectors[todo] = encoder.encode_documents([records.texts[i] for i in todo])
    return vectors, len(todo)
