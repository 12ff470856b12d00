"""Load test of the HTTP chat: N concurrent multi-turn sessions for a fixed time, on loopback.

    .venv/bin/python -m bench.load                          # 50 sessions x 60 s; writes bench/RESULTS.md
    .venv/bin/python -m bench.load --sessions 10 --seconds 10 --no-write
    .venv/bin/python -m bench.load --url http://127.0.0.1:7860   # a server that is already running
    .venv/bin/python -m bench.load --servers 2              # two processes on one (throwaway) PostgreSQL

Unless --url is given, the real server (`ui.build_server` under uvicorn, what `shopassist run`
serves) is started in its own process over a prepared data root, so client and server do not
share one interpreter. With --servers 2 two such processes share one sessions database
(--sessions-url, else a throwaway PostgreSQL started for the run: `bench.postgres`), and each
session's messages go to them in turn, so every turn continues from what the other process
stored. Each session is a closed loop (the next message goes as soon as the
reply is in) through a shopping conversation: a search carrying the session's canary word,
"show me cheaper ones", "add the second one to my basket", "what goes with my basket?", over
and over. Reported: latency p50/p99 per request, errors (transport failures, non-200, bad
bodies, a reply about another session's state) and canary leaks (another session's word in a
reply). A leak check that never sees the session's own word proves nothing, so the own-word
echoes are counted too: the follow-up "show me cheaper ones" carries no canary, and only the
server-side session state can put the word into its reply. Baskets are checked too: every
product an "add" reply says it added is counted, each add's basket must be the count so far,
and at the end every session's basket (GET, from the other server where there are two) must
be exactly what its requests left: a lost or stale update between processes shows there.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import re
import secrets
import shlex
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

# The server under test lives in `servers`; the names the reliability tests have always
# imported from here (free_port, the paths, running_server) stay importable from here.
from .servers import (  # noqa: F401
    CHAT_PATH,
    HEALTH_PATH,
    MIXED_PATH,
    REQUEST_TIMEOUT,
    free_port,
    running_server,
    running_servers,
    shared_sessions,
)

log = logging.getLogger(__name__)

CANARY = re.compile(r"zq7canary\d{3}x")
# (what to look for, a price that leaves a few products, then cheaper ones, in every catalogue
# the tests and this benchmark use).
TOPICS = (("a lunch bag", 2), ("a tea set", 5), ("a cake stand", 10), ("a candle holder", 3))
KEEPALIVE_EXPIRY = 2.0  # seconds a client connection may idle; under uvicorn's 5 (see _drive)


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
    servers: int = 1
    baskets: dict[str, Counter] = field(default_factory=dict)  # session -> what its adds added
    unsure: set[str] = field(default_factory=set)  # sessions with a failed request: basket unknown
    baskets_checked: int = 0  # sessions whose final basket was compared
    basket_errors: list[str] = field(default_factory=list)  # final baskets not as their requests left them
    wall: float = 0.0

    @property
    def requests(self) -> int:
        return len(self.latencies) + len(self.errors)

    def percentile(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]

    @property
    def problems(self) -> list[str]:
        return self.errors + self.leaks + self.basket_errors

    def table(self) -> str:
        rate = len(self.latencies) / self.wall if self.wall else 0.0
        return "\n".join([
            "| servers | sessions | seconds | requests | req/s | p50 ms | p99 ms | max ms | errors | canary leaks "
            "| own-word echoes | baskets checked | baskets wrong |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
            f"| {self.servers} | {self.sessions} | {self.seconds:g} | {self.requests:,} | {rate:.1f} | "
            f"{self.percentile(50) * 1000:.0f} | {self.percentile(99) * 1000:.0f} | "
            f"{max(self.latencies, default=0) * 1000:.0f} | {len(self.errors)} | {len(self.leaks)} | "
            f"{sum(self.own_echoes.values()):,} | {self.baskets_checked} | {len(self.basket_errors)} |",
        ])


def run_load(base_url: str | Sequence[str], sessions: int, seconds: float, path: str = CHAT_PATH) -> LoadResult:
    """Drive `sessions` concurrent conversations for `seconds` against `base_url`, or against
    several servers in turn (each session's next message goes to the next server)."""
    urls = [base_url] if isinstance(base_url, str) else list(base_url)
    return asyncio.run(_drive([u.rstrip("/") for u in urls], sessions, seconds, path))


async def _drive(urls: list[str], sessions: int, seconds: float, path: str) -> LoadResult:
    import httpx

    result = LoadResult(sessions, seconds, servers=len(urls))
    connections = sessions * len(urls)
    # A session's connection to one server idles while its message to the other is answered
    # (seconds, under load). uvicorn closes a connection idle for 5 s; a client reusing it at
    # that moment gets a reset (an httpx ReadError) for a POST it cannot safely resend. So the
    # client lets idle connections go first, well before the server does.
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections,
                          keepalive_expiry=KEEPALIVE_EXPIRY)
    async with httpx.AsyncClient(timeout=REQUEST_TIMEOUT, limits=limits) as client:
        started = time.monotonic()
        deadline = started + seconds
        await asyncio.gather(*(_session(client, urls, path, n, deadline, result) for n in range(sessions)))
        result.wall = time.monotonic() - started
        # Every request has been answered: the baskets are final. Read each from another
        # server than the one its last change went to, where there is another.
        await asyncio.gather(*(_final_basket(client, urls[(n + 1) % len(urls)], n, result)
                               for n in range(sessions)))
    return result


# Sessions outlive a run (they are stored under the data root): each run's ids are its own,
# or a second run would find the first run's baskets in its sessions.
_RUN = secrets.token_hex(3)


def session_id(n: int) -> str:
    return f"load-{_RUN}-{n:03d}"


async def _session(client, urls: list[str], path: str, n: int, deadline: float, result: LoadResult) -> None:
    import httpx

    sid, own = session_id(n), canary(n)
    result.own_echoes[sid] = result.state_echoes[sid] = result.rounds[sid] = 0
    basket = result.baskets[sid] = Counter()
    second = None  # the second product of this session's last list: what "add" must add
    sent = 0
    while time.monotonic() < deadline:
        for message, kind in conversation(n):
            url = urls[(n + sent) % len(urls)]
            sent += 1
            start = time.perf_counter()
            try:
                response = await client.post(url + path, json={"session_id": sid, "message": message})
            except httpx.HTTPError as exc:
                result.errors.append(f"{sid} {kind}: {type(exc).__name__} {exc}")
                result.unsure.add(sid)
                continue
            elapsed = time.perf_counter() - start
            problem, body = _check(response, sid, kind, second)
            if not problem and kind == "add":
                problem = _count_added(body, basket)
            if problem:
                result.errors.append(f"{sid} {kind}: {problem}")
                result.unsure.add(sid)
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


def _count_added(body: dict, basket: Counter) -> str | None:
    """Count what an "add" reply added into `basket`; what is wrong if its basket is not that."""
    for call in body.get("tool_calls") or []:
        result = call.get("result") or {}
        if call.get("name") != "add_to_basket" or "added" not in result:
            continue
        basket[result["added"]["product_id"]] += int(result["added"]["quantity"])
        shown = {line["product_id"]: line["quantity"] for line in result.get("basket") or []}
        if shown != dict(basket):
            # This turn was loaded from a session state that lacks an earlier add (or has one
            # too many): a stale read or a lost update.
            return f"basket after the add was {shown}, but this session's adds make {dict(basket)}"
    return None


async def _final_basket(client, url: str, n: int, result: LoadResult) -> None:
    import httpx

    sid = session_id(n)
    if sid in result.unsure:
        return  # a request failed (already an error): what it did to the basket is unknown
    try:
        response = await client.get(f"{url}/v1/sessions/{sid}/basket")
        response.raise_for_status()
        lines = response.json()["basket"]
    except (httpx.HTTPError, ValueError, KeyError) as exc:
        result.basket_errors.append(f"{sid}: basket unreadable from {url}: {type(exc).__name__} {exc}")
        return
    result.baskets_checked += 1
    got = {line["product_id"]: line["quantity"] for line in lines}
    if got != dict(result.baskets[sid]):
        result.basket_errors.append(f"{sid}: basket from {url} is {got}, its requests left {dict(result.baskets[sid])}")


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=50, help="concurrent sessions (default 50)")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long to drive them (default 60)")
    parser.add_argument("--home", help="data root (default $SHOPASSIST_HOME or ~/.shopassist); prepared first")
    parser.add_argument("--url", action="append",
                        help="load this running server instead of starting one (twice: two servers in turn)")
    parser.add_argument("--servers", type=int, default=1,
                        help="server processes to start, sharing one sessions database (default 1)")
    parser.add_argument("--sessions-url", help="their sessions database (default with --servers 2 or more: "
                        "a throwaway PostgreSQL server started for the run; with one: SQLite in the data root)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    busy = os.getloadavg()[0]  # other jobs on the machine slow the server; say how busy it was
    database = "as the servers were started"  # --url: not ours to know
    if args.url:
        result = run_load(args.url, args.sessions, args.seconds)
    else:
        from assistant.prepare import prepare
        from retrieval.config import data_root

        home = data_root(args.home)
        prepare(str(home))  # what `shopassist run` does first; a no-op on a prepared root
        with contextlib.ExitStack() as stack:
            url = args.sessions_url
            if url is None and args.servers > 1:
                from .postgres import throwaway_postgres

                url = stack.enter_context(throwaway_postgres(durable=True))
                database = "a throwaway PostgreSQL server on loopback, fsync on"
            else:
                database = _database(url)
            urls = stack.enter_context(running_servers(home, args.servers, env=shared_sessions(url)))
            result = run_load(urls, args.sessions, args.seconds)
    print(result.table())
    for line in result.problems[:20]:
        print(line)
    if not args.no_write:
        from ._results import write_section

        command = ".venv/bin/python -m bench.load " + shlex.join(argv if argv is not None else sys.argv[1:])
        section = "Load (HTTP chat)" if result.servers == 1 else "Load (two processes, one sessions database)"
        write_section(section, command.strip(), _notes(result, busy, database))
    return 1 if result.problems else 0


def _database(url: str | None) -> str:
    if not url:
        return "SQLite in the data root"
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    return f"{parsed.get_backend_name()} at {parsed.host or parsed.database}"


def _notes(result: LoadResult, busy: float, database: str) -> str:
    quiet = [s for s, n in result.state_echoes.items() if n == 0]
    servers = ("" if result.servers == 1 else
               f"{result.servers} server processes over one data root sharing one sessions database "
               f"({database}); each session's messages go to them in turn, so every turn resumes "
               "what the other process stored. ")
    where = "server in its own process" if result.servers == 1 else "servers, each in its own process"
    return (
        servers
        + f"Closed-loop sessions over loopback against the real {where} (bundled "
        "Online Retail data, offline planner), each repeating: a search holding the session's "
        "canary word, \"show me cheaper ones\", \"add the second one to my basket\", \"what goes "
        "with my basket?\". A request's time is from sending to the whole reply. *errors* = "
        "transport failures, non-200, bad bodies, or an \"add\" that added a product this "
        "session was not shown, or whose basket was not what this session's adds make; *canary "
        "leaks* = another session's word in a reply; *baskets wrong* = sessions whose final basket "
        "(read back at the end) is not exactly what their adds left. "
        f"Sessions whose state never echoed their own word: {len(quiet)}. Latency is mostly "
        f"queueing: every session is always waiting on the server ({os.cpu_count()} cores; load "
        f"average {busy:.1f} when the run began, from other jobs on the machine).\n\n"
        + result.table()
    )


if __name__ == "__main__":
    sys.exit(main())
