"""What the shopper's follow-up points at, resolved in code and handed to the model as a note.

Small models pick the wrong product from "the third one" or "the cheapest" over a numbered
list, and turn "cheaper" into a new unrelated search. The planner's rules resolve these
exactly from the list shown; a model gets the result in words next to the shopper's message
and keeps the choice of tool. Nothing here calls a tool or changes the basket.
"""

from __future__ import annotations

from typing import Any

from .intent import CHEAPER
from .planner import Intent


def follow_up_hints(message: str, context: dict[str, Any]) -> str | None:
    shown = {p["product_id"]: p for p in context.get("shown") or []}
    intent = Intent(message, context, [])
    lines = []
    for pid in intent.refs():
        p = shown.get(pid)
        if p:
            # Id and position only: a title is third-party text and has no place in a note.
            lines.append(f"The shopper means product {pid} (number {p['n']} in the list shown).")
    last = context.get("last_search") or {}
    prices = [p["price"] for p in shown.values() if p.get("price") is not None]
    if CHEAPER.search(message) and last and prices:
        lines.append(f"\u201cCheaper\u201d means: search_products again with the previous question and "
                     f"max_price {round(min(prices) - 0.01, 2)}.")
    return " ".join(lines) or None
