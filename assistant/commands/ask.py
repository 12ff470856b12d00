"""`shopassist ask "..."`: one question to the shopping assistant, as text or JSON."""

from __future__ import annotations

import argparse
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from retrieval.errors import ConfigError


def add_model_options(p: argparse.ArgumentParser) -> None:
    """Which chat model answers: shared by `ask`, `chat` and `run`."""
    p.add_argument("--model", default="offline", help="offline (default, no weights), openai or hf")
    p.add_argument("--base-url", metavar="URL",
                   help="the OpenAI-compatible server for --model openai (else SHOPASSIST_OPENAI_BASE_URL)")
    p.add_argument("--model-name", metavar="NAME", help="the model on that server (else SHOPASSIST_OPENAI_MODEL)")
    p.add_argument("--tool-mode", choices=("native", "constrained", "auto"),
                   help="how the openai model calls tools: native tool calls, one JSON object by schema "
                        "(constrained), or probe the server once (auto, the default)")


def model_options(args: argparse.Namespace) -> dict:
    """The model keyword arguments for `ShoppingAssistant.open` from those options."""
    options = {k: getattr(args, k, None) for k in ("base_url", "model_name", "tool_mode")}
    return {k: v for k, v in options.items() if v and args.model == "openai"}


def add_agent_options(p: argparse.ArgumentParser) -> None:
    """Options shared by `ask` and `chat`."""
    add_model_options(p)
    p.add_argument("--role", default="shopper", choices=("shopper", "service"),
                   help="service adds the customer_history tool")
    p.add_argument("--customer", metavar="ID", help="the customer this conversation is about")
    p.add_argument("--session", metavar="ID",
                   help="keep the conversation (basket, last results) under this id between runs")


def register(sub, parents) -> None:
    p = sub.add_parser("ask", parents=parents, help="ask the shopping assistant one question",
                       description="Answer one message with the shopping agent. With --session the "
                       "basket and the last results carry over to the next `ask` with the same id.")
    p.add_argument("message", metavar="MESSAGE", help='e.g. "a lunch bag under 2" (prices in the shop\'s currency)')
    p.add_argument("--json", action="store_true", help="print the whole reply as JSON")
    add_agent_options(p)
    p.set_defaults(handler=run)


def open_assistant(args: argparse.Namespace):
    from assistant.api import ShoppingAssistant

    return ShoppingAssistant.open(getattr(args, "home", None), model=args.model, role=args.role,
                                  **model_options(args))


def session_path(args: argparse.Namespace) -> Path | None:
    from assistant.api import sessions_dir

    if not args.session:
        return None
    if not args.session.replace("-", "").replace("_", "").isalnum():
        raise ConfigError("--session takes letters, digits, '-' and '_' only.")
    return sessions_dir(getattr(args, "home", None)) / f"{args.session}.json"


@contextmanager
def conversation(assistant, args: argparse.Namespace, kind: str) -> Iterator[str]:
    """The id the run talks under: --session's, else a one-off id deleted when the run ends.
    The session store persists under the data root, so a fixed default would hand one run's
    basket and signed-in customer to the next run without --session."""
    sid = args.session or f"{kind}-{uuid.uuid4().hex}"
    try:
        yield sid
    finally:
        if not args.session:
            assistant.delete_session(sid)


def run(args: argparse.Namespace) -> int:
    assistant = open_assistant(args)
    path = session_path(args)
    if path is not None and path.exists():
        assistant.load_session(path)
    with conversation(assistant, args, "cli") as sid:
        reply = assistant.chat(sid, args.message, customer_id=args.customer)
        if path is not None:
            assistant.save_session(sid, path)
    if args.json:
        print(json.dumps(reply.to_dict(), indent=2, ensure_ascii=False, default=str))
    else:
        print(reply.text)
    return 0
