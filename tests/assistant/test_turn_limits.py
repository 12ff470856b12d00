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


def test_a_model_that_is_down_leaves_the_turn_to_the_offline_planner(make_shop):
    # What the tools can serve is still served, from the shopper's own words.
    reply = make_shop(ScriptedChatModel(script=[_down])).chat("d", "a lunch bag")
    assert {"model_error", "planner_fallback"} <= set(reply.events) and reply.grounding["ok"]
    assert reply.products and all("LUNCH BAG" in p["title"] for p in reply.products[:3])
    assert reply.products[0]["title"] in reply.text and "Traceback" not in reply.text
    # Nothing to look up: a plain message says the model is not responding.
    reply = make_shop(ScriptedChatModel(script=[_down])).chat("d2", "thanks!")
    assert "not responding" in reply.text and not reply.tool_calls and reply.grounding["ok"]


def test_a_model_failing_after_a_wrong_add_leaves_the_shopper_s_product_added(make_shop):
    # Seen with a real 1.5B model: it added the wrong product, then timed out. The product the
    # shopper named is the one added, and the answer says so in the shopper's terms.
    shop = make_shop(ScriptedChatModel(script=[call("add_to_basket", {"product_id": "84879", "quantity": 1}), _down]))
    reply = shop.chat("t", "add a white hanging heart t-light holder to my basket")
    assert {"basket_product_corrected", "model_error"} <= set(reply.events) and reply.grounding["ok"]
    assert [(x["product_id"], x["quantity"]) for x in shop.basket("t")["basket"]] == [("85123A", 1)]
    assert "product_id" not in reply.text and "84879" not in reply.text
    assert "WHITE HANGING HEART T-LIGHT HOLDER" in reply.text


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


def test_a_turn_out_of_time_with_nothing_done_is_finished_by_the_planner(make_shop):
    # The model's one call came back after the turn's budget, and it failed: the planner (no
    # model, milliseconds) still does what the shopper asked.
    def slow(messages):
        time.sleep(0.7)
        return call("product_details", {"product_id": "NO-SUCH-ID"})

    shop = make_shop(ScriptedChatModel(script=[slow]), limits=TurnLimits(max_rounds=4, turn_seconds=0.5))
    reply = shop.chat("s", "add a white hanging heart t-light holder to my basket")
    assert {"time_budget", "planner_fallback"} <= set(reply.events) and reply.grounding["ok"]
    assert [(x["product_id"], x["quantity"]) for x in shop.basket("s")["basket"]] == [("85123A", 1)]
    assert "WHITE HANGING HEART T-LIGHT HOLDER" in reply.text
