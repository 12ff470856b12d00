"""The one process `shopassist run` serves: uvicorn, the API under /v1 and Gradio at "/",
over a real loopback socket."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

pytestmark = pytest.mark.slow


def test_api_and_gradio_share_one_server(serve, shopper, login, service_auth):
    from ui.server import build_server

    base = serve(build_server(shopper, login))
    with httpx.Client(base_url=base, timeout=60) as http:
        assert http.get("/v1/health").json() == {"status": "ok"}
        page = http.get("/")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert "x-content-type-options" not in page.headers  # API headers stay on the API

        # /v1 stays the API's even for paths and methods it lacks (not Gradio's 404 page).
        for resp, status in ((http.get("/v1/typo"), 404), (http.request("QUERY", "/v1/health"), 405),
                             (http.request("TRACE", "/v1/chat"), 405)):
            assert resp.status_code == status and set(resp.json()) == {"error"}

        reply = http.post("/v1/chat", json={"session_id": "live", "message": "a lunch bag under £2"})
        assert reply.status_code == 200 and reply.json()["products"]
        assert [t.role for t in shopper.session("live").turns] == ["user", "assistant"]  # one assistant

        history = http.get("/v1/service/customers/12347", auth=service_auth)
        assert history.status_code == 200 and history.json()["orders"] == 7
        assert http.get("/v1/service/customers/12347").status_code == 401

        assert http.post("/v1/chat", content=b"{" + b" " * 70_000 + b"}",
                         headers={"content-type": "application/json"}).status_code == 413
        chunked = http.post("/v1/recommend", content=iter([b'{"question": "', b"a" * 70_000, b'"}']),
                            headers={"content-type": "application/json"})
        assert chunked.status_code == 413 and chunked.json()["error"]["type"] == "request_too_large"


def test_concurrent_chats_are_served_in_parallel_and_kept_apart(serve, shopper):
    from ui.http import create_api

    base = serve(create_api(shopper))
    messages = ["a red mug", "lunch bag", "christmas lights", "a doormat", "jumbo bag", "tea set"]

    def chat(session_message):
        session, message = session_message
        with httpx.Client(base_url=base, timeout=120) as http:
            return http.post("/v1/chat", json={"session_id": session, "message": message})

    jobs = [(f"own-{i}", m) for i, m in enumerate(messages)] + [("shared", m) for m in messages]
    with ThreadPoolExecutor(max_workers=6) as pool:
        replies = list(pool.map(chat, jobs))
    assert [r.status_code for r in replies] == [200] * len(jobs)
    for (session, _), reply in zip(jobs, replies, strict=True):
        assert reply.json()["session_id"] == session
    # The shared session took its six turns one at a time: twelve entries, none lost.
    assert len(shopper.session("shared").turns) == 2 * len(messages)
    assert all(len(shopper.session(f"own-{i}").turns) == 2 for i in range(len(messages)))
