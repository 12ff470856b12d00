"""The shopper's view: a streamed chat, product cards with reasons, and a basket panel.

Every handler calls the public `ShoppingAssistant` API with the browser session's own
session id (`ui.sessions`), so the basket the panel edits is the one the chat reads
("what goes with my basket?") and two browsers never share one.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import gradio as gr

from assistant import ShoppingAssistant
from retrieval.errors import ShopassistError

from .cards import CARD_CSS, basket_html, basket_line_html, card_html
from .notify import warn
from .sessions import session_id
from .text import html_text, markdown_text, reply_markdown, word_chunks
from .trace import reply_titles, tool_messages

# Follow-ups that fit any shop, after the shop's own example requests.
FOLLOW_UPS = ["show me cheaper ones", "add the second one to my basket", "what goes with my basket?"]
SUGGESTIONS = 4  # cards under "Goes with your basket"
# Chats from different browsers may run side by side (the assistant locks each session's
# turns); Gradio's default of one at a time would make every shopper wait for every other.
CHAT_CONCURRENCY = 4
EMPTY_BASKET: dict[str, Any] = {"basket": [], "items": 0, "total": 0.0}


def build_shopper(app: gr.Blocks, shopper: ShoppingAssistant, *, stream_delay: float = 0.02) -> None:
    """Lay out the shopper view inside the current Blocks context and wire its events."""
    generation = gr.State(0)  # bumped by "Clear": a new conversation, same basket
    shown = gr.State([])  # products of the last reply, as cards
    basket = gr.State(EMPTY_BASKET)
    suggested = gr.State([])  # what goes with the basket (bestsellers while it is empty)
    currency = shopper.shop.money
    examples = shopper.example_requests()

    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            chat = gr.Chatbot(
                label="Shopping assistant", elem_id="shopper-chat", height=520,
                latex_delimiters=[], allow_tags=False, feedback_options=None,
                placeholder="Ask for something to buy, then follow up.",
            )
            with gr.Row():
                box = gr.Textbox(show_label=False, placeholder=f"e.g. {examples[0]}",
                                 elem_id="shopper-input", scale=5, autofocus=True)
                send = gr.Button("Send", variant="primary", elem_id="shopper-send", scale=1)
            gr.Examples([*examples[:2], *FOLLOW_UPS], inputs=box, label="Try")
            clear = gr.Button("Clear conversation", elem_id="shopper-clear", size="sm")
        with gr.Column(scale=2, elem_id="shopper-side"):
            gr.Markdown("### Products")

            @gr.render(inputs=shown)
            def _shown(products: list[dict[str, Any]]) -> None:
                _card_rows(products, "Ask a question to see products.", "shown",
                           _adder(shopper), generation, [basket, suggested], currency)

            gr.Markdown("### Your basket")

            @gr.render(inputs=basket)
            def _basket(current: dict[str, Any]) -> None:
                gr.HTML(basket_html(current, currency), css_template=CARD_CSS, js_on_load=None,
                        elem_classes="sa-basket-total-box")
                for line in current.get("basket") or []:
                    with gr.Row(elem_classes="sa-basket-row", equal_height=False):
                        with gr.Column(scale=4, min_width=0):
                            gr.HTML(basket_line_html(line, currency), css_template=CARD_CSS,
                                    js_on_load=None)
                        with gr.Column(scale=1, min_width=90):
                            gr.Button("Remove", size="sm", elem_classes="sa-remove").click(
                                _remover(shopper, str(line["product_id"])), generation,
                                [basket, suggested], api_visibility="private")

            gr.Markdown("### Goes with your basket")

            @gr.render(inputs=suggested)
            def _suggested(products: list[dict[str, Any]]) -> None:
                _card_rows(products, "Nothing to suggest yet.", "suggested",
                           _adder(shopper), generation, [basket, suggested], currency)

    def respond(message: str, history: list[Any], gen: int, request: gr.Request
                ) -> Iterator[tuple[Any, ...]]:
        """Stream one turn: the question, the tool calls (collapsed), then the reply text word
        by word; the cards, basket and suggestions follow what the turn did."""
        message = (message or "").strip()
        if not message:
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        sid = session_id(request, gen)
        history = [*(history or []), gr.ChatMessage(role="user", content=markdown_text(message))]
        working = gr.ChatMessage(role="assistant", content="",
                                 metadata={"title": "looking", "status": "pending"})
        yield [*history, working], "", gr.skip(), gr.skip(), gr.skip()
        try:
            reply = shopper.chat(sid, message)
        except ShopassistError as exc:
            text = warn(exc)
            yield ([*history, gr.ChatMessage(role="assistant", content=markdown_text(text))],
                   gr.skip(), gr.skip(), gr.skip(), gr.skip())
            return
        history += tool_messages(reply.results)
        products = _with_descriptions(shopper, reply.products)
        yield history, gr.skip(), products or gr.skip(), gr.skip(), gr.skip()
        text = reply_markdown(reply.text, [message, *reply_titles(reply)])
        for part in word_chunks(text):
            yield ([*history, gr.ChatMessage(role="assistant", content=part)],
                   gr.skip(), gr.skip(), gr.skip(), gr.skip())
            time.sleep(stream_delay)  # lets the browser paint each piece
        now, goes_with = _basket_now(shopper, sid)
        yield ([*history, gr.ChatMessage(role="assistant", content=text)],
               gr.skip(), gr.skip(), now, goes_with)

    gr.on([box.submit, send.click], respond, [box, chat, generation],
          [chat, box, shown, basket, suggested], api_name="chat",
          concurrency_limit=CHAT_CONCURRENCY)

    def clear_conversation(gen: int, request: gr.Request) -> tuple[Any, ...]:
        """A new conversation for this browser session; the basket comes along."""
        old, new = session_id(request, gen), session_id(request, gen + 1)
        try:
            for line in shopper.basket(old).get("basket") or []:
                shopper.add_to_basket(new, line["product_id"], int(line["quantity"]))
        except ShopassistError as exc:
            warn(exc)
        return [], gen + 1, []

    clear.click(clear_conversation, generation, [chat, generation, shown], api_name="clear")

    def start(gen: int, request: gr.Request) -> tuple[Any, ...]:
        return _basket_now(shopper, session_id(request, gen))

    app.load(start, generation, [basket, suggested], api_visibility="private")


def _card_rows(products: list[dict[str, Any]], empty: str, where: str,
               adder: Callable[[str], Callable[..., Any]], generation: gr.State,
               outputs: list[gr.State], currency: Any = None) -> None:
    """A card per product, each with its own "Add to basket" button."""
    if not products:
        gr.HTML(f'<p class="sa-empty">{html_text(empty)}</p>', css_template=CARD_CSS,
                js_on_load=None)
        return
    for p in products:
        with gr.Row(elem_classes=["sa-card-row", f"sa-{where}"], equal_height=False):
            with gr.Column(scale=4, min_width=0):
                gr.HTML(card_html(p, currency=currency), css_template=CARD_CSS, js_on_load=None)
            with gr.Column(scale=1, min_width=90):
                gr.Button("Add to basket", size="sm", elem_classes="sa-add").click(
                    adder(str(p["product_id"])), generation, outputs, api_visibility="private")


def _adder(shopper: ShoppingAssistant) -> Callable[[str], Callable[..., Any]]:
    def for_product(pid: str) -> Callable[..., Any]:
        def add(gen: int, request: gr.Request) -> tuple[Any, ...]:
            sid = session_id(request, gen)
            try:
                shopper.add_to_basket(sid, pid, 1)
            except ShopassistError as exc:
                warn(exc)
            return _basket_now(shopper, sid)

        return add

    return for_product


def _remover(shopper: ShoppingAssistant, pid: str) -> Callable[..., Any]:
    def remove(gen: int, request: gr.Request) -> tuple[Any, ...]:
        sid = session_id(request, gen)
        try:
            shopper.remove_from_basket(sid, pid)
        except ShopassistError as exc:
            warn(exc)
        return _basket_now(shopper, sid)

    return remove


def _basket_now(shopper: ShoppingAssistant, sid: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    try:
        return (shopper.basket(sid),
                shopper.basket_recommendations(sid, k=SUGGESTIONS).get("products") or [])
    except ShopassistError as exc:
        warn(exc)
        return EMPTY_BASKET, []


def _with_descriptions(shopper: ShoppingAssistant, products: Sequence[Mapping[str, Any]]
                       ) -> list[dict[str, Any]]:
    """The reply's products plus their descriptions (the tools leave those out)."""
    out = []
    for p in products:
        card = dict(p)
        try:
            description = shopper.product(str(p["product_id"])).get("description")
        except ShopassistError:
            description = None
        if description:
            card["description"] = description
        out.append(card)
    return out

