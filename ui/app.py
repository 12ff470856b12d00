"""`create_app`: the Gradio Blocks over a `ShoppingAssistant` (shopper chat, service console)."""

from __future__ import annotations

import os

import gradio as gr

from assistant import ShoppingAssistant
from assistant.access import Credentials

from .console import build_console
from .endpoints import build_endpoints
from .shopper import build_shopper
from .text import markdown_text, shop_line


def app_theme() -> gr.themes.Base:
    """Gradio's default look with its font's bold drawn from the complete Bold file. The
    SemiBold file Gradio 6 ships holds three glyphs (space, A and B), so every weight-600 text
    (headings, buttons, product titles) drew its A and B from Source Sans and every other
    letter from a fallback font. With no 600 face declared, the browser takes the nearest
    heavier one, 700."""
    return gr.themes.Default(font=(gr.themes.LocalFont("Source Sans Pro", weights=(400, 700)),
                                   "ui-sans-serif", "system-ui", "sans-serif"))


def create_app(shopper: ShoppingAssistant, credentials: Credentials | None = None, *,
               home: str | os.PathLike[str] | None = None, stream_delay: float = 0.02) -> gr.Blocks:
    """The web app. `shopper` answers shoppers; the console uses `shopper.as_role("service")`
    (same data, its own sessions) and is only opened by `credentials` (None: it stays closed
    and says how to open it). `home` is the data root where the evaluation chart is looked
    for ($SHOPASSIST_HOME when None); `stream_delay` paces the streamed reply. Any other
    keyword is a TypeError naming it (a misspelt option never passes unnoticed)."""
    service = shopper.as_role("service")
    shop = shopper.shop
    with gr.Blocks(title=f"{shop.name} · shopassist", analytics_enabled=False) as app:
        gr.Markdown(f"# {markdown_text(shop.name[:1].upper() + shop.name[1:])}\n{markdown_text(shop_line(shop))}", elem_id="shop-heading")
        with gr.Tabs():
            with gr.Tab("Shop", id="shop"):
                build_shopper(app, shopper, stream_delay=stream_delay)
            with gr.Tab("Customer service", id="console"):
                build_console(service, credentials, home)
        build_endpoints(shopper)
    # Concurrency is set per event (chat turns run side by side); the queue keeps streaming.
    app.queue(default_concurrency_limit=None)
    return app
