"""`create_app`: the Gradio Blocks over a `ShoppingAssistant` (shopper chat, service console)."""

from __future__ import annotations

from typing import Any

import gradio as gr

from assistant import ShoppingAssistant
from assistant.access import Credentials


def create_app(shopper: ShoppingAssistant, credentials: Credentials | None = None, **options: Any) -> gr.Blocks:
    """The web app. `shopper` answers shoppers; the console uses `shopper.as_role("service")`
    and is only opened by `credentials` (None: the console stays closed)."""
    with gr.Blocks(title="shopassist") as app:
        gr.Markdown("# shopassist")
        chat = gr.Chatbot()
        box = gr.Textbox(label="Ask")

        def answer(message: str, history: list[dict[str, Any]], request: gr.Request):
            reply = shopper.chat(request.session_hash or "anonymous", message)
            return "", [*history, {"role": "user", "content": message},
                        {"role": "assistant", "content": reply.text}]

        box.submit(answer, [box, chat], [box, chat])
    return app
