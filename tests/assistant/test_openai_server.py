"""The real langchain-openai client against an OpenAI-compatible server of our own on loopback:
first reply a tool call, then an answer written from the tool output it was sent."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from assistant.agent.prompts import unfence


def completion(message: dict) -> dict:
    return {"id": "chatcmpl-1", "object": "chat.completion", "created": 0, "model": "fake",
            "choices": [{"index": 0, "message": message,
                         "finish_reason": "tool_calls" if message.get("tool_calls") else "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}


def send_completion(handler: BaseHTTPRequestHandler, message: dict) -> None:
    data = json.dumps(completion(message)).encode()
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


class Handler(BaseHTTPRequestHandler):
    requests: list[dict] = []

    def do_POST(self):  # noqa: N802 - http.server's name
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Handler.requests.append({"path": self.path, "body": body})
        tool_msgs = [m for m in body["messages"] if m["role"] == "tool"]
        if not tool_msgs:
            args = {"question": "lunch bag", "max_price": 2}
            message = {"role": "assistant", "content": None, "tool_calls": [
                {"id": "call_1", "type": "function",
                 "function": {"name": "search_products", "arguments": json.dumps(args)}}]}
        else:
            p = unfence(tool_msgs[-1]["content"])["products"][0]
            message = {"role": "assistant", "content": f"I suggest {p['title']} ({p['product_id']}) for £{p['price']:.2f}."}
        send_completion(self, message)

    def log_message(self, *args):  # keep test output quiet
        pass


@pytest.fixture
def server(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("SHOPASSIST_OPENAI_API_KEY", "test-key")
    Handler.requests = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()
    httpd.server_close()


def test_openai_compatible_server_through_the_loop(make_shop, server):
    shop = make_shop("openai", base_url=server, model_name="fake", tool_mode="native")
    reply = shop.chat("o", "a lunch bag under two pounds")
    assert [c["name"] for c in reply.tool_calls] == ["search_products"]
    assert reply.tool_calls[0]["args"] == {"question": "lunch bag", "max_price": 2}
    top = reply.products[0]
    assert reply.text == f"I suggest {top['title']} ({top['product_id']}) for £{top['price']:.2f}."
    assert reply.grounding["ok"]
    first, second = Handler.requests
    assert first["path"] == "/v1/chat/completions"
    assert {t["function"]["name"] for t in first["body"]["tools"]} >= {"search_products", "add_to_basket"}
    assert "<<tool_output name=search_products>>" in second["body"]["messages"][-1]["content"]
