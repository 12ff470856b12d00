"""`shopassist chat`: talk to the shopping assistant in the terminal."""

from __future__ import annotations

import argparse

from retrieval.errors import ShopassistError

from .ask import add_agent_options, conversation, open_assistant, session_path

PROMPT = "you> "
QUIT = {"quit", "exit", "bye", ":q"}


def register(sub, parents) -> None:
    p = sub.add_parser("chat", parents=parents, help="chat with the shopping assistant",
                       description="An interactive conversation with the shopping agent. Type 'quit' "
                       "(or press Ctrl-D) to leave; with --session the conversation is saved.")
    add_agent_options(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace, read=input) -> int:
    assistant = open_assistant(args)
    path = session_path(args)
    if path is not None and path.exists():
        assistant.load_session(path)
    print(f"{assistant.shop.name}: ask for products, e.g. '{assistant.example_requests()[0]}'. Type 'quit' to leave.")
    with conversation(assistant, args, "chat") as sid:
        _talk(assistant, args, sid, path, read)
    return 0


def _talk(assistant, args: argparse.Namespace, sid: str, path, read) -> None:
    while True:
        try:
            message = read(PROMPT).strip()
        except EOFError:
            print()
            break
        if message.lower() in QUIT:
            break
        if not message:
            continue
        try:
            reply = assistant.chat(sid, message, customer_id=args.customer)
        except ShopassistError as exc:  # a bad request ends the answer, not the conversation
            print(f"error: {exc}")
            continue
        print(f"assistant> {reply.text}\n")
        if path is not None:
            assistant.save_session(sid, path)
