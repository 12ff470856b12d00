"""Named endpoints for programs (the official `gradio_client`), beside the UI's own events.

`ask` is one chat turn as JSON (the same shape as `Reply.to_dict()`), `basket` the session's
basket; both in the caller's own session (a `gradio_client.Client` is one session).
"""

from __future__ import annotations

from typing import Any

import gradio as gr

from assistant import ShoppingAssistant
from retrieval.errors import ShopassistError

from .sessions import session_id


def build_endpoints(shopper: ShoppingAssistant) -> None:
    def ask(message: str, request: gr.Request) -> dict[str, Any]:
        """Ask the shopping assistant; follow-ups in the same client session see this turn."""
        try:
            return shopper.chat(session_id(request), message).to_dict()
        except ShopassistError as exc:
            raise gr.Error(str(exc), print_exception=False) from None

    def basket(request: gr.Request) -> dict[str, Any]:
        """This session's basket: lines, item count and total."""
        return shopper.basket(session_id(request))

    gr.api(ask, api_name="ask", concurrency_limit=4)
    gr.api(basket, api_name="basket")
