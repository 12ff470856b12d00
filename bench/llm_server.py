"""llama.cpp's OpenAI-compatible HTTP server (the `xllamacpp` wheel) over a local GGUF file.

    .venv/bin/python -m bench.llm_server --model .llm/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf --port 8080

runs it in the foreground until Ctrl-C; from Python,

    from bench.llm_server import serve
    with serve(path) as base_url:          # "http://127.0.0.1:PORT/v1"
        ChatOpenAI(base_url=base_url, api_key="sk-local", model="local")

starts it in a child process, waits (bounded) until /health answers 200, and stops it on exit
(SIGTERM, then SIGKILL); the child also dies with its parent (PR_SET_PDEATHSIG on Linux).
`xllamacpp.Server` has no stop method: the server lives as long as its process, hence the child.

xllamacpp 2026.10.11549 API used: `CommonParams()` with `.model.path`, `.n_ctx`, `.n_parallel`
(slots), `.cpuparams.n_threads` / `.cpuparams_batch.n_threads`, `.hostnames`, `.port` (0 picks
a free one), `.use_jinja`, `.ui`, `.endpoint_props`; `Server(params)` loads the model and
listens; `Server.listening_address` is "http://HOST:PORT".
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import json
import logging
import os
import select
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

log = logging.getLogger("bench.llm_server")

XLLAMACPP_VERSION = "2026.10.11549"
ANNOUNCE = "LLM_SERVER_LISTENING "
MODEL_NAME = "local"  # what /v1/models calls the model (the server accepts any name in requests)


class ServerError(RuntimeError):
    pass


def _params(model: str, port: int, n_ctx: int, threads: int, parallel: int):
    try:
        import xllamacpp
    except ImportError as exc:
        raise ServerError(f"the local LLM server needs xllamacpp: pip install xllamacpp=={XLLAMACPP_VERSION}") from exc
    params = xllamacpp.CommonParams()
    params.model.path = str(model)
    params.n_ctx = n_ctx
    params.n_parallel = parallel
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.n_threads_http = 2
    params.hostnames = ["127.0.0.1"]
    params.port = port
    params.use_jinja = True
    params.ui = False
    params.endpoint_props = True
    params.model_alias = {MODEL_NAME}
    return xllamacpp, params


def run_foreground(model: str, port: int = 8080, n_ctx: int = 8192, threads: int = 2, parallel: int = 1,
                   announce: bool = False) -> None:
    """Load the model and serve until SIGTERM/SIGINT (or, with `announce`, until stdin closes)."""
    if not Path(model).is_file():
        raise ServerError(f"no GGUF file at {model}; run `python -m bench.llm_weights` first")
    xllamacpp, params = _params(model, port, n_ctx, threads, parallel)
    server = xllamacpp.Server(params)
    address = server.listening_address
    if announce:
        print(ANNOUNCE + address, flush=True)
    else:
        log.info("serving %s at %s/v1 (Ctrl-C stops)", model, address)
    stop = False

    def _stop(*_):  # noqa: ANN002
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    while not stop:
        if announce:
            # the parent holds our stdin; EOF means it is gone
            ready, _, _ = select.select([sys.stdin], [], [], 1.0)
            if ready and not sys.stdin.buffer.read1(1):
                break
        else:
            time.sleep(1.0)
    # no Server.stop(): let the process exit; os._exit skips a slow/unsafe native teardown
    os._exit(0)


def _pdeathsig() -> None:
    """In the child before exec: die with SIGTERM when the parent dies (Linux only)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def _get(url: str, timeout: float = 2.0) -> tuple[int, str]:
    req = urllib.request.Request(url)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: no proxy
    try:
        with opener.open(req, timeout=timeout) as resp:
            return resp.status, resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


def _stop_child(proc: subprocess.Popen, grace: float = 10.0) -> None:
    if proc.poll() is not None:
        return
    with contextlib.suppress(OSError):
        proc.stdin.close()
    with contextlib.suppress(ProcessLookupError):
        proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        log.warning("llm server pid %d did not stop in %.0f s; killing it", proc.pid, grace)
        proc.kill()
        proc.wait(10)


@contextlib.contextmanager
def serve(gguf_path: str | os.PathLike[str], port: int | None = None, n_ctx: int = 8192, threads: int = 2,
          parallel: int = 1, startup_timeout: float = 180.0, log_file: str | os.PathLike[str] | None = None,
          ) -> Iterator[str]:
    """Run the server in a child process; yields its OpenAI base URL ("http://127.0.0.1:PORT/v1").
    `port=None` lets the server pick a free port. The server's own log goes to `log_file`
    (default: a temp file, whose tail is quoted if start-up fails)."""
    gguf = Path(gguf_path)
    if not gguf.is_file():
        raise ServerError(f"no GGUF file at {gguf}; run `python -m bench.llm_weights` first")
    try:
        import xllamacpp  # noqa: F401 - fail here, in the parent, with a clear message
    except ImportError as exc:
        raise ServerError(f"the local LLM server needs xllamacpp: pip install xllamacpp=={XLLAMACPP_VERSION}") from exc
    if log_file is None:
        import tempfile

        fd, log_file = tempfile.mkstemp(prefix="llm-server-", suffix=".log")
        os.close(fd)
    log_path = Path(log_file)
    repo = Path(__file__).resolve().parent.parent
    cmd = [sys.executable, "-m", "bench.llm_server", "--model", str(gguf), "--port", str(port or 0),
           "--ctx", str(n_ctx), "--threads", str(threads), "--parallel", str(parallel), "--announce"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(repo), os.environ.get("PYTHONPATH")]))}
    with open(log_path, "ab") as errlog:
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errlog,
                                cwd=repo, env=env, preexec_fn=_pdeathsig)
    atexit.register(_stop_child, proc, 2.0)

    def tail() -> str:
        with contextlib.suppress(OSError):
            return "\n".join(log_path.read_text(errors="replace").splitlines()[-25:])
        return ""

    try:
        started = time.monotonic()
        deadline = started + startup_timeout
        address = None
        buf = b""
        while address is None:
            if proc.poll() is not None:
                raise ServerError(f"llm server exited with code {proc.returncode} while starting; "
                                  f"log {log_path}:\n{tail()}")
            left = deadline - time.monotonic()
            if left <= 0:
                raise ServerError(f"llm server did not announce its address within {startup_timeout:.0f} s; "
                                  f"log {log_path}:\n{tail()}")
            ready, _, _ = select.select([proc.stdout], [], [], min(left, 1.0))
            if ready:
                chunk = os.read(proc.stdout.fileno(), 4096)
                buf += chunk
                for line in buf.decode("utf-8", "replace").splitlines():
                    if line.startswith(ANNOUNCE):
                        address = line[len(ANNOUNCE):].strip().rstrip("/")
        while True:  # the model is loaded when Server() returns; /health confirms the HTTP side
            try:
                status, body = _get(f"{address}/health")
                if status == 200:
                    break
            except OSError:
                status, body = None, ""
            if proc.poll() is not None:
                raise ServerError(f"llm server exited with code {proc.returncode}; log {log_path}:\n{tail()}")
            if time.monotonic() > deadline:
                raise ServerError(f"llm server at {address} did not report healthy within {startup_timeout:.0f} s "
                                  f"(last: {status} {body[:200]}); log {log_path}:\n{tail()}")
            time.sleep(0.5)
        log.info("llm server pid %d ready at %s in %.1f s", proc.pid, address, time.monotonic() - started)
        yield f"{address}/v1"
    finally:
        _stop_child(proc)
        atexit.unregister(_stop_child)


def models(base_url: str) -> list[str]:
    """The model ids the server lists (base_url as `serve` yields it)."""
    _, body = _get(f"{base_url.rstrip('/')}/models")
    return [m["id"] for m in json.loads(body).get("data", [])]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve a GGUF model with llama.cpp's OpenAI-compatible server.")
    parser.add_argument("--model", help="GGUF file (default: the one bench.llm_weights fetches)")
    parser.add_argument("--port", type=int, default=8080, help="0 picks a free port")
    parser.add_argument("--ctx", type=int, default=8192, help="context length in tokens (all slots)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--parallel", type=int, default=1, help="slots (concurrent requests)")
    parser.add_argument("--announce", action="store_true", help=argparse.SUPPRESS)  # used by serve()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s", stream=sys.stderr)
    model = args.model
    if not model:
        from .llm_weights import default_path

        model = str(default_path())
    try:
        run_foreground(model, args.port, args.ctx, args.threads, args.parallel, announce=args.announce)
    except ServerError as exc:
        log.error("%s", exc)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
