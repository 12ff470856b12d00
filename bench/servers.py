"""The server under load, in its own process: what `shopassist run` serves, on a loopback port.

    with running_servers(home, 2, env=shared_sessions(url)) as urls: ...   # two processes, one database
    server = ServerProcess(home).launch().ready(); ...; server.kill()     # kill -9 it

`python -m bench.servers --home HOME --port PORT` is the process itself (what `ServerProcess`
starts): `ui.build_server` under uvicorn over a prepared data root, or with --api-only the
HTTP API alone.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

CHAT_PATH = "/v1/chat"
HEALTH_PATH = "/v1/health"
# Served only with --mixed-sessions: a deliberately broken chat that keeps one session for
# everybody, which the tests load to show that the load checks catch such a server.
MIXED_PATH = "/test/mixed-sessions-chat"
REQUEST_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(home: str | None, host: str, port: int, mixed_sessions: bool = False, api_only: bool = False) -> None:
    """What `shopassist run` serves, over an already prepared data root; `api_only`: its HTTP
    API (/v1) without the Gradio app at / (importing and building that is a third of a start)."""
    import uvicorn

    from assistant import ShoppingAssistant
    from assistant.access import load_credentials

    shopper = ShoppingAssistant.open(home)
    if api_only:
        from ui.http import create_api

        app = create_api(shopper, load_credentials(home))
    else:
        from ui import server

        app = server.build_server(shopper, load_credentials(home), home=home)  # as ui.server.launch
    if mixed_sessions:
        _add_chat(app, MIXED_PATH, lambda session_id, message: shopper.chat("everybody", message))
    uvicorn.run(app, host=host, port=port, log_level="warning")


def _add_chat(app, path: str, answer) -> None:
    """A chat route with the body and reply shape of POST /v1/chat over `answer(session, message)`
    (the deliberately broken one the tests load)."""
    from pydantic import BaseModel

    class ChatIn(BaseModel):
        session_id: str
        message: str

    def chat(body: ChatIn) -> dict:  # sync: FastAPI runs it in its thread pool, like a real route
        return {**answer(body.session_id, body.message).to_dict(), "session_id": body.session_id}

    # Annotations are strings here (postponed); FastAPI cannot resolve a local class by name.
    chat.__annotations__ = {"body": ChatIn, "return": dict}
    app.add_api_route(path, chat, methods=["POST"])
    # The Gradio app is mounted at "/" and would answer first; routes match in order.
    app.router.routes.insert(0, app.router.routes.pop())


class ServerProcess:
    """The server in its own process on a loopback port: `launch`, `ready`, then `stop` (or
    `kill`, which is `kill -9`). `api_only`: the HTTP API without the web app (see `serve`)."""

    def __init__(self, home: str | os.PathLike[str], log_path: str | os.PathLike[str] | None = None,
                 mixed_sessions: bool = False, env: dict[str, str] | None = None, api_only: bool = False) -> None:
        self.home, self.mixed_sessions, self.api_only = Path(home), mixed_sessions, api_only
        self.log_path = Path(log_path or tempfile.mkstemp(prefix="shopassist-load-", suffix=".log")[1])
        self.env = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False",
                    "ANONYMIZED_TELEMETRY": "False", **os.environ, **(env or {}), "SHOPASSIST_HOME": str(home)}
        self.proc: subprocess.Popen | None = None
        self.url = ""

    def launch(self) -> ServerProcess:
        """Start the process on a free port (it is not answering yet)."""
        port = free_port()
        command = [sys.executable, "-m", "bench.servers", "--home", str(self.home), "--port", str(port)]
        command += ["--mixed-sessions"] if self.mixed_sessions else []
        command += ["--api-only"] if self.api_only else []
        repo = Path(__file__).resolve().parent.parent
        with self.log_path.open("a") as out:  # appended: a restarted server keeps one log
            self.proc = subprocess.Popen(command, cwd=repo, env=self.env, stdout=out, stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{port}"
        return self

    def ready(self, timeout: float = 180.0, warm_up: bool = True) -> ServerProcess:
        """Wait until it answers; `warm_up`: also run one search first."""
        import httpx

        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.url + HEALTH_PATH, timeout=2).status_code == 200:
                    break
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start (rc {self.proc.poll()}): "
                                   f"{self.log_path.read_text()[-3000:]}")
            time.sleep(0.1)
        if warm_up:  # the first search loads the encoder's kernels; not part of what is measured
            httpx.post(self.url + CHAT_PATH, json={"session_id": "warm-up", "message": "a lunch bag under £2"},
                       timeout=REQUEST_TIMEOUT).raise_for_status()
        return self

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as when the machine's OOM killer or `kill -9` strikes."""
        self.proc.kill()
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()


@contextlib.contextmanager
def running_servers(home: str | os.PathLike[str], count: int = 1, log_dir: str | os.PathLike[str] | None = None,
                    start_timeout: float = 180.0, mixed_sessions: bool = False,
                    env: dict[str, str] | None = None, api_only: bool = False) -> Iterator[list[str]]:
    """Start `count` servers over one data root, each in its own process on a free loopback
    port, all at once (their start-up overlaps); yield their base URLs."""
    logs = [Path(log_dir) / f"server-{i}.log" if log_dir else None for i in range(count)]
    servers = [ServerProcess(home, logs[i], mixed_sessions, env, api_only) for i in range(count)]
    try:
        for server in servers:
            server.launch()
        for server in servers:
            server.ready(start_timeout)
        yield [server.url for server in servers]
    finally:
        for server in servers:
            server.stop()


@contextlib.contextmanager
def running_server(home: str | os.PathLike[str], log_path: str | os.PathLike[str] | None = None,
                   start_timeout: float = 180.0, mixed_sessions: bool = False,
                   env: dict[str, str] | None = None) -> Iterator[str]:
    """Start the server in its own process on a free loopback port; yield its base URL."""
    server = ServerProcess(home, log_path, mixed_sessions, env)
    try:
        yield server.launch().ready(start_timeout).url
    finally:
        server.stop()


def shared_sessions(url: str | None) -> dict[str, str]:
    """The servers' environment for one sessions database (none: each its data root's SQLite),
    with the tables made first: processes starting at once on an empty database would race to
    create them."""
    if not url:
        return {}
    from assistant.sql_sessions import SqlSessions

    SqlSessions(url)._shared.engine.dispose()
    return {"SHOPASSIST_SESSIONS_URL": url}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", help="a prepared data root (default $SHOPASSIST_HOME or ~/.shopassist)")
    parser.add_argument("--port", type=int, default=7860)
    parser.add_argument("--mixed-sessions", action="store_true", help="also serve the broken chat at " + MIXED_PATH)
    parser.add_argument("--api-only", action="store_true", help="the HTTP API without the web app")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    serve(args.home, "127.0.0.1", args.port, args.mixed_sessions, args.api_only)
    return 0


if __name__ == "__main__":
    sys.exit(main())
