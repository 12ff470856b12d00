"""The agent's tool calls as chat messages: collapsed accordions (ChatMessage metadata) above
the reply, short for the shopper and complete for the customer-service console."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import gradio as gr

from .text import code_block, markdown_text, shorten

# What a tool returned, in one phrase, for the accordion's subdued "log" line.
_COUNTED = ("products", "basket", "lines", "rules")


def call_title(call: Mapping[str, Any]) -> str:
    """`name(arg=value, ...)`, markdown-escaped (Gradio renders the title as markdown, and
    the arguments hold the shopper's words)."""
    args = ", ".join(f"{k}={_short(v)}" for k, v in (call.get("args") or {}).items()
                     if k != "exclude")
    return markdown_text(f"{call.get('name', 'tool')}({args})")


def call_log(call: Mapping[str, Any]) -> str:
    result = call.get("result") or {}
    if "error" in result:
        return "error"
    for key in _COUNTED:
        if isinstance(result.get(key), list):
            return f"{len(result[key])} {key}"
    return "done"


def tool_messages(calls: list[Mapping[str, Any]], *, full: bool = False) -> list[gr.ChatMessage]:
    """One collapsed message per tool call. The shopper sees the arguments and the titles
    found; the console (`full`) sees the arguments and the whole result as JSON."""
    out = []
    for call in calls:
        args = json.dumps(call.get("args") or {}, ensure_ascii=False, indent=1, default=str)
        body = "arguments:\n" + code_block(args, "json")
        result = call.get("result") or {}
        if full:
            body += "\nresult:\n" + code_block(
                json.dumps(result, ensure_ascii=False, indent=1, default=str), "json")
        else:
            found = _titles(result)
            if "error" in result:
                body += "\n" + markdown_text(f"error: {result['error']}")
            elif found:
                body += "\nfound:\n" + code_block("\n".join(found))
        out.append(gr.ChatMessage(role="assistant", content=body, metadata={
            "title": call_title(call), "log": call_log(call), "status": "done"}))
    return out


def grounding_message(grounding: Mapping[str, Any]) -> gr.ChatMessage | None:
    """The grounding check of the reply (console only): which claims were checked, and how."""
    if not grounding:
        return None
    body = code_block(json.dumps(grounding, ensure_ascii=False, indent=1, default=str), "json")
    return gr.ChatMessage(role="assistant", content=body,
                          metadata={"title": "grounding check", "status": "done"})


def _titles(result: Mapping[str, Any]) -> list[str]:
    items = [*(result.get("products") or []), *(result.get("basket") or [])]
    for key in ("product", "added"):
        if isinstance(result.get(key), Mapping):
            items.append(result[key])
    return [f"{p.get('product_id', '')}  {p.get('title', '')}" for p in items
            if isinstance(p, Mapping)]


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return shorten(text, 60)


def reply_titles(reply: Any) -> list[str]:
    """Every product title a turn touched (its products and every tool result), so the
    reply can show them as text wherever the model quoted them."""
    found = [str(p.get("title", "")) for p in reply.products]
    for call in reply.tool_calls:
        result = call.get("result") or {}
        for key in ("products", "basket", "anchors"):
            found += [str(p.get("title", "")) for p in result.get(key) or [] if isinstance(p, Mapping)]
        for key in ("product", "added"):
            if isinstance(result.get(key), Mapping):
                found.append(str(result[key].get("title", "")))
    return found
