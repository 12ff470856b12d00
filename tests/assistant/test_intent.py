"""Basket changes need the shopper's own words: a model's unrequested add or remove is refused
in code, logged, and told to the model, whatever the model or the prompt does."""

from __future__ import annotations

import logging

import pytest
from langchain_core.messages import AIMessage

from assistant.agent.intent import allows

from .conftest import ScriptedChatModel, call


@pytest.mark.parametrize("message", [
    "add it to my basket", "put 2 of the first one in my cart", "I'll take the second one", "buy it",
    "can you add 85123A?", "add 22423", "pop one in the basket please",
])
def test_asking_to_add(message):
    assert allows("add_to_basket", message)


@pytest.mark.parametrize("message", [
    "I need a teapot under £10", "a lunch bag under £2", "what goes with 85123A?", "is the first one any good?",
    "what should I add to my basket?", "I'd like to buy a teapot under £10", "show me red lunch bags",
])
def test_not_asking_to_add(message):
    assert not allows("add_to_basket", message)


def test_removing_needs_its_own_words():
    assert allows("remove_from_basket", "take 85123A out of my basket")
    assert allows("remove_from_basket", "remove it")
    assert not allows("remove_from_basket", "add it to my basket")
    assert not allows("remove_from_basket", "what's in my basket?")


def test_more_of_the_same_right_after_an_add():
    assert allows("add_to_basket", "and 2 of 22423", last_action="add_to_basket")
    assert not allows("add_to_basket", "and 2 of 22423", last_action="search_products")


def test_a_model_adding_unasked_is_refused(make_shop, caplog):
    model = ScriptedChatModel(script=[
        call("search_products", {"question": "teapot", "max_price": 10}),
        call("add_to_basket", {"product_id": "21527", "quantity": 2}, 1),
        AIMessage(content="Here are teapots under £10."),
    ])
    shop = make_shop(model)
    with caplog.at_level(logging.WARNING):
        reply = shop.chat("t", "I need a teapot under £10")
    assert shop.basket("t")["items"] == 0
    refused = [c for c in reply.tool_calls if c["name"] == "add_to_basket"]
    assert refused and refused[0]["result"]["refused"] is True
    assert "refused_basket_change" in reply.events and "does not ask for it" in caplog.text
    # The model was told, as an observation it can act on.
    assert any("did not ask" in str(m.content) for m in model.seen[-1])


def test_the_same_add_runs_when_asked(make_shop):
    model = ScriptedChatModel(script=[call("add_to_basket", {"product_id": "21527"}),
                                      AIMessage(content="Added RED RETROSPOT TRADITIONAL TEAPOT (21527).")])
    shop = make_shop(model)
    shop.chat("t", "add the red retrospot teapot to my basket")
    assert shop.basket("t")["items"] == 1


def test_adding_the_wrong_product_adds_the_one_the_shopper_named(make_shop):
    # The shopper names the white heart holder; the model picks another id. The call runs
    # with the product the words name (a 1.5B model told to use it only wrote that it had).
    model = ScriptedChatModel(script=[call("add_to_basket", {"product_id": "84879"}),
                                      AIMessage(content="Added WHITE HANGING HEART T-LIGHT HOLDER (85123A).")])
    shop = make_shop(model)
    reply = shop.chat("w", "add the white hanging heart t-light holder to my basket")
    assert [(x["product_id"], x["quantity"]) for x in shop.basket("w")["basket"]] == [("85123A", 1)]
    assert [(c["name"], c["args"]) for c in reply.tool_calls] == [("add_to_basket", {"product_id": "85123A"})]
    assert "basket_product_corrected" in reply.events and reply.grounding["ok"]


def test_a_corrected_add_repeated_is_added_once(make_shop):
    # The model did not see its id in the result and asks again: the same add, not two.
    wrong = call("add_to_basket", {"product_id": "84879"})
    shop = make_shop(ScriptedChatModel(script=[wrong, call("add_to_basket", {"product_id": "84879"}, 1),
                                               AIMessage(content="Added WHITE HANGING HEART T-LIGHT HOLDER (85123A).")]))
    reply = shop.chat("r", "add the white hanging heart t-light holder to my basket")
    assert [(x["product_id"], x["quantity"]) for x in shop.basket("r")["basket"]] == [("85123A", 1)]
    assert "repeated_call" in reply.events


def test_an_invented_id_for_a_named_product_is_mended(make_shop):
    model = ScriptedChatModel(script=[call("add_to_basket", {"product_id": "22423A", "quantity": 2}),
                                      AIMessage(content="Added 2 of REGENCY CAKESTAND 3 TIER (22423).")])
    shop = make_shop(model)
    reply = shop.chat("i", "add 2 of 22423 please")
    assert reply.tool_calls[0]["args"] == {"product_id": "22423", "quantity": 2}
    assert shop.basket("i")["items"] == 2


def test_the_tool_itself_still_refuses_the_wrong_product(bundled_retriever, bundled_dataset):
    # Outside the agent's middleware (any other caller of the tool), nothing is added and
    # the caller is told which product the words name.
    from assistant.agent.tools import ToolBox
    from assistant.session import Session

    box = ToolBox(bundled_retriever, Session("x"), dataset=bundled_dataset,
                  message="add the white hanging heart t-light holder to my basket")
    out = box.add_to_basket("84879")
    assert out.retry and "use product_id 85123A" in out.error and box.session.basket == {}


def test_cheaper_is_below_the_cheapest_shown_whatever_the_model_sends(make_shop):
    model = ScriptedChatModel(script=[call("search_products", {"question": "candles"}),
                                      AIMessage(content="Here are candles."),
                                      call("search_products", {"question": "candles"}, 1),
                                      AIMessage(content="Cheaper candles.")])
    shop = make_shop(model)
    first = shop.chat("ch", "candles")
    cheapest = min(p["price"] for p in first.products)
    again = shop.chat("ch", "got anything cheaper?")
    assert again.tool_calls[0]["args"]["max_price"] == round(cheapest - 0.01, 2)
    assert all(p["price"] < cheapest for p in again.products)
