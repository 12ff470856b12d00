"""Where the vectors live: an embedded Chroma folder or a Chroma server, and how to talk to it.

Two Chroma facts shape this module: collections must be created with
`embedding_function=None` (the default one downloads a model at first use), and
`ef_search` only takes effect when set at creation (changing it later did not change
recall), so both are fixed here for every collection we make.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from ..errors import ConfigError, StoreUnavailableError

log = logging.getLogger(__name__)

DEFAULT_COLLECTION = "products"
DEFAULT_EF_SEARCH = 400  # default 100 gave recall 0.95 on 10k real titles; 400 ~0.99+
READ_PAGE = 5000
# Pauses between tries of a request to a Chroma server that cannot be reached (3.75 s in all):
# long enough to ride out a restart, short enough that a dead server is soon an error.
RETRY_DELAYS = (0.25, 0.5, 1.0, 2.0)
_NOT_RETRIED = frozenset({"create_collection", "delete_collection"})  # a lost reply makes a retry fail
TIMEOUT_ENV = "SHOPASSIST_CHROMA_TIMEOUT"
DEFAULT_SERVER_TIMEOUT = 120.0


@dataclass(frozen=True)
class StoreSpec:
    """An embedded Chroma (host None: a folder inside each build) or a Chroma server."""

    host: str | None = None
    port: int = 8000
    collection: str = DEFAULT_COLLECTION
    ef_search: int = DEFAULT_EF_SEARCH
    ef_construction: int = 100
    max_neighbors: int = 16

    def __post_init__(self) -> None:
        name = self.collection
        if not (3 <= len(name) <= 200 and name[0].isalnum() and name[-1].isalnum()) or not all(
            c.isalnum() or c in "._-" for c in name
        ):
            raise ConfigError(
                f"bad collection name {name!r}: 3-200 characters of letters, digits, '.', '_' "
                "or '-', starting and ending with a letter or digit"
            )
        if self.ef_search < 1 or self.ef_construction < 1 or self.max_neighbors < 2:
            raise ConfigError("ef_search and ef_construction must be positive, max_neighbors >= 2")

    @property
    def kind(self) -> str:
        return "embedded" if self.host is None else "server"

    def describe(self) -> str:
        where = "embedded Chroma" if self.host is None else f"Chroma server {self.host}:{self.port}"
        return f"{where}, collection {self.collection!r}"

    def collection_name(self, build_id: str) -> str:
        # Embedded builds each get their own folder; builds on one server need their own names.
        return self.collection if self.host is None else f"{self.collection}-{build_id}"

    def hnsw(self) -> dict:
        return {
            "space": "cosine",
            "ef_search": self.ef_search,
            "ef_construction": self.ef_construction,
            "max_neighbors": self.max_neighbors,
        }

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> StoreSpec:
        return cls(**d)


def connect(spec: StoreSpec, folder: str | os.PathLike[str] | None = None):
    """A Chroma client: PersistentClient on `folder` when embedded, else an HttpClient whose
    requests (and those of its collections) retry a brief outage, then raise
    StoreUnavailableError naming the server."""
    import chromadb
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False, allow_reset=False)
    if spec.host is None:
        if folder is None:
            raise ValueError("an embedded store needs a folder")
        Path(folder).mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(folder), settings=settings)

    def attempt():
        _probe(spec)
        client = chromadb.HttpClient(host=spec.host, port=spec.port, settings=settings)
        _bound_requests(client)
        client.heartbeat()
        return client

    # chromadb raises ValueError, httpx errors, ... for one cause while the client is made.
    return _Guarded(_request(spec, "connect", attempt, transient=(Exception,)), spec)


def server_timeout() -> float:
    """Seconds a Chroma server may take to answer one request (chromadb's own client waits
    forever, so a server that stops answering would hang the caller)."""
    return float(os.environ.get(TIMEOUT_ENV, DEFAULT_SERVER_TIMEOUT))


def _probe(spec: StoreSpec) -> None:
    # HttpClient() talks to the server before we can bound its waits; ask it first, bounded.
    import httpx

    url = f"http://{spec.host}:{spec.port}/api/v2/heartbeat"
    httpx.get(url, timeout=min(server_timeout(), 10.0)).raise_for_status()


def _bound_requests(client) -> None:
    import httpx

    session = getattr(getattr(client, "_server", None), "_session", None)
    if isinstance(session, httpx.Client):
        session.timeout = httpx.Timeout(server_timeout(), connect=min(server_timeout(), 10.0))
    else:  # another chromadb layout: keep working, unbounded
        log.debug("cannot bound the Chroma client's request time on this chromadb version")


def _unreachable(spec: StoreSpec, exc: Exception, tries: int) -> StoreUnavailableError:
    return StoreUnavailableError(
        f"cannot reach the Chroma server at {spec.host}:{spec.port} ({type(exc).__name__}: {exc}; "
        f"{tries} tries). Start it with `chroma run --host {spec.host} --port {spec.port} --path DIR` "
        "(the folder it served from) and try again, or build without --chroma-host to use the "
        "embedded store."
    )


def _request(spec: StoreSpec, what: str, send, *, retry: bool = True, transient: tuple = ()):
    """`send()`, tried again after each RETRY_DELAYS pause while the server cannot be reached.
    A timeout is not retried: the server took the request and stopped answering, and waiting
    the full timeout again several times would look like a hang."""
    import httpx

    delays = RETRY_DELAYS if retry else ()
    for tries, delay in enumerate((*delays, None), start=1):
        try:
            return send()
        except StoreUnavailableError:
            raise
        except httpx.TimeoutException as exc:
            raise _unreachable(spec, exc, tries) from None
        except (httpx.TransportError, *transient) as exc:
            if delay is None:
                raise _unreachable(spec, exc, tries) from None
            log.warning("Chroma server %s:%d: %s failed (%s); retrying in %.2f s",
                        spec.host, spec.port, what, exc, delay)
            time.sleep(delay)
    raise AssertionError("the loop above returns or raises")


class _Guarded:
    """A Chroma server client or collection: every request goes through `_request`.
    Chroma's own answers (not found, bad request) pass through untouched."""

    def __init__(self, target, spec: StoreSpec) -> None:
        self._target = target
        self._spec = spec

    def __getattr__(self, name: str):
        attr = getattr(self._target, name)
        if not callable(attr):
            return attr

        def call(*args, **kwargs):
            result = _request(self._spec, name, lambda: attr(*args, **kwargs), retry=name not in _NOT_RETRIED)
            return _Guarded(result, self._spec) if _is_collection(result) else result

        return call

    def __repr__(self) -> str:
        return f"{self._target!r} on {self._spec.host}:{self._spec.port}"


def _is_collection(value) -> bool:
    from chromadb.api.models.Collection import Collection

    return isinstance(value, Collection)


def create_collection(client, name: str, spec: StoreSpec, metadata: dict):
    # Metadata records model, dimension and template so a reader can check what it opens.
    return client.create_collection(
        name=name,
        embedding_function=None,
        configuration={"hnsw": spec.hnsw()},
        metadata=metadata,
    )


def get_collection(client, name: str):
    return client.get_collection(name=name, embedding_function=None)


def drop_collection(client, name: str) -> None:
    try:
        client.delete_collection(name=name)
    except Exception as exc:  # already gone, or the server went away: nothing left to do
        log.debug("could not delete collection %s: %s", name, exc)


def write_batches(
    client,
    collection,
    ids: Sequence[str],
    vectors: np.ndarray,
    metadatas: Sequence[dict],
    documents: Sequence[str],
    batch_size: int | None = None,
) -> None:
    """Upsert in slices no larger than the client's limit (5461 on chromadb 1.5)."""
    limit = client.get_max_batch_size()
    size = max(1, min(batch_size or limit, limit))
    for start in range(0, len(ids), size):
        end = start + size
        collection.upsert(
            ids=list(ids[start:end]),
            embeddings=vectors[start:end],
            metadatas=list(metadatas[start:end]),
            documents=list(documents[start:end]),
        )


def read_pages(collection, include: Sequence[str]) -> Iterator[dict]:
    """Every record, a page at a time (one giant get() would hold it all twice in memory)."""
    offset = 0
    while True:
        page = collection.get(limit=READ_PAGE, offset=offset, include=list(include))
        if not page["ids"]:
            return
        yield page
        offset += len(page["ids"])
