"""Fixtures for the HTTP API tests: the real assistant over the bundled data (real encoder,
real rules) behind the real FastAPI app, reached in-process through Starlette's TestClient."""

from __future__ import annotations

import pytest

SERVICE_USER, SERVICE_PASSWORD = "service-agent", "correct horse battery staple"


@pytest.fixture(scope="session")
def rule_store(bundled_dataset):
    from retrieval.rules import RuleStore, mine_rules

    return RuleStore.from_ruleset(mine_rules(bundled_dataset.baskets))


@pytest.fixture
def make_shopper(bundled_retriever, bundled_dataset, rule_store, tmp_path_factory):
    """A fresh shopper assistant (its own sessions, in a store of its own) over the shared bundled data."""
    from assistant import ShoppingAssistant, open_sessions

    def make(**kw):
        own = open_sessions(tmp_path_factory.mktemp("own-sessions"))
        return ShoppingAssistant(bundled_retriever, bundled_dataset, **{"rule_store": rule_store, "sessions": own, **kw})

    return make


@pytest.fixture
def shopper(make_shopper):
    return make_shopper()


@pytest.fixture
def login():
    from assistant.access import Credentials

    return Credentials(SERVICE_USER, SERVICE_PASSWORD, "test")


@pytest.fixture
def api(shopper, login):
    from ui.http import create_api

    return create_api(shopper, login)


@pytest.fixture
def client(api):
    from fastapi.testclient import TestClient

    # raise_server_exceptions: a bug in a handler fails the test with its traceback
    # instead of hiding behind a 500.
    with TestClient(api, raise_server_exceptions=True) as c:
        yield c


@pytest.fixture
def service_auth():
    return (SERVICE_USER, SERVICE_PASSWORD)


@pytest.fixture
def serve():
    """Serve an ASGI app with a real uvicorn server on a free loopback port, in a thread of
    this process; returns its base URL. Stopped when the test ends."""
    import socket
    import threading
    import time

    import uvicorn

    running = []

    def start(app) -> str:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))  # bound here and handed over: no race for the port
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=5))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        running.append((server, thread, sock))
        deadline = time.monotonic() + 60
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        return f"http://127.0.0.1:{sock.getsockname()[1]}"

    yield start
    for server, thread, sock in running:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()
