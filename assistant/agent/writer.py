"""Answers written from tool output alone: the offline planner's voice and the grounding repair.

Every product, price and figure here is copied from a tool result, so a composed answer is
grounded by construction; that is why grounding falls back to it when a model's answer fails.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from retrieval.money import Money, money_for

MAX_LINES = 10


@dataclass
class ToolResult:
    """One executed tool call: what was asked and what came back (already JSON-able)."""

    name: str
    args: dict[str, Any]
    data: dict[str, Any]
    call_id: str = ""
    repeated: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "args": self.args, "result": self.data, "repeated": self.repeated}

    @property
    def money(self) -> Money:
        """The currency the result's prices are in (the tools name it beside them)."""
        return money_of(self.data)


def money_of(data: dict[str, Any]) -> Money:
    return money_for(data.get("currency"), data.get("locale") or "en")


def _reason(p: dict[str, Any]) -> str:
    ev = p.get("evidence") or []
    return f" — {ev[0]['text']}" if ev else ""


def _lines(products: list[dict[str, Any]], money: Money, reasons: bool = True) -> list[str]:
    return [f"{i}. {p['title']} ({p['product_id']}, {money.format(p.get('price'))}){_reason(p) if reasons else ''}"
            for i, p in enumerate(products[:MAX_LINES], 1)]


def _filters(f: dict[str, Any], money: Money) -> str:
    lo, hi = f.get("min_price"), f.get("max_price")
    if lo is not None and hi is not None:
        return f"priced {money.format(lo)} to {money.format(hi)}"
    if hi is not None:
        return f"priced up to {money.format(hi)}"
    if lo is not None:
        return f"priced from {money.format(lo)}"
    return ""


def _listing(head: str, data: dict[str, Any]) -> str:
    products = data.get("products") or []
    if not products:
        return f"{head}: I found nothing."
    # Nearest alternatives to something the shop lacks carry no "matches" reason: they don't.
    parts = [f"{head}:", *_lines(products, money_of(data), reasons=not data.get("no_match"))]
    if data.get("relaxed"):
        parts.append("Too few products met every limit, so I " + "; then ".join(data["relaxed"]) + ".")
    for note in data.get("notes") or []:
        parts.append(f"Note: {note}.")
    return "\n".join(parts)


def _search(r: ToolResult) -> str:
    d = r.data
    limits = _filters(d.get("filters") or {}, r.money)
    if d.get("no_match"):
        head = (f"I found nothing close to \u201c{d.get('question', '')}\u201d in this shop"
                + (f" ({limits})" if limits else "") + ". The nearest things it has, in case one will do")
        return _listing(head, d)
    head = f"Here is what I found for \u201c{d.get('question', '')}\u201d" + (f", {limits}" if limits else "")
    return _listing(head, d)


def _together(r: ToolResult) -> str:
    names = " + ".join(f"{a['title']} ({a['product_id']})" for a in r.data.get("anchors", []))
    return _listing(f"Often bought together with {names}", r.data)


def _similar(r: ToolResult) -> str:
    a = r.data.get("anchor") or {}
    return _listing(f"Products like {a.get('title')} ({a.get('product_id')})", r.data)


def _details_line(p: dict[str, Any], money: Money) -> str:
    bits = [f"{p['title']} ({p['product_id']}) costs {money.format(p.get('price'))}"]
    if p.get("category"):
        bits.append(f"category {p['category']}")
    bits.append(f"it was in {p.get('bought_in_baskets', 0):,} baskets")
    return ", ".join(bits) + "."


def _details(r: ToolResult) -> str:
    p = r.data["product"]
    text = _details_line(p, r.money)
    if p.get("description"):
        text += f"\nDescription (from the catalogue): \u201c{p['description'][:300]}\u201d"
    return text


def _compare(r: ToolResult) -> str:
    d = r.data
    parts = [f"- {_details_line(p, r.money)}" for p in d["products"]]
    titles = {p["product_id"]: p["title"] for p in d["products"]}
    if d.get("cheapest") and d.get("price_difference"):
        parts.append(f"The cheapest is {titles[d['cheapest']]}, {r.money.format(d['price_difference'])} less than the dearest.")
    elif d.get("cheapest"):
        parts.append("They cost the same.")
    for link in d.get("bought_together") or []:
        parts.append(f"{titles.get(link['product_id'], link['product_id'])}: {link['text']}.")
    return "Comparison:\n" + "\n".join(parts)


def _basket(d: dict[str, Any]) -> str:
    if not d.get("basket"):
        return "Your basket is empty."
    money = money_of(d)
    lines = [f"- {x['quantity']} × {x['title']} ({x['product_id']}, {money.format(x['price'])}) = "
             f"{money.format(x['line_total'])}" for x in d["basket"]]
    return "Your basket:\n" + "\n".join(lines) + f"\nTotal: {money.format(d['total'])} for {d['items']} item(s)."


def _added(r: ToolResult) -> str:
    a = r.data["added"]
    return (f"Added {a['quantity']} × {a['title']} ({a['product_id']}, {r.money.format(a.get('price'))} each).\n"
            + _basket(r.data))


def _removed(r: ToolResult) -> str:
    x = r.data["removed"]
    return f"Removed {x['quantity']} × {x['title']} ({x['product_id']}).\n" + _basket(r.data)


def _why(r: ToolResult) -> str:
    p, evidence = r.data["product"], r.data.get("evidence") or []
    head = f"{p['title']} ({p['product_id']}, {r.money.format(p.get('price'))}) was number {r.data['position']} in the list"
    if not evidence:
        return head + "; it had no further evidence than being a good match."
    return head + " because:\n" + "\n".join(f"- {e['text']}" for e in evidence)


def _history(r: ToolResult) -> str:
    d = r.data
    lines = [f"- {p['title']} ({p['product_id']}) in {p['orders_with_it']} order(s)" for p in d["products"]]
    when = f", the last on {d['last_order'][:10]}" if d.get("last_order") else ""
    text = f"Customer {d['customer_id']} has {d['orders']} order(s){when}. Bought most often:\n" + "\n".join(lines)
    last = d.get("last_order_products") or []
    if last:
        text += "\nIn the last order: " + "; ".join(f"{p['title']} ({p['product_id']})" for p in last) + "."
    return text


def _for_customer(r: ToolResult) -> str:
    d = r.data
    return _listing(f"Recommended for customer {d['customer_id']} from their {d['orders']} order(s)", d)


def _error(r: ToolResult) -> str:
    if r.data.get("refused"):
        return "I haven't changed your basket: say so if you'd like me to add or remove something."
    return f"I couldn't do that ({r.name.replace('_', ' ')}): {r.data['error']}."


WRITERS = {
    "search_products": _search, "bought_together": _together, "similar_items": _similar,
    "product_details": _details, "compare_products": _compare, "add_to_basket": _added,
    "show_basket": lambda r: _basket(r.data), "customer_history": _history, "remove_from_basket": _removed,
    "why_recommended": _why, "customer_recommendations": _for_customer,
}

SLOW = ("Sorry, I'm taking too long to answer right now. Please try again in a moment, or ask "
        "for something specific: a product and, if you like, a price limit.")
UNAVAILABLE = ("Sorry, I can't answer right now: the assistant's language model is not responding. "
               "Please try again in a moment.")

FALLBACK = ("I can only talk about products I have looked up. Tell me what you are looking for "
            "(a product and, if you like, a price limit) and I will search the catalogue.")


def compose(results: list[ToolResult]) -> str:
    """One answer covering every tool result, in call order; repeated calls are said once."""
    parts, seen = [], set()
    for r in results:
        key = (r.name, repr(sorted(r.args.items())))
        if key in seen:
            continue
        seen.add(key)
        if "error" in r.data:
            parts.append(_error(r))
        else:
            parts.append(WRITERS.get(r.name, lambda _: "")(r))
    return "\n\n".join(p for p in parts if p) or FALLBACK
