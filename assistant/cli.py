"""`shopassist` command line: parse, call one public function, print the result.

Each subcommand lives in its own module under `assistant/commands/` and exposes
`register(subparsers, parents)`; modules are discovered, so adding a command touches no
other file. Packages above `assistant` (the web shell, `ui`) add their commands through the
``shopassist.commands`` entry-point group, so this module never imports them. Domain errors (`ShopassistError`) become a one-paragraph message and exit 2.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import sys
from collections.abc import Sequence
from importlib.metadata import entry_points
from typing import Any

from retrieval.errors import ShopassistError

from . import commands


def _common(top_level: bool) -> argparse.ArgumentParser:
    # The options are accepted before and after the subcommand. On the subcommand they
    # default to SUPPRESS, so `shopassist --home X build` is not undone by build's default.
    common = argparse.ArgumentParser(add_help=False)
    default: dict[str, Any] = {} if top_level else {"default": argparse.SUPPRESS}
    common.add_argument("-v", "--verbose", action="store_true", help="show debug logs", **default)
    common.add_argument(
        "--home",
        metavar="DIR",
        help="data root for the index, rules and logs (default: $SHOPASSIST_HOME or ~/.shopassist)",
        **default,
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="shopassist",
        description="Conversational shopping assistant backend.",
        parents=[_common(top_level=True)],
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub_common = _common(top_level=False)
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        module.register(sub, [sub_common])
    for ep in sorted(entry_points(group="shopassist.commands"), key=lambda e: e.name):
        ep.load().register(sub, [sub_common])
    return parser


def _configure_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(levelname)s %(name)s: %(message)s" if verbose else "%(message)s",
        stream=sys.stderr,
    )
    if not verbose:
        # Third-party chatter (HTTP clients, telemetry) stays out of a person's terminal.
        for noisy in ("httpx", "chromadb", "urllib3", "transformers", "py4j", "gradio"):
            logging.getLogger(noisy).setLevel(logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 1
    _configure_logging(args.verbose)
    try:
        return int(args.handler(args) or 0)
    except ShopassistError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
