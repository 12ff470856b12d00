"""The customer-service console: a login, then a customer's history and recommendations with
their evidence, a chat on the customer's behalf with the full tool trace, the rules explorer
and the evaluation chart.

The login is the app's own (Gradio's `auth` would lock the shopper view too). Whether this
browser session logged in is a `gr.State`, held on the server and never sent to the browser,
and every console handler checks it before it calls the service assistant.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any

import gradio as gr
import pandas as pd

from assistant import ShoppingAssistant
from assistant.access import PASSWORD_ENV, USER_ENV, Credentials
from retrieval.errors import ShopassistError

from .cards import CARD_CSS, cards_html
from .evaluation import evaluation_chart, evaluation_summary
from .notify import warn
from .rules_view import build_rules_explorer
from .sessions import session_id
from .text import markdown_text, reply_markdown
from .trace import grounding_message, reply_titles, tool_messages

log = logging.getLogger(__name__)

HISTORY_COLUMNS = ["date", "basket", "product id", "title", "quantity", "price"]
RECOMMENDATIONS = 10
CHAT_EXAMPLES = ["what did the customer buy?", "what should they buy next?"]
FAILED_LOGIN_DELAY = 0.5  # seconds; slows guessing without bothering a person who mistyped


def build_console(service: ShoppingAssistant, credentials: Credentials | None,
                  home: str | os.PathLike[str] | None = None) -> None:
    """Lay out the console inside the current Blocks context and wire its events."""
    if credentials is None:
        gr.Markdown(
            "The customer-service console is **closed**: no login is configured. Set "
            f"`{USER_ENV}` and `{PASSWORD_ENV}` in the environment (or start the app with "
            "`shopassist run` / `make run`, which makes a login under the data root and says "
            "where), then restart the app.", elem_id="console-closed")
        return

    authorized = gr.State(False)
    customer = gr.State(None)  # the customer id looked up last

    with gr.Column(visible=True, elem_id="console-login") as login_box:
        gr.Markdown("Customer-service staff only. Log in to look up customers.")
        user = gr.Textbox(label="User", elem_id="console-user")
        password = gr.Textbox(label="Password", type="password", elem_id="console-password")
        login = gr.Button("Log in", variant="primary", elem_id="console-login-button")
        login_status = gr.Markdown(elem_id="console-login-status")

    with gr.Column(visible=False, elem_id="console-main") as main:
        with gr.Row():
            gr.Markdown("Logged in to the customer-service console.")
            logout = gr.Button("Log out", size="sm", elem_id="console-logout", scale=0)
        with gr.Tabs():
            with gr.Tab("Customer", id="console-customer-tab"):
                with gr.Row():
                    cid = gr.Textbox(label="Customer id", placeholder="e.g. 12347",
                                     elem_id="console-customer-id", scale=4)
                    look_up = gr.Button("Look up", variant="primary",
                                        elem_id="console-look-up", scale=1)
                summary = gr.Markdown(elem_id="console-customer-summary")
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3):
                        history = gr.Dataframe(headers=HISTORY_COLUMNS, interactive=False,
                                               wrap=True, max_height=480,
                                               label="Purchase history",
                                               elem_id="console-history")
                    with gr.Column(scale=2):
                        gr.Markdown("**Recommendations, with where each comes from**")
                        recommendations = gr.HTML(css_template=CARD_CSS, js_on_load=None,
                                                  elem_id="console-recommendations")
                gr.Markdown("**Chat on the customer's behalf** (every tool call is listed)")
                chat = gr.Chatbot(label="Assistant (service role)", elem_id="console-chat",
                                  height=420, latex_delimiters=[], allow_tags=False,
                                  feedback_options=None)
                with gr.Row():
                    box = gr.Textbox(show_label=False, elem_id="console-chat-input", scale=5,
                                     placeholder="e.g. what did the customer buy?")
                    send = gr.Button("Send", elem_id="console-chat-send", scale=1)
                gr.Examples(CHAT_EXAMPLES, inputs=box, label="Try")
            with gr.Tab("Rules", id="console-rules-tab"):
                build_rules_explorer(service, authorized)
            with gr.Tab("Evaluation", id="console-evaluation-tab"):
                chart = gr.Image(label="Offline evaluation", interactive=False, visible=False,
                                 elem_id="console-evaluation", buttons=["download"])
                ratios = gr.Markdown(visible=False, elem_id="console-evaluation-summary")
                no_chart = gr.Markdown(
                    "No evaluation results yet: run `shopassist eval` to compare the "
                    "recommenders, then log in again.", elem_id="console-no-evaluation")

    def log_in(name: str, secret: str) -> tuple[Any, ...]:
        if not credentials.check(name, secret):
            log.warning("console login refused for user %r", name)
            time.sleep(FAILED_LOGIN_DELAY)
            return (False, gr.skip(), gr.skip(), "Wrong user name or password.", "",
                    gr.skip(), gr.skip(), gr.skip())
        log.info("console login by %r", name)
        picture, ratio_text = evaluation_chart(home), evaluation_summary(home)
        return (True, gr.Column(visible=False), gr.Column(visible=True), "", "",
                gr.Image(value=picture, visible=picture is not None),
                gr.Markdown(visible=picture is None), gr.Markdown(ratio_text, visible=bool(ratio_text)))

    # One login at a time: with the delay on a failure, guessing runs at two tries a second.
    gr.on([login.click, password.submit], log_in, [user, password],
          [authorized, login_box, main, login_status, password, chart, no_chart, ratios],
          api_visibility="private", concurrency_limit=1)

    def log_out() -> tuple[Any, ...]:
        return (False, None, gr.Column(visible=True), gr.Column(visible=False), "",
                _history_frame([]), "", [])

    logout.click(log_out, None, [authorized, customer, login_box, main, summary, history,
                                 recommendations, chat], api_visibility="private")

    def look_up_customer(ok: bool, ref: str) -> tuple[Any, ...]:
        if not ok:
            warn("Log in to the console first.")
            return (gr.skip(),) * 5
        ref = (ref or "").strip()
        if not ref:
            return gr.skip(), markdown_text("Type a customer id."), gr.skip(), gr.skip(), gr.skip()
        try:
            found = service.customer(ref, k=RECOMMENDATIONS)
        except ShopassistError as exc:
            text = warn(exc)
            return None, markdown_text(text), _history_frame([]), "", []
        lines = found.get("lines") or []
        text = markdown_text(f"Customer {found['customer_id']}: {found['orders']} order(s), "
                             f"{len(lines)} line(s).")
        return (found["customer_id"], text, _history_frame(lines),
                cards_html(found.get("products") or [], evidence=True, currency=service.shop.money,
                           empty="No recommendations for this customer."), [])

    gr.on([look_up.click, cid.submit], look_up_customer, [authorized, cid],
          [customer, summary, history, recommendations, chat], api_visibility="private")

    def chat_for(ok: bool, who: str | None, message: str, shown: list[Any],
                 request: gr.Request) -> tuple[Any, ...]:
        if not ok:
            warn("Log in to the console first.")
            return gr.skip(), gr.skip()
        message = (message or "").strip()
        if not who:
            warn("Look up a customer first.")
            return gr.skip(), gr.skip()
        if not message:
            return gr.skip(), gr.skip()
        history = [*(shown or []), gr.ChatMessage(role="user", content=markdown_text(message))]
        try:
            reply = service.chat(session_id(request, 0, f"console:{who}"), message,
                                 customer_id=who)
        except ShopassistError as exc:
            text = warn(exc)
            return [*history, gr.ChatMessage(role="assistant", content=markdown_text(text))], ""
        history += tool_messages(reply.results, full=True)
        check = grounding_message(reply.grounding)
        if check is not None:
            history.append(check)
        history.append(gr.ChatMessage(role="assistant",
                                      content=reply_markdown(reply.text, [message, *reply_titles(reply)])))
        return history, ""

    gr.on([send.click, box.submit], chat_for, [authorized, customer, box, chat], [chat, box],
          api_visibility="private", concurrency_limit=4)


def _history_frame(lines: list[dict[str, Any]]) -> pd.DataFrame:
    """The purchase history, newest order first (what an agent is usually asked about)."""
    rows = [[(line.get("date") or "")[:16], line.get("basket_id"), line.get("product_id"),
             line.get("title"), line.get("quantity"), line.get("price")] for line in reversed(lines)]
    return pd.DataFrame(rows, columns=HISTORY_COLUMNS)
