"""The HTTP API over the real assistant: every endpoint answers what the Python API returns,
and every refusal has the one machine-readable error body."""

from __future__ import annotations

import json

import pytest

from retrieval.errors import (
    AccessDeniedError,
    ConfigError,
    DataError,
    IndexNotFoundError,
    ModelMismatchError,
    NotFoundError,
    StoreUnavailableError,
)

CHAT_SCRIPT = ["a lunch bag under £2", "more like that", "add the second one to my basket",
               "what goes with my basket?"]


def plain(data):
    """What a dict looks like after a trip through JSON (tuples become lists, etc.)."""
    return json.loads(json.dumps(data))


def assert_error(resp, status: int, kind: str) -> dict:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/json")
    body = resp.json()
    assert set(body) == {"error"}
    assert body["error"]["type"] == kind
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]


def test_health(client):
    resp = client.get("/v1/health")
    assert resp.status_code == 200 and resp.json() == {"status": "ok"}


def test_shop_names_the_currency_of_every_price(client):
    shop = client.get("/v1/shop").json()
    assert shop["currency"] == "GBP" and shop["locale"] == "en_GB" and shop["examples"]
    reply = client.post("/v1/chat", json={"session_id": "shop-1", "message": "a lunch bag under 2 pounds"}).json()
    assert reply["currency"] == "GBP" and "£" in reply["text"]


def test_openapi_schema_lists_every_endpoint_and_the_service_login(client):
    schema = client.get("/v1/openapi.json").json()
    paths = schema["paths"]
    assert set(paths) == {
        "/v1/health", "/v1/shop", "/v1/chat", "/v1/recommend", "/v1/products/{product_id}",
        "/v1/products/{product_id}/related", "/v1/rules", "/v1/sessions/{session_id}/basket",
        "/v1/sessions/{session_id}/basket/{product_id}", "/v1/sessions/{session_id}/recommendations",
        "/v1/sessions/{session_id}",
        "/v1/service/customers/{customer_id}", "/v1/service/chat", "/v1/service/sessions/{session_id}/customer",
    }
    assert schema["components"]["securitySchemes"]["serviceLogin"] == {
        "type": "http", "scheme": "basic", "description": "The customer-service login (see `assistant.access`)."}
    for path, ops in paths.items():
        for method, op in ops.items():
            secured = "security" in op
            assert secured == path.startswith("/v1/service/"), (method, path)
            # Validation errors are documented with our error body, not FastAPI's default.
            if "422" in op["responses"]:
                ref = op["responses"]["422"]["content"]["application/json"]["schema"]["$ref"]
                assert ref.endswith("/ErrorResponse"), (method, path)
    chat = schema["components"]["schemas"]["ChatRequest"]
    assert chat["properties"]["message"]["maxLength"] == 4000
    assert chat["additionalProperties"] is False and "customer_id" not in chat["properties"]
    assert client.get("/v1/docs").status_code == 200


def test_readme_lists_every_endpoint(client):
    import re
    from pathlib import Path

    readme = Path(__file__).parents[3].joinpath("README.md").read_text()
    section = readme.split("## HTTP API", 1)[1].split("\n## ", 1)[0]
    listed = {re.sub(r"\{[^}]*\}", "{}", p) for p in re.findall(r"/v1/[^\s`?|,]*", section)}
    served = {re.sub(r"\{[^}]*\}", "{}", p) for p in client.get("/v1/openapi.json").json()["paths"]}
    assert served <= listed, served - listed


def test_stateless_endpoints_return_the_python_api_shapes(client, shopper):
    cases = [
        (client.post("/v1/recommend", json={"question": "a red mug", "max_price": 3, "k": 4}),
         shopper.recommend("a red mug", None, 3, 4)),
        (client.post("/v1/recommend", json={"question": "lights", "min_price": 50, "max_price": 1}),
         shopper.recommend("lights", 50, 1)),
        (client.get("/v1/products/85099B"), shopper.product("85099B")),
        (client.get("/v1/products/85099B/related", params={"k": 3}), shopper.related("85099B", "similar", 3)),
        (client.get("/v1/products/85099B/related", params={"kind": "together", "k": 4}),
         shopper.related("85099B", "together", 4)),
        (client.get("/v1/rules", params={"k": 3}), shopper.rules(None, 3)),
        (client.get("/v1/rules", params={"item": "85099B", "side": "any", "by": "confidence", "k": 5,
                                         "min_lift": 2}),
         shopper.rules("85099B", 5, "confidence", side="any", min_lift=2)),
    ]
    for resp, expected in cases:
        assert resp.status_code == 200, resp.text
        body = resp.json()
        assert body == plain(expected)
        assert list(body) == list(expected)  # same keys in the same order, none invented
    assert cases[0][0].json()["products"] and all(p["price"] <= 3 for p in cases[0][0].json()["products"])


def test_a_shopper_can_delete_their_session(client, shopper):
    assert client.post("/v1/sessions/gone-1/basket", json={"product_id": "85099B"}).status_code == 200
    first = client.post("/v1/chat", json={"session_id": "gone-1", "message": "show my basket"}).json()
    assert first["session_status"] == "resumed" and shopper.session("gone-1").turns
    resp = client.delete("/v1/sessions/gone-1")
    assert resp.status_code == 200 and resp.json() == {"deleted": "gone-1"}
    assert shopper.basket("gone-1")["basket"] == [] and shopper.session("gone-1").turns == []
    assert_error(client.delete("/v1/sessions/gone-1"), 404, "not_found")
    again = client.post("/v1/chat", json={"session_id": "gone-1", "message": "show my basket"}).json()
    assert again["session_status"] == "new"


def test_basket_endpoints_match_the_python_api(client, shopper):
    steps = [
        (lambda: client.post("/v1/sessions/web-1/basket", json={"product_id": "85099B", "quantity": 3}),
         lambda: shopper.add_to_basket("py-1", "85099B", 3)),
        (lambda: client.post("/v1/sessions/web-1/basket", json={"product_id": "22386"}),
         lambda: shopper.add_to_basket("py-1", "22386")),
        (lambda: client.delete("/v1/sessions/web-1/basket/85099B", params={"quantity": 1}),
         lambda: shopper.remove_from_basket("py-1", "85099B", 1)),
        (lambda: client.get("/v1/sessions/web-1/basket"), lambda: shopper.basket("py-1")),
        (lambda: client.get("/v1/sessions/web-1/recommendations", params={"k": 3}),
         lambda: shopper.basket_recommendations("py-1", 3)),
        (lambda: client.delete("/v1/sessions/web-1/basket/22386"), lambda: shopper.remove_from_basket("py-1", "22386")),
    ]
    for http, python in steps:
        resp = http()
        assert resp.status_code == 200, resp.text
        assert resp.json() == plain(python())
    assert client.get("/v1/sessions/web-1/basket").json() == {
        "basket": [{"product_id": "85099B", "title": "JUMBO BAG RED RETROSPOT", "price": 2.08, "quantity": 2,
                    "line_total": 4.16}], "items": 2, "total": 4.16}
    assert_error(client.delete("/v1/sessions/web-1/basket/22386"), 404, "not_found")
    assert_error(client.post("/v1/sessions/web-1/basket", json={"product_id": "NOPE"}), 404, "not_found")


def test_chat_over_http_equals_the_python_chat(client, make_shopper):
    twin = make_shopper()  # same data, its own sessions: the Python side of the comparison
    for message in CHAT_SCRIPT:
        resp = client.post("/v1/chat", json={"session_id": "c1", "message": message})
        assert resp.status_code == 200, resp.text
        assert resp.json() == plain(twin.chat("c1", message).to_dict()), message
    last = resp.json()
    assert [c["name"] for c in last["tool_calls"]] == ["bought_together"]
    assert last["session_id"] == "c1" and last["grounding"]["ok"] is True


@pytest.mark.parametrize(("method", "path", "kwargs", "status", "kind"), [
    ("get", "/v1/products/NOPE", {}, 404, "not_found"),
    ("get", "/v1/products/zzqqxxjj/related", {}, 404, "not_found"),
    ("get", "/v1/rules", {"params": {"item": "zzqqxxjj"}}, 404, "not_found"),
    ("get", "/v1/rules", {"params": {"by": "popularity"}}, 422, "invalid_request"),
    ("get", "/v1/rules", {"params": {"min_support": "nan"}}, 422, "invalid_request"),
    ("get", "/v1/products/85099B/related", {"params": {"kind": "cheaper"}}, 422, "invalid_request"),
    ("get", "/v1/products/85099B/related", {"params": {"k": 0}}, 422, "invalid_request"),
    ("get", "/v1/sessions/bad id!/basket", {}, 422, "invalid_request"),
    ("post", "/v1/chat", {"json": {"session_id": "s", "message": "x" * 4001}}, 422, "invalid_request"),
    ("post", "/v1/chat", {"json": {"session_id": "s"}}, 422, "invalid_request"),
    ("post", "/v1/chat", {"json": {"session_id": "s", "message": 5}}, 422, "invalid_request"),
    ("post", "/v1/chat", {"json": ["not", "an", "object"]}, 422, "invalid_request"),
    ("post", "/v1/chat", {"json": {"session_id": "s", "message": "hi", "role": "service"}}, 422,
     "invalid_request"),
    ("post", "/v1/chat", {"content": b"{broken", "headers": {"content-type": "application/json"}}, 422,
     "invalid_request"),
    ("post", "/v1/chat", {"content": b'{"session_id": "s", "message": "\\ud83d"}',
                          "headers": {"content-type": "application/json"}}, 422, "invalid_request"),
    ("post", "/v1/chat", {"data": {"session_id": "s", "message": "hi"}}, 422, "invalid_request"),
    ("post", "/v1/recommend", {"json": {"question": "mug", "k": "5"}}, 422, "invalid_request"),
    ("post", "/v1/recommend", {"json": {"question": "mug", "max_price": -1}}, 422, "invalid_request"),
    ("post", "/v1/recommend", {"content": b'{"question": "mug", "min_price": NaN}',
                               "headers": {"content-type": "application/json"}}, 422, "invalid_request"),
    ("post", "/v1/chat", {"json": {"session_id": "s", "message": "x" * 70_000}}, 413, "request_too_large"),
    ("get", "/v1/no-such-thing", {}, 404, "not_found"),
    ("patch", "/v1/health", {}, 405, "method_not_allowed"),
    ("get", "/v1/chat", {}, 405, "method_not_allowed"),
    ("get", "/v1/service/customers/12347", {}, 401, "unauthorized"),
])
def test_every_refusal_has_the_error_body(client, method, path, kwargs, status, kind):
    error = assert_error(getattr(client, method)(path, **kwargs), status, kind)
    if status == 422:
        assert error["details"] and all(set(d) == {"loc", "msg", "type"} for d in error["details"])


def test_validation_errors_point_at_the_field_and_do_not_echo_the_input(client):
    error = assert_error(client.post("/v1/chat", json={"session_id": "s", "message": "Z" * 4001}),
                         422, "invalid_request")
    assert error["details"] == [{"loc": ["body", "message"], "msg": "String should have at most 4000 characters",
                                 "type": "string_too_long"}]
    assert "ZZZZ" not in json.dumps(error)


def test_wrong_method_names_the_allowed_ones(client):
    resp = client.put("/v1/sessions/s1/basket")
    assert_error(resp, 405, "method_not_allowed")
    assert resp.headers["allow"] == "GET, POST"


def test_message_length_limit_is_exact(client):
    ok = client.post("/v1/chat", json={"session_id": "edge", "message": "mug " * 1000})
    assert ok.status_code == 200 and len("mug " * 1000) == 4000
    assert_error(client.post("/v1/chat", json={"session_id": "edge", "message": "mug " * 1000 + "!"}),
                 422, "invalid_request")


def test_body_limit_applies_to_declared_and_streamed_bodies(shopper):
    from fastapi.testclient import TestClient

    from ui.http import create_api

    client = TestClient(create_api(shopper, max_body_bytes=200))
    small = json.dumps({"question": "mug", "k": 2}).encode()
    big = json.dumps({"question": "mug " * 60}).encode()
    assert client.post("/v1/recommend", content=small, headers={"content-type": "application/json"}).status_code == 200
    assert_error(client.post("/v1/recommend", content=big, headers={"content-type": "application/json"}),
                 413, "request_too_large")

    def chunks(data: bytes, size: int = 64):
        yield from (data[i:i + size] for i in range(0, len(data), size))

    # A generator body goes out chunked, with no Content-Length to trust.
    streamed = client.post("/v1/recommend", content=chunks(big), headers={"content-type": "application/json"})
    assert_error(streamed, 413, "request_too_large")
    ok = client.post("/v1/recommend", content=chunks(small), headers={"content-type": "application/json"})
    assert ok.status_code == 200 and len(ok.json()["products"]) == 2


def test_api_responses_are_never_sniffed_or_cached(client):
    for resp in (client.get("/v1/health"), client.get("/v1/products/NOPE"),
                 client.post("/v1/chat", content=b"x" * 70_000, headers={"content-type": "application/json"})):
        assert resp.headers["x-content-type-options"] == "nosniff"
        assert resp.headers["cache-control"] == "no-store"


def test_rules_without_a_rule_store_need_an_item(make_shopper):
    from fastapi.testclient import TestClient

    from ui.http import create_api
    from ui.http import models as m

    shopper = make_shopper(rule_store=None)
    client = TestClient(create_api(shopper))
    assert_error(client.get("/v1/rules"), 400, "invalid_argument")
    resp = client.get("/v1/rules", params={"item": "85099B", "k": 3})
    assert resp.status_code == 200 and resp.json() == plain(shopper.rules("85099B", 3))
    # The same shape as with a rule store: each rule's figures and its sentence.
    rules = resp.json()["rules"]
    assert rules and all(set(r) == set(m.RuleOut.model_fields) and "85099B" in r["antecedent"] for r in rules)


def test_an_unexpected_error_is_a_bare_500(shopper):
    from fastapi.testclient import TestClient

    from ui.http import create_api

    api = create_api(shopper)

    @api.get("/boom")  # outside /v1, so reached before the /v1 catch-all would matter
    def boom() -> None:
        raise RuntimeError("secret internals /etc/passwd")

    @api.get("/key")  # a KeyError is a LookupError, but a bug, never "not found"
    def key() -> None:
        raise KeyError("secret")

    client = TestClient(api, raise_server_exceptions=False)
    for path in ("/boom", "/key"):
        resp = client.get(path)
        assert_error(resp, 500, "internal_error")
        assert "secret" not in resp.text and "Error" not in resp.text


@pytest.mark.parametrize(("error", "status", "kind"), [
    (NotFoundError("x"), 404, "not_found"), (AccessDeniedError("x"), 403, "access_denied"),
    (ConfigError("x"), 400, "invalid_argument"), (DataError("x"), 400, "bad_data"),
    (IndexNotFoundError("x"), 503, "unavailable"), (StoreUnavailableError("x"), 503, "unavailable"),
    (ModelMismatchError("x"), 503, "unavailable"),
])
def test_domain_errors_map_to_statuses(error, status, kind):
    from ui.http.errors import domain_status

    assert domain_status(error) == (status, kind)


def test_rule_orders_accepted_over_http_are_the_rule_store_columns():
    from typing import get_args

    from retrieval.rules.model import COUNT_COLUMNS, MEASURE_COLUMNS
    from ui.http.models import RULE_ORDER

    assert set(get_args(RULE_ORDER)) == {*COUNT_COLUMNS, *MEASURE_COLUMNS}
