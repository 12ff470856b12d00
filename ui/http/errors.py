"""Every error the API answers has one machine-readable shape:

    {"error": {"type": "not_found", "message": "no product with id 'X'", "details": [...]}}

`type` is a stable snake_case word a client can branch on; `message` is for people;
`details` (validation errors only) points at the offending fields. Domain errors
(`ShopassistError`) map to 4xx/503 by class; anything else is a bug: logged, answered 500
without internals, and re-raised by Starlette so the server log keeps the traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from retrieval.errors import (
    AccessDeniedError,
    ConfigError,
    DataError,
    IndexNotFoundError,
    ModelMismatchError,
    NotFoundError,
    ShopassistError,
    StoreUnavailableError,
)

log = logging.getLogger(__name__)

# Most specific class first is not needed: the lookup walks each error's MRO.
DOMAIN_STATUS: dict[type[ShopassistError], tuple[int, str]] = {
    NotFoundError: (404, "not_found"),
    AccessDeniedError: (403, "access_denied"),
    ConfigError: (400, "invalid_argument"),
    DataError: (400, "bad_data"),
    IndexNotFoundError: (503, "unavailable"),
    StoreUnavailableError: (503, "unavailable"),
    ModelMismatchError: (503, "unavailable"),
    ShopassistError: (400, "bad_request"),
}

STATUS_TYPE = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 413: "request_too_large", 415: "unsupported_media_type",
               422: "invalid_request", 503: "unavailable"}

MAX_DETAILS = 20  # a 4,000-item list body must not echo 4,000 errors back


class ApiError(StarletteHTTPException):
    """An HTTP-layer refusal (auth, size, routing) with its machine-readable `kind`."""

    def __init__(self, status_code: int, kind: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(status_code, message, headers)
        self.kind = kind


def error_body(kind: str, message: str, details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"type": kind, "message": message}
    if details is not None:
        error["details"] = details
    return {"error": error}


def error_response(status: int, kind: str, message: str, *, details: list[dict[str, Any]] | None = None,
                   headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(kind, message, details), status_code=status, headers=headers)


def domain_status(exc: ShopassistError) -> tuple[int, str]:
    for cls in type(exc).__mro__:
        if cls in DOMAIN_STATUS:
            return DOMAIN_STATUS[cls]
    return 400, "bad_request"


async def _domain(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ShopassistError)
    status, kind = domain_status(exc)
    log.info("%s %s -> %d %s: %s", request.method, request.url.path, status, kind, exc)
    return error_response(status, kind, str(exc))


def _validation_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    # Only where and what: pydantic's "input" may be a 100k-character string and "ctx"
    # may hold exception objects, neither belongs in a response.
    return [{"loc": [p if isinstance(p, int) else str(p) for p in e.get("loc", ())],
             "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
            for e in exc.errors()[:MAX_DETAILS]]


async def _invalid(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = _validation_details(exc)
    summary = "; ".join(f"{'.'.join(map(str, d['loc']))}: {d['msg']}" for d in details[:3])
    return error_response(422, "invalid_request", f"invalid request: {summary}", details=details)


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    kind = getattr(exc, "kind", None) or STATUS_TYPE.get(exc.status_code, "http_error")
    return error_response(exc.status_code, kind, str(exc.detail), headers=exc.headers)


async def _internal(request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal_error", "internal error; the server log has the details")


def install(api: FastAPI) -> None:
    """Register the handlers that give every error response the shape above."""
    api.add_exception_handler(ShopassistError, _domain)
    api.add_exception_handler(RequestValidationError, _invalid)
    api.add_exception_handler(StarletteHTTPException, _http)
    api.add_exception_handler(Exception, _internal)
