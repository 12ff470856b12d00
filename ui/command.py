"""`shopassist run`: make everything the app needs (if missing) and serve it.

Registered through the ``shopassist.commands`` entry point, so `assistant.cli` never imports `ui`.
"""

from __future__ import annotations

import argparse

from assistant.access import ensure_credentials
from assistant.commands.ask import add_model_options, model_options
from assistant.prepare import prepare


def register(sub, parents) -> None:
    p = sub.add_parser(
        "run",
        parents=parents,
        help="prepare the data root from data/ if needed, then serve the web app",
        description="Ingest the bundled data and build what is missing under the data root, "
        "then serve the web app and HTTP API on HOST:PORT (loopback by default).",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    p.add_argument("--rebuild", action="store_true", help="rebuild even if a build exists")
    add_model_options(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from .server import launch

    summary = prepare(home=args.home, rebuild=args.rebuild)
    print(summary.render())
    login = ensure_credentials(args.home)
    print(f"customer-service console: user {login.user!r}, password from {login.source}")
    print(f"serving on http://{args.host}:{args.port}  (Ctrl-C stops)")
    launch(args.home, host=args.host, port=args.port, model=args.model, **model_options(args))
    return 0
