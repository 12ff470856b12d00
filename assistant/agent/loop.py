"""The agent loop: bounded tool rounds, then one answer with tools off, then grounding.

A hand loop rather than `create_agent`, because the loop has to do things a generic agent
does not: read tool calls that a small model wrote as JSON text, stop a model that repeats
the same call, always end with an answer request that offers no tools, and check that answer
against the evidence before anyone sees it.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, SystemMessage, ToolMessage

from .grounding import Grounding, Ledger, Verdict
from .planner import OfflinePlanner
from .prompts import ANSWER_NOW, fence_tool_output
from .tools import ToolBox
from .writer import FALLBACK, ToolResult, compose

log = logging.getLogger(__name__)

MAX_ROUNDS = 4
_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.S)


def message_text(message: BaseMessage) -> str:
    content = message.content
    if isinstance(content, str):
        return content
    return "".join(b if isinstance(b, str) else str(b.get("text", "")) for b in content)


def text_tool_calls(text: str, names: set[str]) -> list[dict[str, Any]]:
    """Tool calls written as JSON in the message text: {"name", "arguments"} or {"tool", "args"}."""
    candidates = [m.strip() for m in _FENCE.findall(text)] + [text.strip()]
    decoder = json.JSONDecoder()
    for chunk in candidates:
        start = chunk.find("{") if not chunk.startswith("[") else 0
        if start < 0:
            continue
        try:
            obj, _ = decoder.raw_decode(chunk[start:])
        except json.JSONDecodeError:
            continue
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
        if calls:
            return calls
    return []


@dataclass
class LoopResult:
    text: str
    results: list[ToolResult]
    verdict: Verdict
    events: list[str] = field(default_factory=list)


class AgentLoop:
    def __init__(self, model: BaseChatModel, grounding: Grounding, max_rounds: int = MAX_ROUNDS) -> None:
        self.model, self.grounding, self.max_rounds = model, grounding, max_rounds

    def run(self, messages: list[BaseMessage], toolbox: ToolBox, ledger: Ledger) -> LoopResult:
        tools = toolbox.langchain_tools()
        names = {t.name for t in tools}
        bound = self.model.bind_tools(tools)
        msgs = list(messages)
        results: list[ToolResult] = []
        done: dict[str, ToolResult] = {}  # call key -> first result, to spot repeats
        events: list[str] = []
        text = None
        for _round in range(self.max_rounds):
            reply = bound.invoke(msgs)
            calls = [c for c in reply.tool_calls if c.get("name")]
            if not calls:
                calls = text_tool_calls(message_text(reply), names)
                if calls:
                    log.info("model wrote %d tool call(s) as JSON text: %s", len(calls), [c["name"] for c in calls])
                    events.append("json_tool_call")
                    reply = AIMessage(content="", tool_calls=calls)
            if not calls:
                text = message_text(reply)
                break
            msgs.append(reply)
            repeated = False
            for call in calls:
                key = f"{call['name']}:{json.dumps(call.get('args') or {}, sort_keys=True, default=str)}"
                if key in done:
                    log.warning("model repeated the identical call %s; stopping the tool rounds", key)
                    events.append("repeated_call")
                    repeated, result = True, done[key]
                    result = ToolResult(result.name, result.args, result.data, call.get("id", ""), repeated=True)
                else:
                    data = toolbox.call(call["name"], dict(call.get("args") or {}))
                    result = ToolResult(call["name"], dict(call.get("args") or {}), data, call.get("id", ""))
                    done[key] = result
                    ledger.add(data)
                results.append(result)
                msgs.append(ToolMessage(content=fence_tool_output(result.name, result.data),
                                        tool_call_id=call.get("id") or "", name=result.name))
            if repeated:
                break
        else:
            log.warning("no answer after %d tool rounds; asking for one with tools off", self.max_rounds)
            events.append("max_rounds")
        if text is None:
            msgs.append(SystemMessage(ANSWER_NOW))
            text = message_text(self.model.invoke(msgs))  # the unbound model: no tools offered
        return LoopResult(*self.ground(text, msgs, results, ledger), events)

    def ground(self, text: str, msgs: list[BaseMessage], results: list[ToolResult], ledger: Ledger):
        problems = self.grounding.check(text, ledger) if text.strip() else ["empty answer"]
        if not problems:
            return text, results, Verdict([])
        log.warning("answer failed grounding: %s", "; ".join(problems))
        action = "repaired"
        if not isinstance(self.model, OfflinePlanner) and text.strip():
            retry = [*msgs, AIMessage(content=text), SystemMessage(
                "That answer is not supported by the tool output: " + "; ".join(problems)
                + ". Rewrite it using only products and figures from the tool output.")]
            second = message_text(self.model.invoke(retry))
            if second.strip() and not self.grounding.check(second, ledger):
                log.info("regenerated answer passed grounding")
                return second, results, Verdict(problems, "regenerated")
            log.warning("regenerated answer failed grounding too; rewriting from the evidence")
        # The composed answer copies every name and figure from tool output: grounded by construction.
        return (compose(results) if results else FALLBACK), results, Verdict(problems, action)
