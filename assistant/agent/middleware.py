"""The agent's middleware: what `create_agent` does not do for a shopping assistant.

Small local models (llama.cpp, Ollama) often write a tool call as JSON in the message text,
or repeat the same call forever. `ShopMiddleware` wraps every model call to read such calls,
to drop repeats, and to bound the tool rounds of a turn: once a turn has used its rounds (or
the model repeated itself) the model is asked for an answer with no tools offered. It wraps
every tool call to keep what came back (the evidence grounding checks answers against).
"""

from __future__ import annotations

import functools
import json
import logging
import math
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain.agents.middleware import AgentMiddleware, AgentState, ModelRequest, ModelResponse
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.tools import BaseTool

from retrieval.recommend.question import parse_question

from ..results import ToolError, ToolOutput
from .grounding import Ledger
from .intent import asks_for_basket_add_ons, mentions_basket
from .planner import Intent, OfflinePlanner, asks_for_own_orders
from .prompts import ANSWER_NOW, unfence
from .tools import PRICED_TOOLS, ToolBox
from .writer import SLOW, UNAVAILABLE, ToolResult, compose, news

log = logging.getLogger("assistant.agent.loop")  # one logger name for everything a turn does

_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.S)


@dataclass
class TurnRun:
    """One chat turn's runtime context: the session's tools and what the tools returned.
    (Not `session.Turn`, which is one message of the conversation kept between turns.)"""

    toolbox: ToolBox
    ledger: Ledger
    max_rounds: int
    results: list[ToolResult] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    done: dict[str, ToolResult] = field(default_factory=dict)  # call key -> first result
    answer_now: bool = False  # set by a repeat: the next model call gets no tools
    deadline: float = math.inf  # time.monotonic() by which the turn must answer
    # The answer is written from the evidence once the tools have run, without asking the
    # model again (a small local model's own answers were slow and worse; see `answers`).
    compose_answers: bool = False
    model_down: bool = False  # the model failed, or the time ran out: the offline planner finishes the turn

    def out_of_time(self) -> bool:
        return time.monotonic() >= self.deadline

    def note(self, event: str) -> None:
        if event not in self.events:
            self.events.append(event)

    def record(self, call: dict[str, Any], output: ToolOutput) -> None:
        result = ToolResult(call["name"], dict(call.get("args") or {}), output, call.get("id") or "")
        self.done.setdefault(call_key(call), result)
        self.results.append(result)
        self.ledger.add(output)


def call_key(call: dict[str, Any]) -> str:
    return f"{call['name']}:{json.dumps(call.get('args') or {}, sort_keys=True, default=str)}"


def message_text(message: BaseMessage) -> str:
    content = message.content
    if isinstance(content, str):
        return content
    return "".join(b if isinstance(b, str) else str(b.get("text", "")) for b in content)


_MAX_PROSE = 200  # characters of prose allowed around a tool call written as text
_TAGGED = re.compile(r"<tool_call>\s*(.*?)\s*(?:</tool_call>|$)", re.S)


def text_tool_calls(text: str, names: set[str]) -> list[dict[str, Any]]:
    """Tool calls written as JSON text, in every form small models write them: the whole
    reply, one code fence, `<tool_call>` tags (one or several), a list of calls, doubled
    braces copied from a chat template, with at most a short sentence around them. A JSON
    object inside a longer answer is a quotation (product text, say), never a call."""
    tagged = _TAGGED.findall(text)
    if tagged:
        around = _TAGGED.sub("", text)
        if len(around.strip()) > _MAX_PROSE:
            return []
        calls = [c for chunk in tagged for c in _json_calls(chunk.strip(), names, whole=True)]
        return [{**c, "id": f"text_call_{i}"} for i, c in enumerate(calls)]
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


def _decode(chunk: str) -> tuple[Any, int] | None:
    """The JSON value at the start of chunk, also when its braces are doubled ({{...}})."""
    for candidate in (chunk, chunk.replace("{{", "{").replace("}}", "}")):
        try:
            return json.JSONDecoder().raw_decode(candidate)
        except json.JSONDecodeError:
            continue
    return None


def _json_calls(chunk: str, names: set[str], *, whole: bool) -> list[dict[str, Any]]:
    """The calls in the JSON starting at the chunk's first bracket; `whole`: nothing may follow."""
    starts = [i for i in (chunk.find("{"), chunk.find("[")) if i >= 0]
    start = min(starts) if starts else -1
    if start < 0 or (whole and start > _MAX_PROSE):
        return []
    decoded = _decode(chunk[start:])
    if decoded is None:
        return []
    obj, end = decoded
    if whole and len(chunk[start + end:].strip(" }\n")) > _MAX_PROSE:
        return []
    if isinstance(obj, dict) and isinstance(obj.get("tool_calls"), list):
        obj = obj["tool_calls"]
    calls: list[dict[str, Any]] = []
    for item in obj if isinstance(obj, list) else [obj]:
        if not isinstance(item, dict):
            continue
        if isinstance(item.get("function"), dict):  # {"type": "function", "function": {...}}
            item = item["function"]
        name = item.get("name") or item.get("tool") or item.get("function")
        if isinstance(name, str) and name.startswith("functions."):
            name = name[len("functions."):]
        args: Any = next((item[k] for k in ("arguments", "args", "parameters", "input") if k in item), {})
        if isinstance(args, str):
            try:
                args = json.loads(args)
            except json.JSONDecodeError:
                continue
        if name in names and isinstance(args, dict):
            calls.append({"name": name, "args": args, "id": f"text_call_{len(calls)}", "type": "tool_call"})
    return calls


def quoted_calls(messages: Sequence[BaseMessage], names: set[str]) -> set[str]:
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


def _rounds(messages: Sequence[BaseMessage]) -> int:
    """Tool rounds so far in this turn: AI messages with tool calls after the last user message."""
    rounds = 0
    for m in reversed(messages):
        if isinstance(m, HumanMessage):
            break
        rounds += isinstance(m, AIMessage) and bool(m.tool_calls)
    return rounds


@functools.cache
def model_failures() -> tuple[type[BaseException], ...]:
    """What a model server's failure raises: down, slow, overloaded, or refusing the request.
    Configuration and programming errors are not among them: they propagate."""
    kinds: list[type[BaseException]] = [OSError, TimeoutError]
    try:
        import openai

        kinds.append(openai.OpenAIError)  # API errors, and replies the client could not read
    except ImportError:
        pass
    try:
        import httpx

        kinds.append(httpx.HTTPError)
    except ImportError:
        pass
    return tuple(kinds)


def stand_in(turn: TurnRun, why: str) -> str:
    """The answer when the model cannot give one: what the tools found (a mistake the model
    was told to mend is not news), else a plain apology."""
    done = news(turn.results)
    return compose(done) if done else why


def meant_call(turn: TurnRun, call: dict[str, Any]) -> dict[str, Any]:
    """The call the shopper's words ask for where a model picked a near miss (both seen with
    a real 1.5B model); the offline planner reads the words the same way. A repeat is then
    told by the call that runs, so a corrected add repeated is not added twice.

    - An add runs with the product the words name when the model's is another one or an
      invented id (told which id to use, the model only wrote that it had added it).
    - "anything else I should get with what's in my cart?" is the basket's add-ons, not
      general ideas.
    - "time to restock", "my usual stuff", "what might they reorder?" are picks from the
      customer's own orders (bought_before), not a search, the basket or new things; in the
      console "what should we recommend to them?" is the customer's recommendations.
    - "what was in my last order" is the shopper's own orders, not the basket; a message
      that does not mention the basket ("show me red lunch bags", "what about the third
      one?") is not a look at it.
    - "what do people buy most", "your most popular cake stands" are the shop's best sellers
      (of those products), searched with the shopper's words: not ideas for them, and not a
      search that dropped the products named (the model copied "what's popular?").
    """
    toolbox = turn.toolbox
    name, args = call.get("name"), dict(call.get("args") or {})
    message = toolbox.message or ""
    if (name in ("show_basket", "search_products", "recommend_for_me") and "my_orders" in toolbox.names
            and asks_for_own_orders(message)):
        log.info("%s for the shopper's own orders: my_orders runs instead", name)
        turn.note("own_orders")
        return {**call, "name": "my_orders", "args": {}}
    plan = _plan(toolbox) if name in _ASKING_TOOLS else []
    planned = _about_own_orders(plan)
    if planned is not None and (name != planned[0] or (planned[1].get("bought_before") and not args.get("bought_before"))):
        log.info("%s(%s) for the customer's own orders: %s(%s) runs instead", name, args, *planned)
        turn.note(_event(planned))
        return {**call, "name": planned[0], "args": planned[1]}
    if name == "show_basket" and plan and plan[0][0] in _LOOKUPS and not mentions_basket(message):
        log.info("show_basket for a message that does not mention the basket: %s(%s) runs instead", *plan[0])
        turn.note("not_the_basket")
        return {**call, "name": plan[0][0], "args": plan[0][1]}
    if name in ("recommend_for_me", "search_products") and "search_products" in toolbox.names:
        money = toolbox.retriever.money
        asked = parse_question(message, money)
        searched = parse_question(str(args.get("question") or ""), money).words if name == "search_products" else ()
        if asked.popular_first and (name == "recommend_for_me" or set(asked.words) - set(searched)):
            log.info("%s(%s) for the shop's best sellers: search_products runs on the shopper's words", name, args)
            turn.note("best_sellers")
            return {**call, "name": "search_products", "args": {"question": message}}
    if name == "add_to_basket" and toolbox.message:
        meant = toolbox.named_instead(str(args.get("product_id", "")))
        if meant is not None:
            log.warning("add_to_basket %s: the shopper's words name %s, which is added", args.get("product_id"), meant)
            turn.note("basket_product_corrected")
            return {**call, "args": {**args, "product_id": meant}}
    if (name == "recommend_for_me" and "bought_together" in toolbox.names
            and toolbox.session.basket and asks_for_basket_add_ons(toolbox.message or "")):
        log.info("recommend_for_me for a question about the basket: bought_together runs instead")
        turn.note("basket_add_ons")
        return {**call, "name": "bought_together", "args": {"product_ids": ["basket"]}}
    return call


# The calls a model makes for a question (never a basket change): the ones a misread
# buy-again request came as.
_ASKING_TOOLS = ("recommend_for_me", "customer_recommendations", "show_basket", "search_products")
# What a message that does not mention the basket asks for instead of a look at it.
_LOOKUPS = ("search_products", "product_details", "similar_items", "bought_together", "recommend_for_me")


def _plan(toolbox: ToolBox) -> list[tuple[str, dict[str, Any]]]:
    """The calls the offline planner reads in this turn's words ([] without words)."""
    if not toolbox.message:
        return []
    return Intent(toolbox.message, toolbox.session.context(), list(toolbox.names)).calls()


def _about_own_orders(plan: list[tuple[str, dict[str, Any]]]) -> tuple[str, dict[str, Any]] | None:
    """The planned call where the words plainly ask about the customer's own orders, or
    None: buying again ("time to restock", "my usual stuff", "what might they reorder?"),
    and in the console recommendations for, or the history of, the customer named or on
    screen ("what should we recommend to them?")."""
    if not plan:
        return None
    name, args = plan[0]
    if name in ("customer_recommendations", "customer_history") or (name == "recommend_for_me"
                                                                    and args.get("bought_before")):
        return plan[0]
    return None


def _event(planned: tuple[str, dict[str, Any]]) -> str:
    return "buy_again" if planned[1].get("bought_before") else "customer_call"


def without_model(turn: TurnRun, request: ModelRequest[TurnRun], why: str = UNAVAILABLE) -> ModelResponse:
    """The model failed this turn (down, timed out) or its time is spent: the offline planner
    (no model, milliseconds) finishes it from the shopper's own words, so a request the tools
    can serve is still served. Only a turn whose calls did nothing is planned again;
    otherwise its results are the answer. `why`: the message when there is nothing to say."""
    first, turn.model_down = not turn.model_down, True
    if first and not any(not r.failed for r in turn.results):
        messages = list(request.messages)
        asked = max((i for i, m in enumerate(messages) if isinstance(m, HumanMessage)), default=-1)
        planner = OfflinePlanner().bind_tools(list(request.tools))
        reply = planner.respond(messages[: asked + 1])
        if reply.tool_calls:
            log.info("the offline planner answers this turn: %s", [c["name"] for c in reply.tool_calls])
            turn.note("planner_fallback")
            return ModelResponse(result=[reply])
    return ModelResponse(result=[AIMessage(content=stand_in(turn, why))])


class ShopMiddleware(AgentMiddleware[AgentState[Any], TurnRun]):
    def wrap_model_call(self, request: ModelRequest[TurnRun], handler) -> ModelResponse:  # noqa: ANN001
        turn: TurnRun = request.runtime.context
        if turn.out_of_time():
            log.warning("the turn's time budget is spent; answering from the tool output")
            turn.note("time_budget")
            return without_model(turn, request, SLOW)
        if turn.model_down:
            return without_model(turn, request)
        last = request.messages[-1] if request.messages else None
        if (turn.compose_answers and isinstance(last, ToolMessage)
                and not (isinstance(last.artifact, ToolError) and last.artifact.retry)):
            # After a mistake it can mend (the wrong product for the shopper's words) the model
            # gets another round; any other outcome, errors included, is composed as it is.
            turn.note("composed_answer")
            done = [r for r in turn.results if not r.failed]  # a mistake the model mended is not news
            return ModelResponse(result=[AIMessage(content=compose(done or turn.results))])
        if not turn.answer_now and _rounds(request.messages) >= turn.max_rounds:
            log.warning("no answer after %d tool rounds; asking for one with tools off", turn.max_rounds)
            turn.note("max_rounds")
            turn.answer_now = True
        if turn.answer_now:
            return self._answer(request, handler)
        response = self._call(turn, request, handler)
        if response is None:
            return without_model(turn, request)
        reply = response.result[-1]
        calls = [c for c in getattr(reply, "tool_calls", []) if c.get("name")]
        if not calls and isinstance(reply, AIMessage):
            names = {t.name for t in request.tools if isinstance(t, BaseTool)}  # ours are all tools
            calls = text_tool_calls(message_text(reply), names)
            quoted = quoted_calls(request.messages, names) if calls else set()
            if any(call_key(c) in quoted for c in calls):
                # Product text said {"name": ...}: the model is repeating data, so the reply
                # stays an answer and nothing runs.
                log.warning("ignored tool call(s) quoted from data: %s", [call_key(c) for c in calls])
                turn.note("quoted_tool_call")
                calls = []
            elif calls:
                log.info("model wrote %d tool call(s) as JSON text: %s", len(calls), [c["name"] for c in calls])
                turn.note("json_tool_call")
        if not calls and not turn.results and (planned := _about_own_orders(_plan(turn.toolbox))) is not None:
            # Seen with a real 1.5B model: "anything they should restock" answered with no
            # call, naming "tea, coffee, chocolate" the shop never listed. The words ask for
            # the customer's own orders: that call runs.
            log.info("no call for the customer's own orders: %s(%s) runs", *planned)
            turn.note(_event(planned))
            calls = [{"name": planned[0], "args": planned[1], "id": f"planned-{len(request.messages)}",
                      "type": "tool_call"}]
        if not calls:
            return response
        fresh = []
        for call in (meant_call(turn, c) for c in calls):
            first = turn.done.get(call_key(call))
            if first is None:
                fresh.append(call)
                continue
            log.warning("model repeated the identical call %s; stopping the tool rounds", call_key(call))
            turn.note("repeated_call")
            turn.results.append(ToolResult(first.name, first.args, first.output, call.get("id") or "", repeated=True))
            turn.answer_now = True
        if not fresh:
            return self._answer(request, handler)
        return ModelResponse(result=[AIMessage(content="", tool_calls=fresh)])

    @staticmethod
    def _call(turn: TurnRun, request: ModelRequest[TurnRun], handler) -> ModelResponse | None:  # noqa: ANN001
        """One model request; None when the model failed (down, timed out, refused the request).
        The shopper then gets the stand-in answer, never a traceback."""
        try:
            return handler(request)
        except model_failures() as exc:
            log.warning("the model failed (%s: %s); answering without it", type(exc).__name__, exc)
            turn.note("model_error")
            return None

    def _answer(self, request: ModelRequest[TurnRun], handler) -> ModelResponse:  # noqa: ANN001
        # No tools offered: the factory binds none. A model that still emits a call gets its
        # text kept and the call dropped, so the turn ends here whatever it does.
        turn: TurnRun = request.runtime.context
        response = self._call(turn, request.override(tools=[], messages=[*request.messages, SystemMessage(ANSWER_NOW)]),
                              handler)
        if response is None:
            return ModelResponse(result=[AIMessage(content=stand_in(turn, UNAVAILABLE))])
        reply = response.result[-1]
        if getattr(reply, "tool_calls", None):
            response = ModelResponse(result=[AIMessage(content=message_text(reply))])
        return response

    def wrap_tool_call(self, request, handler) -> ToolMessage:  # noqa: ANN001
        turn_: TurnRun = request.runtime.context
        call = request.tool_call
        if call["name"] in PRICED_TOOLS and turn_.toolbox.message:
            # The shopper's own price words decide the limits (see ToolBox.price_bounds); the
            # call is recorded as it ran.
            fixed = turn_.toolbox.price_bounds(dict(call.get("args") or {}), call["name"])
            if fixed != call.get("args"):
                turn_.note("price_limits_corrected")
                request = request.override(tool_call={**call, "args": fixed})
                call = request.tool_call
        if "k" in (call.get("args") or {}) and turn_.toolbox.message:
            # So does the shopper's count (ToolBox.count_bound): a small model asks for 10.
            fixed = turn_.toolbox.count_bound(dict(call["args"]))
            if fixed != call["args"]:
                turn_.note("count_corrected")
                request = request.override(tool_call={**call, "args": fixed})
        message = handler(request)
        output = message.artifact if isinstance(message.artifact, ToolOutput) else ToolError(error=message_text(message))
        turn: TurnRun = request.runtime.context
        if isinstance(output, ToolError) and output.refused:
            turn.note("refused_basket_change")
        turn.record(request.tool_call, output)
        return message
