"""A real Chroma server on a loopback port: build into it, query it, rebuild, lose it."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from retrieval.errors import StoreUnavailableError
from retrieval.index import StoreSpec, build_index, open_index
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


def test_build_into_a_server_query_rebuild_and_leave_it(chroma_server, plumbing_catalogue, encoder):
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


def test_an_unreachable_server_is_a_clear_error(plumbing_catalogue, encoder):
    spec = StoreSpec(host="127.0.0.1", port=_free_port())
    with pytest.raises(StoreUnavailableError, match="chroma run"):
        build_index(subset(plumbing_catalogue, plumbing_catalogue.ids[:3]), store=spec, encoder=encoder)


def test_cli_builds_into_a_server_and_answers_from_it(chroma_server, plumbing_catalogue, tmp_path, capsys):
    from assistant.cli import main

    from .conftest import as_dataset

    _, port = chroma_server
    dataset = as_dataset(subset(plumbing_catalogue, plumbing_catalogue.ids[:30])).save(tmp_path / "ds")
    args = ["build", "--dataset", str(dataset), "--chroma-host", "127.0.0.1", "--chroma-port", str(port)]
    assert main(args) == 0
    assert f"Chroma server 127.0.0.1:{port}" in capsys.readouterr().out
    # Later builds stay on the server without repeating the flags.
    assert main(["build", "--dataset", str(dataset)]) == 0
    assert "index up to date" in capsys.readouterr().out
    assert main(["similar", plumbing_catalogue.ids[0], "-k", "2"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 3
