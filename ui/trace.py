"""The agent's tool calls as chat messages: collapsed accordions (ChatMessage metadata) above
the reply, short for the shopper and complete for the customer-service console."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import gradio as gr

from assistant.agent.writer import ToolResult
from assistant.results import (
    BasketView,
    Comparison,
    CustomerHistory,
    Listing,
    ToolError,
    ToolOutput,
    products_of,
)

from .text import code_block, markdown_text, shorten


def call_title(call: ToolResult) -> str:
    """`name(arg=value, ...)`, markdown-escaped (Gradio renders the title as markdown, and
    the arguments hold the shopper's words)."""
    args = ", ".join(f"{k}={_short(v)}" for k, v in call.args.items() if k != "exclude")
    return markdown_text(f"{call.name or 'tool'}({args})")


def call_log(output: ToolOutput) -> str:
    """What a tool returned, in one phrase, for the accordion's subdued "log" line."""
    if isinstance(output, ToolError):
        return "error"
    if isinstance(output, BasketView):
        return f"{len(output.lines)} basket"
    if isinstance(output, Listing | Comparison | CustomerHistory):
        return f"{len(output.products)} products"
    return "done"


def tool_messages(calls: list[ToolResult], *, full: bool = False) -> list[gr.ChatMessage]:
    """One collapsed message per tool call. The shopper sees the arguments and the titles
    found; the console (`full`) sees the arguments and the whole result as JSON."""
    out = []
    for call in calls:
        args = json.dumps(call.args, ensure_ascii=False, indent=1, default=str)
        body = "arguments:\n" + code_block(args, "json")
        result = call.output
        if full:
            body += "\nresult:\n" + code_block(
                json.dumps(result.to_json(), ensure_ascii=False, indent=1, default=str), "json")
        elif isinstance(result, ToolError):
            body += "\n" + markdown_text(f"error: {result.error}")
        else:
            found = [f"{p.product_id}  {p.title}" for p in _found(result)]
            if found:
                body += "\nfound:\n" + code_block("\n".join(found))
        out.append(gr.ChatMessage(role="assistant", content=body, metadata={
            "title": call_title(call), "log": call_log(result), "status": "done"}))
    return out


def grounding_message(grounding: Mapping[str, Any]) -> gr.ChatMessage | None:
    """The grounding check of the reply (console only): which claims were checked, and how."""
    if not grounding:
        return None
    body = code_block(json.dumps(grounding, ensure_ascii=False, indent=1, default=str), "json")
    return gr.ChatMessage(role="assistant", content=body,
                          metadata={"title": "grounding check", "status": "done"})


def _found(output: ToolOutput) -> list[Any]:
    """What a call found, for the shopper: the products it is about, and a basket's lines."""
    lines = list(output.lines) if isinstance(output, BasketView) else []
    return [*lines, *products_of(output)]


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return shorten(text, 60)


def reply_titles(reply: Any) -> list[str]:
    """Every product title a turn touched (each product any of its tool results names), so
    the reply can show them as text wherever the model quoted them."""
    return [str(p.title or "") for r in reply.results for p in r.output.mentions()]
