"""Load test of the HTTP chat: N concurrent multi-turn sessions for a fixed time, on loopback.

    .venv/bin/python -m bench.load                          # 50 sessions x 60 s; writes bench/RESULTS.md
    .venv/bin/python -m bench.load --sessions 10 --seconds 10 --no-write
    .venv/bin/python -m bench.load --url http://127.0.0.1:7860   # a server that is already running

Unless --url is given, the real server (`ui.build_server` under uvicorn, what `shopassist run`
serves) is started in its own process over a prepared data root, so client and server do not
share one interpreter. Each session is a closed loop (the next message goes as soon as the
reply is in) through a shopping conversation: a search carrying the session's canary word,
"show me cheaper ones", "add the second one to my basket", "what goes with my basket?", over
and over. Reported: latency p50/p99 per request, errors (transport failures, non-200, bad
bodies, a reply about another session's state) and canary leaks (another session's word in a
reply). A leak check that never sees the session's own word proves nothing, so the own-word
echoes are counted too: the follow-up "show me cheaper ones" carries no canary, and only the
server-side session state can put the word into its reply.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import re
import shlex
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

CHAT_PATH = "/v1/chat"
# Served only with --mixed-sessions: a deliberately broken chat that keeps one session for
# everybody, which the tests load to show that the checks here catch such a server.
MIXED_PATH = "/test/mixed-sessions-chat"
HEALTH_PATH = "/v1/health"
CANARY = re.compile(r"zq7canary\d{3}x")
# (what to look for, a price that leaves a few products, then cheaper ones, in every catalogue
# the tests and this benchmark use).
TOPICS = (("a lunch bag", 2), ("a tea set", 5), ("a cake stand", 10), ("a candle holder", 3))
REQUEST_TIMEOUT = 60.0


def canary(n: int) -> str:
    return f"zq7canary{n:03d}x"


def conversation(n: int) -> list[tuple[str, str]]:
    """One round of session n's chat: (message, kind). Only the first message holds the canary."""
    topic, price = TOPICS[n % len(TOPICS)]
    return [
        (f"{topic} under £{price} for {canary(n)}", "search"),
        ("show me cheaper ones", "cheaper"),
        ("add the second one to my basket", "add"),
        ("what goes with my basket?", "together"),
    ]


def leaked(body: str, own: str) -> set[str]:
    """Canary words in a reply body that belong to other sessions."""
    return set(CANARY.findall(body)) - {own}


@dataclass
class LoadResult:
    sessions: int
    seconds: float
    latencies: list[float] = field(default_factory=list)  # seconds, every completed request
    errors: list[str] = field(default_factory=list)
    leaks: list[str] = field(default_factory=list)
    own_echoes: dict[str, int] = field(default_factory=dict)  # session -> replies holding its word
    state_echoes: dict[str, int] = field(default_factory=dict)  # ... among the "cheaper" replies
    rounds: dict[str, int] = field(default_factory=dict)  # session -> whole conversations done
    wall: float = 0.0

    @property
    def requests(self) -> int:
        return len(self.latencies) + len(self.errors)

    def percentile(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]

    def table(self) -> str:
        rate = len(self.latencies) / self.wall if self.wall else 0.0
        return "\n".join([
            "| sessions | seconds | requests | req/s | p50 ms | p99 ms | max ms | errors | canary leaks | own-word echoes |",
            "|---|---|---|---|---|---|---|---|---|---|",
            f"| {self.sessions} | {self.seconds:g} | {self.requests:,} | {rate:.1f} | "
            f"{self.percentile(50) * 1000:.0f} | {self.percentile(99) * 1000:.0f} | "
            f"{max(self.latencies, default=0) * 1000:.0f} | {len(self.errors)} | {len(self.leaks)} | "
            f"{sum(self.own_echoes.values()):,} |",
        ])


def run_load(base_url: str, sessions: int, seconds: float, path: str = CHAT_PATH) -> LoadResult:
    """Drive `sessions` concurrent conversations against `base_url` for `seconds`."""
    return asyncio.run(_drive(base_url.rstrip("/"), sessions, seconds, path))


async def _drive(base_url: str, sessions: int, seconds: float, path: str) -> LoadResult:
    import httpx

    result = LoadResult(sessions, seconds)
    limits = httpx.Limits(max_connections=sessions, max_keepalive_connections=sessions)
    async with httpx.AsyncClient(base_url=base_url, timeout=REQUEST_TIMEOUT, limits=limits) as client:
        started = time.monotonic()
        deadline = started + seconds
        await asyncio.gather(*(_session(client, path, n, deadline, result) for n in range(sessions)))
        result.wall = time.monotonic() - started
    return result


async def _session(client, path: str, n: int, deadline: float, result: LoadResult) -> None:
    import httpx

    sid, own = f"load-{n:03d}", canary(n)
    result.own_echoes[sid] = result.state_echoes[sid] = result.rounds[sid] = 0
    second = None  # the second product of this session's last list: what "add" must add
    while time.monotonic() < deadline:
        for message, kind in conversation(n):
            start = time.perf_counter()
            try:
                response = await client.post(path, json={"session_id": sid, "message": message})
            except httpx.HTTPError as exc:
                result.errors.append(f"{sid} {kind}: {type(exc).__name__} {exc}")
                continue
            elapsed = time.perf_counter() - start
            problem, body = _check(response, sid, kind, second)
            if problem:
                result.errors.append(f"{sid} {kind}: {problem}")
                continue
            result.latencies.append(elapsed)
            text = response.text
            foreign = leaked(text, own)
            if foreign:
                result.leaks.append(f"{sid} {kind}: {sorted(foreign)} in {body['text'][:200]!r}")
            if own in body["text"]:
                result.own_echoes[sid] += 1
                result.state_echoes[sid] += kind == "cheaper"
            if kind in ("search", "cheaper"):
                products = body.get("products") or []
                second = products[1]["product_id"] if len(products) > 1 else None
        result.rounds[sid] += 1


def _check(response, sid: str, kind: str, second: str | None) -> tuple[str | None, dict]:
    """What is wrong with one reply, if anything, and its body."""
    if response.status_code != 200:
        return f"HTTP {response.status_code}: {response.text[:200]}", {}
    try:
        body = response.json()
    except ValueError:
        return f"not JSON: {response.text[:200]!r}", {}
    if not isinstance(body, dict) or not isinstance(body.get("text"), str) or not body["text"]:
        return f"no reply text: {response.text[:200]!r}", {}
    if body.get("session_id") != sid:
        return f"reply for session {body.get('session_id')!r}", body
    if kind == "add" and second is not None:
        # "the second one" is resolved from the session's own last list; another list means
        # the server mixed up session state.
        added = [p.get("product_id") for p in body.get("products") or []]
        if second not in added:
            return f"added {added}, but the second product shown to this session was {second}", body
    return None, body


# -- the server under test ----------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(home: str | None, host: str, port: int, mixed_sessions: bool = False) -> None:
    """What `shopassist run` serves, over an already prepared data root."""
    import uvicorn

    from assistant import ShoppingAssistant
    from assistant.access import load_credentials
    from ui import server

    shopper = ShoppingAssistant.open(home)
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


@contextlib.contextmanager
def running_server(home: str | os.PathLike[str], log_path: str | os.PathLike[str] | None = None,
                   start_timeout: float = 180.0, mixed_sessions: bool = False) -> Iterator[str]:
    """Start the server in its own process on a free loopback port; yield its base URL."""
    import httpx

    port = free_port()
    log_path = Path(log_path or tempfile.mkstemp(prefix="shopassist-load-", suffix=".log")[1])
    env = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False",
           "ANONYMIZED_TELEMETRY": "False", **os.environ, "SHOPASSIST_HOME": str(home)}
    command = [sys.executable, "-m", "bench.load", "--serve", "--home", str(home), "--port", str(port)]
    command += ["--mixed-sessions"] if mixed_sessions else []
    repo = Path(__file__).resolve().parent.parent
    with log_path.open("w") as out:
        proc = subprocess.Popen(command, cwd=repo, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + start_timeout
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(url + HEALTH_PATH, timeout=2).status_code == 200:
                    break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start (rc {proc.poll()}): {log_path.read_text()[-3000:]}")
            time.sleep(0.2)
        # The first search loads the encoder's kernels; not part of what is measured.
        httpx.post(url + CHAT_PATH, json={"session_id": "warm-up", "message": "a lunch bag under £2"},
                   timeout=REQUEST_TIMEOUT).raise_for_status()
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=50, help="concurrent sessions (default 50)")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long to drive them (default 60)")
    parser.add_argument("--home", help="data root (default $SHOPASSIST_HOME or ~/.shopassist); prepared first")
    parser.add_argument("--url", help="load this running server instead of starting one")
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=7860, help=argparse.SUPPRESS)
    parser.add_argument("--mixed-sessions", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if args.serve:
        serve(args.home, "127.0.0.1", args.port, args.mixed_sessions)
        return 0
    busy = os.getloadavg()[0]  # other jobs on the machine slow the server; say how busy it was
    if args.url:
        result = run_load(args.url, args.sessions, args.seconds)
    else:
        from assistant.setup import prepare
        from retrieval.config import data_root

        home = data_root(args.home)
        prepare(str(home))  # what `shopassist run` does first; a no-op on a prepared root
        with running_server(home) as url:
            result = run_load(url, args.sessions, args.seconds)
    print(result.table())
    for line in (result.errors + result.leaks)[:20]:
        print(line)
    if not args.no_write:
        from ._results import write_section

        command = ".venv/bin/python -m bench.load " + shlex.join(argv if argv is not None else sys.argv[1:])
        write_section("Load (HTTP chat)", command.strip(), _notes(result, busy))
    return 1 if result.errors or result.leaks else 0


def _notes(result: LoadResult, busy: float) -> str:
    quiet = [s for s, n in result.state_echoes.items() if n == 0]
    return (
        "Closed-loop sessions over loopback against the real server in its own process (bundled "
        "Online Retail data, offline planner), each repeating: a search holding the session's "
        "canary word, \"show me cheaper ones\", \"add the second one to my basket\", \"what goes "
        "with my basket?\". A request's time is from sending to the whole reply. *errors* = "
        "transport failures, non-200, bad bodies, or an \"add\" that added a product this "
        "session was not shown; *canary leaks* = another session's word in a reply. "
        f"Sessions whose state never echoed their own word: {len(quiet)}. Latency is mostly "
        f"queueing: every session is always waiting on the server ({os.cpu_count()} cores; load "
        f"average {busy:.1f} when the run began, from other jobs on the machine).\n\n"
        + result.table()
    )


if __name__ == "__main__":
    sys.exit(main())
