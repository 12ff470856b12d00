"""The official `gradio_client` against the running app: named endpoints, one session per
client, and the chat endpoint streaming its reply."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.slow]


@pytest.fixture
def client(ui_app_url):
    from gradio_client import Client

    return Client(ui_app_url, verbose=False)


def test_ask_follow_up_and_basket_in_one_client_session(client):
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert {"/ask", "/basket", "/chat", "/clear"} <= set(endpoints)
    first = client.predict("a lunch bag under £2", api_name="/ask")
    assert first["products"] and all(p["price"] <= 2.0 for p in first["products"])
    assert [c["name"] for c in first["tool_calls"]] == ["search_products"]
    cheaper = client.predict("show me cheaper ones", api_name="/ask")
    assert max(p["price"] for p in cheaper["products"]) < min(p["price"] for p in first["products"])
    added = client.predict("add the second one to my basket", api_name="/ask")
    pid = cheaper["products"][1]["product_id"]
    assert added["tool_calls"][0]["args"]["product_id"] == pid
    assert [line["product_id"] for line in client.predict(api_name="/basket")["basket"]] == [pid]

    from gradio_client import Client

    other = Client(client.src, verbose=False)  # another session: its own, empty basket
    assert other.predict(api_name="/basket")["items"] == 0


def test_chat_endpoint_streams_the_reply(client):
    job = client.submit("a lunch bag under £2", [], api_name="/chat")
    final = job.result()
    outputs = job.outputs()
    texts = []
    for out in outputs:
        messages = out[0] if isinstance(out, (list, tuple)) else out
        last = messages[-1] if messages else None
        if last and last["role"] == "assistant" and not last.get("metadata", {}).get("title"):
            texts.append("".join(c.get("text", "") for c in last["content"]))
    assert len(texts) >= 3, "the reply arrives in pieces"
    assert all(a and b.startswith(a) for a, b in zip(texts, texts[1:], strict=False) if a)
    history = final[0]
    assert history[0]["role"] == "user"
    tools = [m for m in history if (m.get("metadata") or {}).get("title")]
    assert tools and tools[0]["metadata"]["status"] == "done"
    assert "search" in tools[0]["metadata"]["title"]
    assert "LUNCH BAG" in texts[-1]
