"""Answers written from tool output alone: the offline planner's voice and the grounding repair.

Every product, price and figure here is copied from a tool result, so a composed answer is
grounded by construction; that is why grounding falls back to it when a model's answer fails.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from retrieval.money import Money

from ..results import (
    BasketView,
    Comparison,
    CustomerHistory,
    Explanation,
    Filters,
    Listing,
    ProductDetails,
    ProductInfo,
    ToolError,
    ToolOutput,
)

MAX_LINES = 10


@dataclass
class ToolResult:
    """One executed tool call: what was asked and what came back."""

    name: str
    args: dict[str, Any]
    output: ToolOutput
    call_id: str = ""
    repeated: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "args": self.args, "result": self.output.to_json(), "repeated": self.repeated}

    @property
    def failed(self) -> bool:
        return isinstance(self.output, ToolError)


def _lines(products, money: Money, reasons: bool = True) -> list[str]:
    return [f"{i}. {p.title} ({p.product_id}, {money.format(p.price)})"
            + (f" \u2014 {p.evidence[0].text}" if reasons and p.evidence else "")
            for i, p in enumerate(products[:MAX_LINES], 1)]


def _filters(f: Filters, money: Money) -> str:
    lo, hi = f.min_price, f.max_price
    if lo is not None and hi is not None:
        return f"priced {money.format(lo)} to {money.format(hi)}"
    if hi is not None:
        return f"priced up to {money.format(hi)}"
    if lo is not None:
        return f"priced from {money.format(lo)}"
    return ""


def _listing(head: str, out: Listing) -> str:
    if not out.products:
        return f"{head}: I found nothing."
    # Nearest alternatives to something the shop lacks carry no "matches" reason: they don't.
    parts = [f"{head}:", *_lines(out.products, out.money, reasons=not out.no_match)]
    after = [f"Note: {note}." for note in out.notes]
    if out.relaxed:
        after.insert(0, "Too few products met every limit, so I " + "; then ".join(out.relaxed) + ".")
    # A blank line ends the numbered list: markdown would read a line straight after it as
    # part of the last item (the chat showed the note inside item 5).
    return "\n".join(parts) + ("\n\n" + "\n".join(after) if after else "")


def _list(out: Listing) -> str:
    """A list, headed by what it is about: a question, products it goes with, one it is like,
    or a customer."""
    if out.customer_id is not None:
        return _listing(f"Recommended for customer {out.customer_id} from their {out.orders} order(s)", out)
    if out.basis == "no orders":
        return _FOR_YOU[out.basis]
    if out.basis is not None:
        return _listing(_FOR_YOU[out.basis].format(orders=out.orders), out)
    if out.anchors:
        names = " + ".join(f"{a.title} ({a.product_id})" for a in out.anchors)
        return _listing(f"Often bought together with {names}", out)
    limits = _filters(out.filters, out.money)
    if out.anchor is not None:
        return _listing(f"Products like {out.anchor.title} ({out.anchor.product_id})"
                        + (f", {limits}" if limits else ""), out)
    if out.no_match:
        head = (f"I found nothing close to \u201c{out.question or ''}\u201d in this shop"
                + (f" ({limits})" if limits else "") + ". The nearest things it has, in case one will do")
        return _listing(head, out)
    head = f"Here is what I found for \u201c{out.question or ''}\u201d" + (f", {limits}" if limits else "")
    return _listing(head, out)


# The heads of ideas for the shopper, by what they were picked from.
_FOR_YOU = {
    "orders": "Picked for you from your {orders} past order(s)",
    "basket": "Picked for you from what is in your basket",
    "popular": "The shop's best sellers",
    "bestsellers": "Some of the shop's best sellers (add something to your basket, or tell me what "
                   "you are looking for, and I can suggest things that suit you)",
    "no orders": "I have no past orders of yours to pick things to buy again from. Sign in as a customer, "
                 "or tell me what you are looking for.",
}


def _details_line(p: ProductInfo, money: Money) -> str:
    bits = [f"{p.title} ({p.product_id}) costs {money.format(p.price)}"]
    if p.category:
        bits.append(f"category {p.category}")
    bits.append(f"it was in {p.bought_in_baskets or 0:,} baskets")
    return ", ".join(bits) + "."


def _details(out: ProductDetails) -> str:
    p = out.product
    text = _details_line(p, out.money)
    if p.description:
        text += f"\nDescription (from the catalogue): \u201c{p.description[:300]}\u201d"
    return text


def _compare(out: Comparison) -> str:
    parts = [f"- {_details_line(p, out.money)}" for p in out.products]
    titles = {p.product_id: p.title for p in out.products}
    if out.cheapest and out.price_difference:
        parts.append(f"The cheapest is {titles[out.cheapest]}, {out.money.format(out.price_difference)} less than the dearest.")
    elif out.cheapest:
        parts.append("They cost the same.")
    for link in out.bought_together:
        parts.append(f"{titles.get(link.product_id, link.product_id)}: {link.evidence.text}.")
    return "Comparison:\n" + "\n".join(parts)


def _basket(out: BasketView) -> str:
    money = out.money
    head = ""
    if out.added:
        a = out.added
        head = f"Added {a.quantity} × {a.title} ({a.product_id}, {money.format(a.price)} each).\n"
    elif out.removed:
        head = f"Removed {out.removed.quantity} × {out.removed.title} ({out.removed.product_id}).\n"
    if not out.lines:
        return head + "Your basket is empty."
    lines = [f"- {x.quantity} × {x.title} ({x.product_id}, {money.format(x.price)}) = "
             f"{money.format(x.line_total)}" for x in out.lines]
    return head + "Your basket:\n" + "\n".join(lines) + f"\nTotal: {money.format(out.total)} for {out.items} item(s)."


def _why(out: Explanation) -> str:
    p = out.product
    head = f"{p.title} ({p.product_id}, {out.money.format(p.price)}) was number {out.position} in the list"
    if not out.evidence:
        return head + "; it had no further evidence than being a good match."
    return head + " because:\n" + "\n".join(f"- {e.text}" for e in out.evidence)


def _history(out: CustomerHistory) -> str:
    if out.own and not out.orders:
        return ("I have no past orders of yours to show. Sign in as a customer to see yours, or tell me "
                "what you are looking for.")
    lines = [f"- {p.title} ({p.product_id}) in {p.orders_with_it} order(s)" for p in out.products]
    when = f", the last on {out.last_order[:10]}" if out.last_order else ""
    last = "; ".join(f"{p.title} ({p.product_id})" for p in out.last_order_products)
    if out.own:
        # A shopper asking "what did I get last time?" reads the last order first.
        head = f"You have {out.orders} order(s){when}." + (f"\nIn your last order: {last}." if last else "")
        return head + "\nYou bought most often:\n" + "\n".join(lines)
    text = f"Customer {out.customer_id} has {out.orders} order(s){when}. Bought most often:\n" + "\n".join(lines)
    return text + (f"\nIn the last order: {last}." if last else "")


def _error(name: str, output: ToolError) -> str:
    if output.refused:
        return "I haven't changed your basket: say so if you'd like me to add or remove something."
    return f"I couldn't do that ({name.replace('_', ' ')}): {output.error}."


# One writer per kind of result: the result's type, not the tool's name, says what it holds
# (each writer takes the kind it is filed under).
WRITERS: dict[type[ToolOutput], Callable[[Any], str]] = {Listing: _list, ProductDetails: _details, Comparison: _compare, BasketView: _basket,
           Explanation: _why, CustomerHistory: _history}


def write(r: ToolResult) -> str:
    """The answer's part for one tool result."""
    if isinstance(r.output, ToolError):
        return _error(r.name, r.output)
    writer = WRITERS.get(type(r.output))
    return writer(r.output) if writer else ""


SLOW = ("Sorry, I'm taking too long to answer right now. Please try again in a moment, or ask "
        "for something specific: a product and, if you like, a price limit.")
UNAVAILABLE = ("Sorry, I can't answer right now: the assistant's language model is not responding. "
               "Please try again in a moment.")

FALLBACK = ("I can only talk about products I have looked up. Tell me what you are looking for "
            "(a product and, if you like, a price limit) and I will search the catalogue.")


def news(results: list[ToolResult]) -> list[ToolResult]:
    """What an answer reports: a mistake the model was told to mend (the wrong product for
    the shopper's words) is not news to the shopper, and its text is written for the model."""
    return [r for r in results if not (isinstance(r.output, ToolError) and r.output.retry)]


def compose(results: list[ToolResult]) -> str:
    """One answer covering every tool result, in call order; repeated calls are said once."""
    parts, seen = [], set()
    for r in results:
        key = (r.name, repr(sorted(r.args.items())))
        if key in seen:
            continue
        seen.add(key)
        parts.append(write(r))
    return "\n\n".join(p for p in parts if p) or FALLBACK
