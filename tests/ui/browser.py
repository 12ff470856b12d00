"""Helpers for the browser tests: where Chromium is, serving an app on loopback, screenshots."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("SHOPASSIST_TEST_ARTIFACTS") or REPO / "test-artifacts" / "ui")
# Each browser wait is bounded: a broken page fails in seconds, not at the suite's timeout.
WAIT_MS = 30_000


@contextmanager
def serving(app) -> Iterator[str]:
    """Serve an ASGI app on a free loopback port in a background thread; yields its URL."""
    import uvicorn

    # Open browser streams would hold a graceful shutdown for long: give them two seconds.
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning",
                                           timeout_graceful_shutdown=2))
    thread = threading.Thread(target=server.run, name="ui-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.should_exit = True
        thread.join(timeout=15)


def shot(page, artifacts: Path, name: str) -> Path:
    """Save a full-page screenshot as `<artifacts>/<name>.png` and return its path."""
    path = artifacts / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def wait_for_reply(page, turn: int, chat: str = "#shopper-chat") -> None:
    """Until the `turn`-th question is shown and its answer has finished streaming (Gradio
    hides the chat's status tracker when the event ends)."""
    page.wait_for_function(
        """([chat, n]) => {
            const box = document.querySelector(chat);
            const users = box.querySelectorAll('[data-testid="user"]');
            const tracker = box.querySelector('[data-testid="status-tracker"]');
            return users.length >= n && (!tracker || tracker.classList.contains('hide'));
        }""", arg=[chat, turn])
