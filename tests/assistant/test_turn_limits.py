"""Bounded turns: a model that is down, slow or endless ends in a plain message, never a
traceback or a hang; the limits come from the environment or the caller."""

from __future__ import annotations

import time

import pytest
from langchain_core.messages import AIMessage

from assistant.agent.limits import TurnLimits
from retrieval.errors import ConfigError

from .conftest import ScriptedChatModel, call


def _down(messages):
    import httpx

    raise httpx.ConnectError("connection refused")


def test_a_model_that_is_down_gets_a_plain_message(make_shop):
    reply = make_shop(ScriptedChatModel(script=[_down])).chat("d", "a lunch bag")
    assert "not responding" in reply.text and "Traceback" not in reply.text
    assert "model_error" in reply.events and reply.grounding["ok"]


def test_a_model_failing_after_a_tool_answers_from_the_tool_output(make_shop):
    reply = make_shop(ScriptedChatModel(script=[call("search_products", {"question": "lunch bag"}), _down])).chat(
        "d", "a lunch bag")
    assert "model_error" in reply.events
    assert reply.products and reply.products[0]["title"] in reply.text  # the composed answer


def test_the_turn_budget_stops_a_slow_model(make_shop):
    def slow(messages):
        time.sleep(0.6)
        return call("search_products", {"question": f"mug {len(messages)}"}).model_copy()

    shop = make_shop(ScriptedChatModel(script=[slow]), limits=TurnLimits(max_rounds=10, turn_seconds=1.0))
    start = time.monotonic()
    reply = shop.chat("s", "mugs")
    assert time.monotonic() - start < 3.0
    assert "time_budget" in reply.events and reply.text.strip()


def test_limits_from_the_environment(monkeypatch):
    monkeypatch.setenv("SHOPASSIST_TURN_SECONDS", "12.5")
    monkeypatch.setenv("SHOPASSIST_MAX_TOKENS", "256")
    limits = TurnLimits.from_env(max_rounds=2)
    assert (limits.turn_seconds, limits.max_tokens, limits.max_rounds) == (12.5, 256, 2)
    monkeypatch.setenv("SHOPASSIST_MODEL_TIMEOUT", "soon")
    with pytest.raises(ConfigError, match="SHOPASSIST_MODEL_TIMEOUT"):
        TurnLimits.from_env()
    with pytest.raises(ConfigError, match="max_rounds"):
        TurnLimits(max_rounds=0)


def test_the_openai_client_is_bounded(monkeypatch):
    from assistant.agent.models import make_model

    monkeypatch.setenv("SHOPASSIST_OPENAI_API_KEY", "k")
    client = make_model("openai", base_url="http://127.0.0.1:9/v1", tool_mode="native",
                        limits=TurnLimits(max_tokens=123, call_seconds=7))
    assert client.max_tokens == 123 and client.request_timeout == 7
    with pytest.raises(ConfigError, match="tool mode"):
        make_model("openai", base_url="http://127.0.0.1:9/v1", tool_mode="psychic")


def test_an_answer_step_that_never_answers_still_ends(make_shop):
    model = ScriptedChatModel(script=[AIMessage(content="", tool_calls=[
        {"name": "search_products", "args": {"question": "x"}, "id": "a", "type": "tool_call"}])])
    reply = make_shop(model, max_rounds=2).chat("e", "anything")
    assert reply.text.strip() and len([c for c in reply.tool_calls if not c["repeated"]]) == 1
