"""The agent against a real local LLM: Qwen2.5-Coder-1.5B-Instruct (Q4_K_M GGUF) behind llama.cpp's
OpenAI-compatible server (the xllamacpp wheel), through the same `openai` model a hosted API uses.

Not part of `make test` (marker `llm`; pyproject's addopts deselect it): `make check-llm` installs
xllamacpp, fetches the weights (`python -m bench.llm_weights`) and runs `pytest -m llm`. Skips
when either is missing. The assertions are about structure (no raw tool-call JSON in the text,
products only from tools, no basket change on a question, a time budget), never about wording.
"""

from __future__ import annotations

import json
import os
import re
import time
from importlib.util import find_spec

import pytest

from bench.llm_weights import default_path

pytestmark = [pytest.mark.llm, pytest.mark.slow, pytest.mark.timeout(900)]

GGUF = default_path()
TOOL_NAMES = ("search_products", "bought_together", "similar_items", "product_details", "compare_products",
              "why_recommended", "add_to_basket", "remove_from_basket", "show_basket",
              "customer_history", "customer_recommendations")
RAW_MARKERS = ('{"name"', "{{", '"arguments"', "arguments", "```", "<tool_call>")
# One turn on 2 cores: a cold ~1,300-token prompt (system prompt + tool schemas) is ~25 s of
# prompt processing at ~55 tokens/s; the answer round reuses the cached prefix.
# llama.cpp's threads spin at barriers: on 2 cores, any other busy process cuts 2-thread
# generation from ~20 to ~1 token/s, where 1 thread still does ~11. Set 1 on a shared machine.
TURN_BUDGET_S = float(os.environ.get("SHOPASSIST_LLM_TURN_BUDGET", "90"))
THREADS = int(os.environ.get("SHOPASSIST_LLM_THREADS", "2"))

if find_spec("xllamacpp") is None:
    pytest.skip("xllamacpp is not installed (pip install xllamacpp; `make check-llm` does it)",
                allow_module_level=True)
if not GGUF.is_file():
    pytest.skip(f"no local LLM weights at {GGUF} (run `python -m bench.llm_weights`)", allow_module_level=True)


@pytest.fixture(scope="module")
def llm_url(tmp_path_factory):
    from bench.llm_server import serve

    log_file = tmp_path_factory.mktemp("llm") / "server.log"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NO_PROXY", "127.0.0.1,localhost")
        with serve(GGUF, n_ctx=8192, threads=THREADS, log_file=log_file) as url:
            yield url


@pytest.fixture
def llm_shop(make_shop, llm_url, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    return make_shop(model="openai", base_url=llm_url, model_name="local", api_key="sk-local",
                     timeout=300, max_tokens=512)


def _chat(shop, session_id: str, message: str):
    started = time.monotonic()
    reply = shop.chat(session_id, message)
    elapsed = time.monotonic() - started
    # The raw outputs, for the report (-s or -rA shows them).
    print(f"\n--- {message!r} in {elapsed:.1f} s\ntext: {reply.text!r}\n"
          f"tool_calls: {json.dumps([{k: c[k] for k in ('name', 'args')} for c in reply.tool_calls])}\n"
          f"products: {[p['product_id'] for p in reply.products]}\n"
          f"grounding: {json.dumps(reply.grounding)[:600]}\nevents: {reply.events}")
    return reply, elapsed


def _tool_products(reply) -> dict[str, str]:
    """product_id -> title of every product any tool call of the turn returned."""
    out: dict[str, str] = {}

    def walk(node):
        if isinstance(node, dict):
            if "product_id" in node and "title" in node:
                out[str(node["product_id"])] = str(node["title"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    for call in reply.tool_calls:
        walk(call.get("result"))
    return out


@pytest.fixture(scope="module")
def _turns() -> dict:
    return {}


def _shared_turn(request, turns: dict, session_id: str, message: str):
    """One real turn, shared by the tests that read it (each turn costs seconds to tens of seconds)."""
    if session_id not in turns:
        shop = request.getfixturevalue("llm_shop")
        turns[session_id] = (shop, *_chat(shop, session_id, message))
    return turns[session_id]


@pytest.fixture
def lunch_bags(request, _turns):
    return _shared_turn(request, _turns, "real-llm-a", "show me red lunch bags")


def test_search_reply_has_no_raw_tool_call_text(lunch_bags):
    _, reply, _ = lunch_bags
    assert reply.text.strip(), "empty reply"
    leaked = [m for m in RAW_MARKERS if m in reply.text]
    assert not leaked, f"raw tool-call text {leaked} in the reply: {reply.text!r}"
    named = [t for t in TOOL_NAMES if t in reply.text]
    assert not named, f"tool names {named} in the reply: {reply.text!r}"


def test_search_products_come_from_tool_calls(lunch_bags):
    shop, reply, _ = lunch_bags
    assert any(c["name"] == "search_products" for c in reply.tool_calls), \
        f"no search_products call; calls: {[c['name'] for c in reply.tool_calls]}; text: {reply.text!r}"
    from_tools = _tool_products(reply)
    assert reply.products, "a search turn with no products"
    for p in reply.products:
        assert p["product_id"] in from_tools, f"{p['product_id']} in reply.products but in no tool output"
    # Products the text names (by id or full title) were returned by a tool too.
    catalogue = shop.retriever.titles
    text = reply.text.upper()
    ids = {pid for pid in re.findall(r"\b\d{5}[A-Z]{0,2}\b", reply.text) if pid in catalogue}
    titles = {pid for pid, title in catalogue.items()
              if len(title) > 8 and title.upper() in text
              and not any(title.upper() in t.upper() for t in from_tools.values())}
    invented = sorted((ids - set(from_tools)) | titles)
    assert not invented, f"the reply names products no tool returned: {invented}; text: {reply.text!r}"


def test_search_turn_within_time_budget(lunch_bags):
    _, _, elapsed = lunch_bags
    assert elapsed <= TURN_BUDGET_S, f"the turn took {elapsed:.1f} s (budget {TURN_BUDGET_S:.0f} s)"


@pytest.fixture
def teapot(request, _turns):
    return _shared_turn(request, _turns, "real-llm-b", "I need a teapot under £10")


def test_price_question_does_not_change_the_basket(teapot):
    shop, reply, _ = teapot
    assert shop.basket("real-llm-b")["items"] == 0, \
        f"a question changed the basket; calls: {[(c['name'], c['args']) for c in reply.tool_calls]}"
    # A model may still ask; the call must then have been refused, never run.
    asked = [c for c in reply.tool_calls if c["name"] in ("add_to_basket", "remove_from_basket")]
    assert all(c["result"].get("refused") for c in asked), asked


def test_price_limit_becomes_a_maximum(teapot):
    """'under £10' is an upper bound: the search gets max_price <= 10 and no minimum of 10."""
    _, reply, _ = teapot
    searches = [c["args"] for c in reply.tool_calls if c["name"] == "search_products"]
    assert searches, f"no search_products call; calls: {[c['name'] for c in reply.tool_calls]}"
    args = searches[0]
    assert args.get("max_price") is not None and float(args["max_price"]) <= 10, f"search args: {args}"
    assert not args.get("min_price"), f"search args: {args}"
