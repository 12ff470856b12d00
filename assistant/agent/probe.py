"""`tool_mode="auto"`: ask the server once how it calls tools, then keep to the answer.

The probe offers one tool and a request that needs it. A reply with a native tool call means
the server (and its chat template) do tool calling well: the client is used as it is.
Anything else (the call written as text, no call, an error) means constrained output: one
JSON object per reply, by schema (see `constrained.py`).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from langchain_core.outputs import ChatResult
from langchain_core.runnables import Runnable
from pydantic import ConfigDict, Field, PrivateAttr

from .constrained import ConstrainedToolModel

log = logging.getLogger(__name__)

_PROBE_TOOL = {"type": "function", "function": {
    "name": "search_products", "description": "Search the shop's products.",
    "parameters": {"type": "object", "properties": {"question": {"type": "string"}}, "required": ["question"]}}}


_PROBES = ("show me red lunch bags", "do you have a teapot under 10?")


def probe(client: BaseChatModel) -> str:
    """"native" when the server returns a native tool call for each of two requests that need
    one: a model that only sometimes does (a small one whose call is sometimes parsed from its
    text) is better served by constrained output every time."""
    for question in _PROBES:
        try:
            reply = client.bind_tools([_PROBE_TOOL]).invoke(
                [SystemMessage("You are a shop assistant. Use the search_products tool to find products."),
                 HumanMessage(question)])
        except Exception as exc:  # noqa: BLE001 - a server that rejects `tools` gets constrained output
            log.warning("tool-calling probe failed (%s: %s); using constrained output", type(exc).__name__, exc)
            return "constrained"
        if not [c for c in getattr(reply, "tool_calls", []) if c.get("name") == "search_products"]:
            log.info("tool-calling probe: no native call for %r; using constrained tool calls", question)
            return "constrained"
    log.info("tool-calling probe: the server returned native calls; using them")
    return "native"


class AutoToolModel(BaseChatModel):
    """Native or constrained tool calling, decided by one probe on the first request."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    inner: BaseChatModel
    tools: list[Any] = Field(default_factory=list)
    _state: dict[str, Any] = PrivateAttr(default_factory=dict)  # shared by bound copies
    _lock: Any = PrivateAttr(default_factory=threading.Lock)

    @property
    def _llm_type(self) -> str:
        return "shopassist-auto-tools"

    @property
    def mode(self) -> str:
        with self._lock:
            if "mode" not in self._state:
                self._state["mode"] = probe(self.inner)
            return self._state["mode"]

    @property
    def constrained(self) -> bool:
        return self.mode == "constrained"

    def bind_tools(self, tools, *, tool_choice=None, **kwargs):  # noqa: ANN001 - LangChain's signature
        copy = self.model_copy(update={"tools": list(tools)})
        copy._state, copy._lock = self._state, self._lock
        return copy

    def chosen(self) -> Runnable[LanguageModelInput, AIMessage]:
        base = self.inner if self.mode == "native" else ConstrainedToolModel(inner=self.inner)
        return base.bind_tools(self.tools) if self.tools else base

    def _generate(self, messages, stop=None, run_manager=None, **kwargs) -> ChatResult:  # noqa: ANN001
        message = self.chosen().invoke(messages, stop=stop)
        from langchain_core.outputs import ChatGeneration

        return ChatResult(generations=[ChatGeneration(message=message)])
