"""`shopassist run`: make everything the app needs (if missing) and serve it."""

from __future__ import annotations

import argparse

from ..setup import demo, prepare


def register(sub, parents) -> None:
    p = sub.add_parser(
        "run",
        parents=parents,
        help="prepare the data root from data/ if needed, then serve the app",
        description="Ingest the bundled data and build what is missing under the data root, "
        "then serve the web app on HOST:PORT (loopback by default).",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    p.add_argument("--rebuild", action="store_true", help="rebuild even if a build exists")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    summary = prepare(home=args.home, rebuild=args.rebuild)
    print(summary.render())
    # The web app comes with the UI work; until then, show a conversation on the data.
    print("\nA short conversation with the assistant (offline planner):\n")
    print(demo(args.home))
    return 0
