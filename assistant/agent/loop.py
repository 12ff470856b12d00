"""The agent: LangChain's `create_agent` with our middleware, then grounding.

`create_agent` runs the model/tool rounds; `ShopMiddleware` (middleware.py) makes it robust
with small models: tool calls written as JSON text are read, repeats stop the rounds, and a
turn ends with an answer request that offers no tools. One compiled agent per tool set serves
every session: each turn's toolbox and results travel in the runtime context (`TurnRun`). The
answer is then checked against the evidence before anyone sees it, and regenerated or
rewritten from the evidence when it fails.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

from langchain.agents import create_agent
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, SystemMessage
from langgraph.errors import GraphRecursionError

from retrieval.errors import ConfigError

from .grounding import Grounding, Ledger, Verdict
from .limits import TurnLimits
from .middleware import (
    ShopMiddleware,
    TurnRun,
    message_text,
    model_failures,
    stand_in,
    text_tool_calls,
)
from .planner import OfflinePlanner
from .tools import ToolBox, agent_tools
from .writer import FALLBACK, SLOW, ToolResult, compose, news

__all__ = ["MAX_ROUNDS", "AgentLoop", "LoopResult", "message_text", "text_tool_calls"]

log = logging.getLogger(__name__)

MAX_ROUNDS = TurnLimits().max_rounds
ANSWERS = ("auto", "model", "composed")


@dataclass
class LoopResult:
    text: str
    results: list[ToolResult]
    verdict: Verdict
    events: list[str] = field(default_factory=list)


class AgentLoop:
    def __init__(self, model: BaseChatModel, grounding: Grounding, max_rounds: int | None = None,
                 limits: TurnLimits | None = None, answers: str = "auto") -> None:
        if answers not in ANSWERS:
            raise ConfigError(f"answers must be one of {', '.join(ANSWERS)}, got {answers!r}.")
        self.model, self.grounding, self.answers = model, grounding, answers
        self.limits = limits or TurnLimits.from_env(max_rounds=max_rounds)
        self.max_rounds = self.limits.max_rounds
        self._agents: dict[tuple[str, ...], object] = {}
        self._lock = threading.Lock()

    def compose_answers(self) -> bool:
        """Whether answers are composed from the evidence rather than written by the model:
        "composed", or "auto" with a model that needs constrained output to call tools (a
        small local one: measured with Qwen2.5-Coder-1.5B, its own answers took 25-40 s a
        turn and named products by the wrong titles)."""
        if self.answers != "auto":
            return self.answers == "composed"
        return getattr(self.model, "constrained", False)

    def agent(self, names: tuple[str, ...]):  # noqa: ANN201 - a compiled LangGraph graph
        """The compiled agent for one tool set (a role's tools), built once."""
        with self._lock:
            if names not in self._agents:
                self._agents[names] = create_agent(self.model, agent_tools(names), middleware=[ShopMiddleware()],
                                                   context_schema=TurnRun)
            return self._agents[names]

    def run(self, messages: list[BaseMessage], toolbox: ToolBox, ledger: Ledger) -> LoopResult:
        turn = TurnRun(toolbox, ledger, self.max_rounds, deadline=time.monotonic() + self.limits.turn_seconds,
                    compose_answers=self.compose_answers())
        # Each round is a model step and a tool step; the tools-off answer is one more.
        limit = 2 * self.max_rounds + 4
        try:
            state = self.agent(toolbox.names).invoke({"messages": list(messages)}, context=turn,
                                                     config={"recursion_limit": limit})
        except GraphRecursionError:
            log.warning("the agent did not finish within %d steps; answering from the tool output", limit)
            turn.note("recursion_limit")
            return LoopResult(*self.ground(stand_in(turn, SLOW), [], turn.results, ledger, turn), turn.events)
        msgs: list[BaseMessage] = state["messages"]
        last = msgs[-1]
        text = message_text(last) if isinstance(last, AIMessage) and not last.tool_calls else ""
        return LoopResult(*self.ground(text, msgs, turn.results, ledger, turn), turn.events)

    def ground(self, text: str, msgs: list[BaseMessage], results: list[ToolResult], ledger: Ledger,
               turn: TurnRun | None = None) -> tuple[str, list[ToolResult], Verdict]:
        problems = self.grounding.check(text, ledger) if text.strip() else ["empty answer"]
        if not problems:
            return text, results, Verdict([])
        log.warning("answer failed grounding: %s", "; ".join(problems))
        action = "repaired"
        if (not isinstance(self.model, OfflinePlanner) and text.strip() and msgs
                and not (turn and (turn.out_of_time() or turn.model_down))):
            retry = [*msgs, AIMessage(content=text), SystemMessage(
                "That answer is not supported by the tool output: " + "; ".join(problems)
                + ". Rewrite it in plain words using only products and figures from the tool output.")]
            try:
                second = message_text(self.model.invoke(retry))
            except model_failures() as exc:  # a failed rewrite falls back to the composed answer
                log.warning("the rewrite request failed (%s); composing from the evidence", exc)
                second = ""
            if second.strip() and not self.grounding.check(second, ledger):
                log.info("regenerated answer passed grounding")
                return second, results, Verdict(problems, "regenerated")
            log.warning("regenerated answer failed grounding too; rewriting from the evidence")
        # The composed answer copies every name and figure from tool output: grounded by construction.
        told = news(results)
        return (compose(told) if told else FALLBACK), results, Verdict(problems, action)
