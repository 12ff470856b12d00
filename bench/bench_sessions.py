"""What the session store costs a chat turn: one `transaction` (lock, load, save, commit).

    .venv/bin/python -m bench.bench_sessions                  # SQLite and a throwaway PostgreSQL; writes RESULTS.md
    .venv/bin/python -m bench.bench_sessions --turns 50 --no-write
    .venv/bin/python -m bench.bench_sessions --url postgresql://user@host/db   # an existing database

Each timed transaction is what `ShoppingAssistant.chat` wraps around a turn, less the turn
itself: take the session's lock, load its JSON, add the user's message and the answer, store
it, commit. The session is a full one (20 turns, the last list shown, the products named,
a basket), so the JSON is the size a long conversation reaches. Both databases sync every
commit to disk (SQLite synchronous=FULL; PostgreSQL with fsync on), as in production.
"""

from __future__ import annotations

import argparse
import json
import logging
import shlex
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from assistant.session import MAX_TURNS, Session
from assistant.sql_sessions import SqlSessions
from assistant.views import Listed

log = logging.getLogger(__name__)

ANSWER = ("Here are 5 lunch bags under £2: JUMBO BAG RED RETROSPOT (£1.65), LUNCH BAG RED RETROSPOT "
          "(£1.65), LUNCH BAG BLACK SKULL (£1.65), LUNCH BAG SPACEBOY DESIGN (£1.65) and LUNCH BAG "
          "CARS BLUE (£1.65). The first is bought with JUMBO BAG PINK POLKADOT in 412 baskets.")


def full_session(session_id: str) -> Session:
    """A session as a long chat leaves it: MAX_TURNS turns, 10 products shown, 40 named, 4 in the basket."""
    session = Session(session_id, customer_id="12347")
    products = [(f"2{n:04d}", f"LUNCH BAG DESIGN {n} RETROSPOT", round(1.25 + n / 20, 2)) for n in range(40)]
    for n in range(MAX_TURNS // 2):
        session.add_turn("user", f"a lunch bag under £{2 + n % 3} for a picnic, please")
        session.add_turn("assistant", ANSWER, [{"name": "search_products",
                                                "args": {"query": "lunch bag", "max_price": 2.0, "k": 5}}])
    session.shown = [Listed(pid, title, price, "bags", "match") for pid, title, price in products[:10]]
    session.known = {pid: title for pid, title, _ in products}
    session.basket = {pid: 1 + i for i, (pid, _, _) in enumerate(products[:4])}
    session.last_search = {"query": "lunch bag", "max_price": 2.0, "k": 5}
    session.focus = session.shown[1].to_json()
    return session


def time_turns(url: str, turns: int, warm: int = 10) -> dict[str, float]:
    """Milliseconds per transaction over `turns` turns of one full session (after `warm`)."""
    store = SqlSessions(url)
    seed = full_session("bench-session")
    with store.transaction(seed.session_id) as opened:
        opened.session.__dict__.update(seed.__dict__)
    size = len(json.dumps(store.read(seed.session_id).to_dict(), ensure_ascii=False).encode())
    times = []
    for i in range(warm + turns):
        start = time.perf_counter()
        with store.transaction(seed.session_id) as opened:
            opened.session.add_turn("user", "show me cheaper ones")
            opened.session.add_turn("assistant", ANSWER, [{"name": "search_products", "args": {"max_price": 1.5}}])
        if i >= warm:
            times.append((time.perf_counter() - start) * 1000)
    store._shared.engine.dispose()  # close its connections before the server goes
    ordered = sorted(times)
    return {"p50": statistics.median(times), "p90": ordered[int(0.9 * (len(ordered) - 1))],
            "p99": ordered[round(0.99 * (len(ordered) - 1))], "mean": statistics.fmean(times), "bytes": size}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=200, help="timed transactions per database (default 200)")
    parser.add_argument("--url", action="append", help="time this database instead (repeatable)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    rows = []
    with ExitStack() as stack:
        urls = args.url
        if not urls:
            from .postgres import throwaway_postgres

            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="shopassist-sessions-")))
            urls = [f"sqlite:///{folder / 'sessions.sqlite3'}", stack.enter_context(throwaway_postgres(durable=True))]
        for url in urls:
            figures = time_turns(url, args.turns)
            name = "SQLite (a file in the temp folder)" if url.startswith("sqlite") else "PostgreSQL (loopback)"
            rows.append(f"| {name} | {args.turns} | {figures['p50']:.2f} | {figures['p90']:.2f} | "
                        f"{figures['p99']:.2f} | {figures['mean']:.2f} | {figures['bytes'] / 1024:.1f} |")
    table = "\n".join(["| database | turns | p50 ms | p90 ms | p99 ms | mean ms | session KB |",
                       "|---|---|---|---|---|---|---|", *rows])
    print(table)
    if not args.no_write:
        from ._results import write_section

        command = ".venv/bin/python -m bench.bench_sessions " + shlex.join(argv if argv is not None else sys.argv[1:])
        write_section("Session store per turn", command.strip(), _notes() + "\n\n" + table)
    return 0


def _notes() -> str:
    return ("Time of one `SessionStore.transaction` around a turn, without the turn: the session's "
            "lock (PostgreSQL: an advisory lock; SQLite: a lock file), loading its JSON, adding two "
            f"turns, storing it and committing, one process, one session of {MAX_TURNS} turns, 10 "
            "products shown, 40 named and 4 in the basket. Every commit is synced to disk (SQLite "
            "synchronous=FULL in WAL mode; a throwaway PostgreSQL server on loopback with fsync on), so "
            "the figures follow the disk. *session KB* = the session as stored.")


if __name__ == "__main__":
    sys.exit(main())
