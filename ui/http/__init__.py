"""The HTTP API (FastAPI): the same calls and shapes as the Python API, under /v1."""

from __future__ import annotations

from fastapi import FastAPI

from assistant import ShoppingAssistant
from assistant.access import Credentials


def create_api(shopper: ShoppingAssistant, credentials: Credentials | None = None) -> FastAPI:
    api = FastAPI(title="shopassist", version="1")

    @api.get("/v1/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return api
