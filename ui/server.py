"""One process serves the HTTP API and the Gradio app: `build_server` joins them, `launch` serves."""

from __future__ import annotations

import logging
import os
from typing import Any

import gradio as gr
from fastapi import FastAPI

from assistant import ShoppingAssistant
from assistant.access import Credentials, load_credentials

from .app import app_theme, create_app
from .http import create_api

log = logging.getLogger(__name__)


def build_server(shopper: ShoppingAssistant, credentials: Credentials | None = None,
                 **app_options: Any) -> FastAPI:
    """The FastAPI app with the Gradio app mounted at /. `app_options` go to `create_app`
    (e.g. `home`, where the evaluation chart is looked for)."""
    api = create_api(shopper, credentials)
    return gr.mount_gradio_app(api, create_app(shopper, credentials, **app_options), path="/",
                               theme=app_theme())


def launch(home: str | os.PathLike[str] | None = None, host: str = "127.0.0.1", port: int = 7860,
           model: str = "offline", **options: Any) -> None:
    """Serve the app over what `shopassist build` saved under `home` until interrupted.
    Loopback by default; there is no public share link."""
    import uvicorn

    shopper = ShoppingAssistant.open(home, model=model, **options)
    server = build_server(shopper, load_credentials(home), home=home)
    log.info("serving shopassist on http://%s:%d", host, port)
    uvicorn.run(server, host=host, port=port, log_level="warning")
