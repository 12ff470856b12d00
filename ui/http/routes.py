"""The /v1 routes. Each handler takes parsed input, calls one `ShoppingAssistant` method and
returns its dict unchanged (the Python API and the HTTP API share shapes); errors become
responses in `errors`. Handlers are plain `def`: the assistant does synchronous CPU work, so
FastAPI runs them in its threadpool instead of blocking the event loop.

Shopper routes take no customer id anywhere: a customer's history is reachable only through
`service_routes`, behind the service login, which also signs a shopper's session in as a
customer (the retailer's server calls it after its own login).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypedDict

from fastapi import APIRouter, Depends, Path, Query
from fastapi.routing import APIRoute
from starlette.types import Receive, Scope, Send

from assistant import ShoppingAssistant
from assistant.access import Credentials
from retrieval.errors import NotFoundError

from . import models as m
from .auth import service_guard
from .errors import error_response

PREFIX = "/v1"


class _Exact(TypedDict):
    """Keyword arguments for a route decorator; a TypedDict so `**EXACT` type-checks."""

    response_model_exclude_unset: bool


EXACT: _Exact = {"response_model_exclude_unset": True}  # keys exactly as the assistant returned them

ProductIdPath = Annotated[str, Path(min_length=1, max_length=200, description="A product id.")]
SessionIdPath = Annotated[str, Path(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$")]
CustomerIdPath = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]
Count = Annotated[int, Query(ge=1, le=50, description="How many to return.")]
Fraction = Annotated[float, Query(ge=0, le=1, allow_inf_nan=False)]


def documented(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for error statuses, all with the one error body."""
    words = {400: "Invalid argument", 401: "Service login missing or wrong",
             403: "Console closed / not allowed", 404: "Not found", 413: "Request body too large",
             422: "Request does not match the schema", 500: "Internal error",
             503: "Index or store unavailable"}
    return {code: {"model": m.ErrorResponse, "description": words[code]} for code in codes}


def shopper_routes(shopper: ShoppingAssistant) -> APIRouter:
    r = APIRouter(prefix=PREFIX, responses=documented(422, 500, 503))

    @r.get("/health", response_model=m.Health, tags=["meta"], **EXACT)
    def health() -> dict[str, Any]:
        return {"status": "ok"}

    @r.get("/shop", response_model=m.Shop, tags=["meta"], **EXACT)
    def shop() -> dict[str, Any]:
        """Whose shop this is: its name, what it sells, the currency of every price, examples."""
        return {**shopper.shop.to_dict(), "examples": shopper.example_requests()}

    @r.post("/chat", response_model=m.Reply, responses=documented(400, 413), tags=["shopper"], **EXACT)
    def chat(body: m.ChatRequest) -> dict[str, Any]:
        """One chat turn for a shopper: the answer, the products it is about, the tool calls."""
        return shopper.chat(body.session_id, body.message).to_dict()

    @r.post("/recommend", response_model=m.Recommendations, responses=documented(400, 413),
            tags=["shopper"], **EXACT)
    def recommend(body: m.RecommendRequest) -> dict[str, Any]:
        """Products for a request in words, within optional price bounds, with their evidence."""
        return shopper.recommend(body.question, body.min_price, body.max_price, body.k)

    @r.get("/products/{product_id}", response_model=m.ProductDetails, responses=documented(404),
           tags=["catalogue"], **EXACT)
    def product(product_id: ProductIdPath) -> dict[str, Any]:
        return shopper.product(product_id)

    @r.get("/products/{product_id}/related", response_model=m.Recommendations,
           responses=documented(400, 404), tags=["catalogue"], **EXACT)
    def related(product_id: ProductIdPath, kind: Literal["similar", "together"] = "similar",
                k: Count = 5) -> dict[str, Any]:
        """Alternatives (`similar`) or what is bought with it (`together`), with evidence."""
        return shopper.related(product_id, kind, k)

    @r.get("/rules", response_model=m.Rules, responses=documented(400, 404), tags=["catalogue"], **EXACT)
    def rules(item: Annotated[str | None, Query(max_length=200)] = None,
              k: Annotated[int, Query(ge=1, le=200)] = 10, by: m.RULE_ORDER = "lift",
              side: Literal["antecedent", "consequent", "any"] = "antecedent",
              min_support: Fraction = 0.0, min_confidence: Fraction = 0.0,
              min_lift: Annotated[float, Query(ge=0, le=1_000_000, allow_inf_nan=False)] = 0.0,
              ) -> dict[str, Any]:
        """Association rules, strongest first, optionally about one item (id or title)."""
        return shopper.rules(item, k, by, side=side, min_support=min_support,
                             min_confidence=min_confidence, min_lift=min_lift)

    @r.get("/sessions/{session_id}/basket", response_model=m.Basket, tags=["basket"], **EXACT)
    def basket(session_id: SessionIdPath) -> dict[str, Any]:
        return shopper.basket(session_id)

    @r.post("/sessions/{session_id}/basket", response_model=m.Basket, responses=documented(400, 404, 413),
            tags=["basket"], **EXACT)
    def add_to_basket(session_id: SessionIdPath, body: m.BasketAdd) -> dict[str, Any]:
        return shopper.add_to_basket(session_id, body.product_id, body.quantity)

    @r.delete("/sessions/{session_id}/basket/{product_id}", response_model=m.Basket,
              responses=documented(404), tags=["basket"], **EXACT)
    def remove_from_basket(session_id: SessionIdPath, product_id: ProductIdPath,
                           quantity: Annotated[int | None, Query(ge=1, le=1000)] = None,
                           ) -> dict[str, Any]:
        """Take a product out of the basket (all of it unless `quantity`)."""
        return shopper.remove_from_basket(session_id, product_id, quantity)

    @r.delete("/sessions/{session_id}", response_model=m.Deleted, responses=documented(404),
              tags=["basket"], **EXACT)
    def delete_session(session_id: SessionIdPath) -> dict[str, Any]:
        """Forget the session: its conversation and basket are removed from the store."""
        if not shopper.delete_session(session_id):
            raise NotFoundError(f"no session {session_id!r}")
        return {"deleted": session_id}

    # Not under .../basket/: there "recommendations" would also read as a product id.
    @r.get("/sessions/{session_id}/recommendations", response_model=m.Recommendations,
           tags=["basket"], **EXACT)
    def basket_recommendations(session_id: SessionIdPath, k: Count = 5) -> dict[str, Any]:
        """What goes with the basket (the bestsellers while it is empty)."""
        return shopper.basket_recommendations(session_id, k)

    return r


def service_routes(service: ShoppingAssistant, credentials: Credentials | None,
                   shopper: ShoppingAssistant | None = None) -> APIRouter:
    """The console's routes and, with `shopper`, the sign-in of shopper sessions: both behind
    the service login, which the retailer's own server holds (a shopper's browser never)."""
    r = APIRouter(prefix=f"{PREFIX}/service", dependencies=[Depends(service_guard(credentials))],
                  responses=documented(401, 403, 422, 500, 503), tags=["customer service"])

    @r.get("/customers/{customer_id}", response_model=m.Customer, responses=documented(400, 404), **EXACT)
    def customer(customer_id: CustomerIdPath, k: Count = 10) -> dict[str, Any]:
        """A customer's orders and recommendations with their evidence."""
        return service.customer(customer_id, k)

    @r.post("/chat", response_model=m.Reply, responses=documented(400, 413), **EXACT)
    def chat(body: m.ServiceChatRequest) -> dict[str, Any]:
        """A console chat turn, optionally on a customer's behalf (their history is then in reach)."""
        return service.chat(body.session_id, body.message, body.customer_id).to_dict()

    if shopper is not None:
        @r.put("/sessions/{session_id}/customer", response_model=m.SignedIn, responses=documented(400), **EXACT)
        def sign_in(session_id: SessionIdPath, body: m.SignIn) -> dict[str, Any]:
            """Sign a shopper's session in as a customer, after your own login: their "what
            should I buy?" in `/v1/chat` then draws on that customer's past orders."""
            return shopper.sign_in(session_id, body.customer_id)

        @r.delete("/sessions/{session_id}/customer", response_model=m.SignedIn, **EXACT)
        def sign_out(session_id: SessionIdPath) -> dict[str, Any]:
            """Sign a shopper's session out: a guest again (the basket and the chat stay)."""
            return shopper.sign_in(session_id, None)

    return r


class Fallback:
    """Anything else under /v1 answers in the API's error shape; without this, Gradio's mount
    at "/" would take /v1/typo (and any odd method) and answer with its own 404 page.

    A raw ASGI app, because Starlette routes a plain function endpoint for GET only, while
    this must take every method. It is mounted after the real routes (`routers`), so a
    wrong method on a real path lands here too: it then answers 405 with the path's real
    methods, as Starlette's router would have.
    """

    def __init__(self, *routers: APIRouter) -> None:
        self.real = [route for router in routers for route in router.routes if isinstance(route, APIRoute)]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path, method = scope["path"], scope["method"]
        allowed = sorted({verb for route in self.real if route.path_regex.match(path) for verb in route.methods or ()})
        if allowed:
            response = error_response(405, "method_not_allowed",
                                      f"{method} is not allowed on {path}; use {', '.join(allowed)}",
                                      headers={"Allow": ", ".join(allowed)})
        else:
            response = error_response(404, "not_found", f"no API endpoint at {path}")
        await response(scope, receive, send)
