"""A real Chroma server on a loopback port: build into it, query it, rebuild, lose it."""

from __future__ import annotations

import contextlib
import logging
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from retrieval.errors import StoreUnavailableError
from retrieval.index import StoreSpec, build_index, open_index, store
from retrieval.index.store import connect
from retrieval.products import Catalogue

from .conftest import subset

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _chroma_binary() -> str:
    found = Path(sys.executable).with_name("chroma")
    if found.exists():
        return str(found)
    return shutil.which("chroma") or pytest.skip("the chroma command is not installed")


@pytest.fixture()
def chroma_server(tmp_path):
    """A fresh server per test (about a second to start), so a test may stop it."""
    port = _free_port()
    path = tmp_path / "chroma-server"
    path.mkdir()
    log = (path / "server.log").open("w")
    proc = subprocess.Popen(
        [_chroma_binary(), "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(path / "db")],
        stdout=log, stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while True:
        with contextlib.suppress(OSError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).read()
            break
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"chroma server did not start: {(path / 'server.log').read_text()[-2000:]}")
        time.sleep(0.2)
    yield proc, port
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


def test_build_into_a_server_query_rebuild_and_leave_it(chroma_server, plumbing_catalogue, encoder, quick_retries):
    proc, port = chroma_server
    spec = StoreSpec(host="127.0.0.1", port=port, collection="shop-products")
    catalogue = subset(plumbing_catalogue, plumbing_catalogue.ids[:60])

    first = build_index(catalogue, store=spec, encoder=encoder)
    assert first.embedded == 60
    index = open_index(encoder=encoder)
    assert index.info.store == spec and index.collection.count() == 60
    pid = catalogue.ids[0]
    neighbours = index.similar_items(pid, k=5)
    assert len(neighbours) == 5 and pid not in {n.product_id for n in neighbours}
    assert index.query("tea", k=3)

    # Unchanged: nothing embedded, no new collection.
    assert not build_index(catalogue, encoder=encoder).changed
    # Changed: a new collection replaces the old one on the server, vectors reused.
    frame = catalogue.frame.copy()
    frame.loc[pid, "title"] = "LARGE BLUE TEAPOT"
    second = build_index(Catalogue(frame), encoder=encoder)
    assert (second.embedded, second.reused) == (1, 59)
    client = connect(spec)
    names = sorted(c.name for c in client.list_collections())
    assert names == [f"shop-products-{second.build_id}"]
    assert open_index().metadata(pid)["title"] == "LARGE BLUE TEAPOT"

    # Back to the embedded store: vectors come over from the server, its collection goes.
    third = build_index(Catalogue(frame), encoder=encoder, store=StoreSpec())
    assert third.embedded == 0 and third.store.host is None
    assert [c.name for c in client.list_collections()] == []

    # An index on a server that went away is a clear error, not a hang.
    build_index(Catalogue(frame), encoder=encoder, store=spec)
    proc.terminate()
    proc.wait(timeout=10)
    with pytest.raises(StoreUnavailableError, match=str(port)):
        open_index()


@pytest.fixture()
def quick_retries(monkeypatch):
    """The same number of tries with shorter pauses: what is tested is that they happen."""
    monkeypatch.setattr(store, "RETRY_DELAYS", (0.05, 0.1, 0.2, 0.4))


def test_an_unreachable_server_is_a_clear_error(plumbing_catalogue, encoder, quick_retries):
    spec = StoreSpec(host="127.0.0.1", port=_free_port())
    with pytest.raises(StoreUnavailableError, match="chroma run"):
        build_index(subset(plumbing_catalogue, plumbing_catalogue.ids[:3]), store=spec, encoder=encoder)


def test_cli_builds_into_a_server_and_answers_from_it(chroma_server, plumbing_catalogue, tmp_path, capsys):
    from assistant.cli import main

    from .conftest import as_dataset

    _, port = chroma_server
    dataset = as_dataset(subset(plumbing_catalogue, plumbing_catalogue.ids[:30])).save(tmp_path / "ds")
    args = ["build", "--no-ranker", "--dataset", str(dataset), "--chroma-host", "127.0.0.1", "--chroma-port", str(port)]
    assert main(args) == 0
    assert f"Chroma server 127.0.0.1:{port}" in capsys.readouterr().out
    # Later builds stay on the server without repeating the flags.
    assert main(["build", "--no-ranker", "--dataset", str(dataset)]) == 0
    assert "index up to date" in capsys.readouterr().out
    assert main(["similar", plumbing_catalogue.ids[0], "-k", "2"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 3


@pytest.fixture()
def restartable(tmp_path):
    from ...reliability.chroma import ChromaServer

    server = ChromaServer(tmp_path / "chroma-restartable").start()
    yield server
    server.stop()


@pytest.fixture()
def index_on(restartable, plumbing_catalogue, encoder):
    """A built index on the restartable server, opened, with its answer to one question."""
    spec = StoreSpec(host=restartable.host, port=restartable.port, collection="outage")
    catalogue = subset(plumbing_catalogue, plumbing_catalogue.ids[:40])
    build_index(catalogue, store=spec, encoder=encoder)
    index = open_index(encoder=encoder)
    pid = catalogue.ids[0]
    return index, pid, index.similar_items(pid, k=5)


@pytest.mark.reliability
def test_a_server_that_goes_away_is_a_clear_error_after_retries_then_recovers(
    restartable, index_on, encoder, caplog, quick_retries
):
    index, pid, before = index_on
    restartable.stop()
    caplog.set_level(logging.WARNING, logger="retrieval.index.store")
    for call in (lambda: index.similar_items(pid, k=5), lambda: index.metadata(pid), open_index):
        caplog.clear()
        with pytest.raises(StoreUnavailableError, match=f"127.0.0.1:{restartable.port}.*chroma run"):
            call()
        assert sum("retrying" in r.message for r in caplog.records) == len(store.RETRY_DELAYS)
    # Back on the same port and folder: the objects opened before work again, no reopening.
    restartable.start()
    assert index.similar_items(pid, k=5) == before
    assert open_index(encoder=encoder).similar_items(pid, k=5) == before


@pytest.mark.reliability
def test_the_retries_ride_out_a_restart(restartable, index_on, monkeypatch, caplog):
    index, pid, before = index_on
    # Pauses long enough for any machine to restart the server (it takes 1-3 s here).
    monkeypatch.setattr(store, "RETRY_DELAYS", (0.5, 1, 2, 4, 8, 16))
    caplog.set_level(logging.WARNING, logger="retrieval.index.store")
    restartable.stop()
    restarting = threading.Thread(target=restartable.start)
    restarting.start()
    try:
        assert index.similar_items(pid, k=5) == before  # no error: it waited for the server
    finally:
        restarting.join()
    assert any("retrying" in r.message for r in caplog.records)


@pytest.mark.reliability
def test_a_server_that_stops_answering_is_an_error_not_a_hang(restartable, index_on, monkeypatch, encoder):
    # chromadb's client waits forever by default; ours gives up after the timeout.
    monkeypatch.setenv(store.TIMEOUT_ENV, "2")
    index = open_index(encoder=encoder)  # its client takes the short timeout
    _, pid, before = index_on
    restartable.freeze()
    try:
        started = time.monotonic()
        with pytest.raises(StoreUnavailableError, match=f"127.0.0.1:{restartable.port}.*Timeout"):
            index.similar_items(pid, k=5)
        with pytest.raises(StoreUnavailableError, match="Timeout"):
            open_index(encoder=encoder)
        assert time.monotonic() - started < 60, "sanity bound: a timeout, not the retries of one"
    finally:
        restartable.thaw()
    assert index.similar_items(pid, k=5) == before
