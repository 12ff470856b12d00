"""Fixtures for the agent tests: a fresh assistant over the real bundled retriever, and a
scripted chat model that plugs into the same loop a real LLM uses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import Field


class ScriptedChatModel(BaseChatModel):
    """Replies from a script: each step is an AIMessage or a function of the messages.
    The last step repeats once the script runs out. `seen` keeps every request."""

    script: list[Any]
    seen: list[list[BaseMessage]] = Field(default_factory=list)
    bound_tools: list[str] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def bind_tools(self, tools, *, tool_choice=None, **kwargs):  # noqa: ANN001
        self.bound_tools = [t.name for t in tools]
        return self  # same object: the script position is shared with the unbound model

    def _generate(self, messages, stop=None, run_manager=None, **kwargs) -> ChatResult:  # noqa: ANN001
        step = self.script[min(len(self.seen), len(self.script) - 1)]
        self.seen.append(list(messages))
        message = step(messages) if isinstance(step, Callable) else step
        return ChatResult(generations=[ChatGeneration(message=message)])


def call(name: str, args: dict, i: int = 0) -> AIMessage:
    return AIMessage(content="", tool_calls=[{"name": name, "args": args, "id": f"c{i}", "type": "tool_call"}])


@pytest.fixture
def shop(bundled_retriever, bundled_dataset):
    from assistant import ShoppingAssistant

    return ShoppingAssistant(bundled_retriever, bundled_dataset)


@pytest.fixture
def make_shop(bundled_retriever, bundled_dataset):
    from assistant import ShoppingAssistant

    def make(model="offline", **kw) -> ShoppingAssistant:
        return ShoppingAssistant(bundled_retriever, bundled_dataset, model=model, **kw)

    return make
