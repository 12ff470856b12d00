"""The agent's middleware: what `create_agent` does not do for a shopping assistant.

Small local models (llama.cpp, Ollama) often write a tool call as JSON in the message text,
or repeat the same call forever. `ShopMiddleware` wraps every model call to read such calls,
to drop repeats, and to bound the tool rounds of a turn: once a turn has used its rounds (or
the model repeated itself) the model is asked for an answer with no tools offered. It wraps
every tool call to keep what came back (the evidence grounding checks answers against).
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any

from langchain.agents.middleware import AgentMiddleware, ModelRequest, ModelResponse
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage

from .grounding import Ledger
from .prompts import ANSWER_NOW, unfence
from .tools import ToolBox
from .writer import ToolResult

log = logging.getLogger("assistant.agent.loop")  # one logger name for everything a turn does

_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.S)


@dataclass
class Turn:
    """One chat turn's runtime context: the session's tools and what the tools returned."""

    toolbox: ToolBox
    ledger: Ledger
    max_rounds: int
    results: list[ToolResult] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    done: dict[str, ToolResult] = field(default_factory=dict)  # call key -> first result
    answer_now: bool = False  # set by a repeat: the next model call gets no tools

    def record(self, call: dict[str, Any], data: dict[str, Any]) -> None:
        result = ToolResult(call["name"], dict(call.get("args") or {}), data, call.get("id") or "")
        self.done.setdefault(call_key(call), result)
        self.results.append(result)
        self.ledger.add(data)


def call_key(call: dict[str, Any]) -> str:
    return f"{call['name']}:{json.dumps(call.get('args') or {}, sort_keys=True, default=str)}"


def message_text(message: BaseMessage) -> str:
    content = message.content
    if isinstance(content, str):
        return content
    return "".join(b if isinstance(b, str) else str(b.get("text", "")) for b in content)


_MAX_PROSE = 200  # characters of prose allowed around a tool call written as text


def text_tool_calls(text: str, names: set[str]) -> list[dict[str, Any]]:
    """Tool calls written as JSON text: {"name", "arguments"} or {"tool", "args"}, as the whole
    reply or in one code fence with at most a short sentence around it. A JSON object inside
    a longer answer is a quotation (product text, say), never a call."""
    fenced = _FENCE.findall(text)
    if len(fenced) > 1:
        return []
    candidates = [(fenced[0].strip(), _FENCE.sub("", text))] if fenced else [(text.strip(), "")]
    for chunk, around in candidates:
        if len(around.strip()) > _MAX_PROSE:
            continue
        calls = _json_calls(chunk, names, whole=True)
        if calls:
            return calls
    return []


def _json_calls(chunk: str, names: set[str], *, whole: bool) -> list[dict[str, Any]]:
    """The calls in the JSON starting at the chunk's first bracket; `whole`: nothing may follow."""
    start = 0 if chunk.startswith("[") else chunk.find("{")
    if start < 0 or (whole and start > _MAX_PROSE):
        return []
    try:
        obj, end = json.JSONDecoder().raw_decode(chunk[start:])
    except json.JSONDecodeError:
        return []
    if whole and len(chunk[start + end:].strip()) > _MAX_PROSE:
        return []
    calls = []
    for item in obj if isinstance(obj, list) else [obj]:
        if not isinstance(item, dict):
            continue
        name = item.get("name") or item.get("tool") or item.get("function")
        args = next((item[k] for k in ("arguments", "args", "parameters", "input") if k in item), {})
        if isinstance(args, str):
            try:
                args = json.loads(args)
            except json.JSONDecodeError:
                continue
        if name in names and isinstance(args, dict):
            calls.append({"name": name, "args": args, "id": f"text_call_{len(calls)}", "type": "tool_call"})
    return calls


def quoted_calls(messages: list[BaseMessage], names: set[str]) -> set[str]:
    """Keys of the tool calls written inside data the model was shown: tool output, session
    state and earlier answers. A model repeating one of those is quoting, not calling."""
    keys: set[str] = set()
    for m in messages:
        if isinstance(m, HumanMessage):
            continue
        text = message_text(m)
        data = unfence(text)
        for piece in strings(data) if data is not None else [text]:
            at = piece.find("{")
            while at >= 0:
                keys.update(call_key(c) for c in _json_calls(piece[at:], names, whole=False))
                at = piece.find("{", at + 1)
    return keys


def strings(data: Any):
    """Every string inside a JSON-like value (dicts, lists and tuples walked)."""
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for v in data.values():
            yield from strings(v)
    elif isinstance(data, list | tuple):
        for v in data:
            yield from strings(v)


def _rounds(messages: list[BaseMessage]) -> int:
    """Tool rounds so far in this turn: AI messages with tool calls after the last user message."""
    rounds = 0
    for m in reversed(messages):
        if isinstance(m, HumanMessage):
            break
        rounds += isinstance(m, AIMessage) and bool(m.tool_calls)
    return rounds


class ShopMiddleware(AgentMiddleware):
    def wrap_model_call(self, request: ModelRequest, handler) -> ModelResponse:  # noqa: ANN001
        turn: Turn = request.runtime.context
        if not turn.answer_now and _rounds(request.messages) >= turn.max_rounds:
            log.warning("no answer after %d tool rounds; asking for one with tools off", turn.max_rounds)
            turn.events.append("max_rounds")
            turn.answer_now = True
        if turn.answer_now:
            return self._answer(request, handler)
        response = handler(request)
        reply = response.result[-1]
        calls = [c for c in getattr(reply, "tool_calls", []) if c.get("name")]
        if not calls and isinstance(reply, AIMessage):
            names = {t.name for t in request.tools}
            calls = text_tool_calls(message_text(reply), names)
            quoted = quoted_calls(request.messages, names) if calls else set()
            if any(call_key(c) in quoted for c in calls):
                # Product text said {"name": ...}: the model is repeating data, so the reply
                # stays an answer and nothing runs.
                log.warning("ignored tool call(s) quoted from data: %s", [call_key(c) for c in calls])
                turn.events.append("quoted_tool_call")
                calls = []
            elif calls:
                log.info("model wrote %d tool call(s) as JSON text: %s", len(calls), [c["name"] for c in calls])
                turn.events.append("json_tool_call")
        if not calls:
            return response
        fresh = []
        for call in calls:
            first = turn.done.get(call_key(call))
            if first is None:
                fresh.append(call)
                continue
            log.warning("model repeated the identical call %s; stopping the tool rounds", call_key(call))
            turn.events.append("repeated_call")
            turn.results.append(ToolResult(first.name, first.args, first.data, call.get("id") or "", repeated=True))
            turn.answer_now = True
        if not fresh:
            return self._answer(request, handler)
        return ModelResponse(result=[AIMessage(content="", tool_calls=fresh)])

    def _answer(self, request: ModelRequest, handler) -> ModelResponse:  # noqa: ANN001
        # No tools offered: the factory binds none. A model that still emits a call gets its
        # text kept and the call dropped, so the turn ends here whatever it does.
        response = handler(request.override(tools=[], messages=[*request.messages, SystemMessage(ANSWER_NOW)]))
        reply = response.result[-1]
        if getattr(reply, "tool_calls", None):
            response = ModelResponse(result=[AIMessage(content=message_text(reply))])
        return response

    def wrap_tool_call(self, request, handler) -> ToolMessage:  # noqa: ANN001
        message = handler(request)
        data = message.artifact if isinstance(message.artifact, dict) else {"error": message_text(message)}
        request.runtime.context.record(request.tool_call, data)
        return message
