"""The HTTP API (FastAPI): the same calls and shapes as the Python API, under /v1.

    GET    /v1/health
    POST   /v1/chat                                   {session_id, message}
    POST   /v1/recommend                              {question, min_price, max_price, k}
    GET    /v1/products/{product_id}
    GET    /v1/products/{product_id}/related          ?kind=similar|together&k=
    GET    /v1/rules                                  ?item=&k=&by=&side=&min_support=...
    GET    /v1/sessions/{session_id}/basket           (+ POST to add, DELETE .../{product_id})
    GET    /v1/sessions/{session_id}/recommendations       what goes with the basket
    GET    /v1/service/customers/{customer_id}        service login (HTTP Basic)
    POST   /v1/service/chat                           service login; {session_id, message, customer_id}
    GET    /v1/openapi.json, /v1/docs

Modules: `models` (pydantic request/response models), `routes`, `auth` (the service login),
`errors` (one error body for every 4xx/5xx), `middleware` (body-size cap, response headers).
"""

from __future__ import annotations

import logging

from fastapi import FastAPI

from assistant import ShoppingAssistant
from assistant.access import Credentials
from retrieval.errors import ConfigError

from . import errors
from .middleware import MAX_BODY_BYTES, ApiHeaders, BodyLimit
from .routes import PREFIX, Fallback, service_routes, shopper_routes

log = logging.getLogger(__name__)

__all__ = ["create_api"]

DESCRIPTION = """Conversational shopping assistant. Every error answers
`{"error": {"type": ..., "message": ..., "details": [...]}}`; request bodies are capped at
64 KiB (413) and chat messages at 4,000 characters (422). `/v1/service/*` needs the
customer-service login (HTTP Basic)."""


def create_api(shopper: ShoppingAssistant, credentials: Credentials | None = None,
               *, max_body_bytes: int = MAX_BODY_BYTES) -> FastAPI:
    """The API over a shopper-role assistant; the service routes use its service twin and
    open only with `credentials` (None: they answer 403 console_closed)."""
    if shopper.role != "shopper":
        # A service-role assistant behind the shopper routes would hand shoppers the
        # customer_history tool.
        raise ConfigError(f"create_api needs a shopper-role assistant, got role {shopper.role!r}.")
    api = FastAPI(title="shopassist", version="1", description=DESCRIPTION,
                  openapi_url=f"{PREFIX}/openapi.json", docs_url=f"{PREFIX}/docs", redoc_url=None)
    errors.install(api)
    api.add_middleware(BodyLimit, max_bytes=max_body_bytes, prefix=f"{PREFIX}/")
    api.add_middleware(ApiHeaders, prefix=f"{PREFIX}/")  # added last = outermost: 413s get it too
    routers = [shopper_routes(shopper), service_routes(shopper.as_role("service"), credentials, shopper)]
    for router in routers:
        api.include_router(router)
    # Starlette annotates add_route's endpoint as request -> response only, but routes any
    # endpoint that is not a function or method (as Fallback) as a raw ASGI app, all methods.
    api.add_route(f"{PREFIX}/{{path:path}}", Fallback(*routers),  # type: ignore[arg-type]
                  include_in_schema=False)  # last
    if credentials is None:
        log.info("no customer-service login configured: /v1/service/* answers 403")
    return api
