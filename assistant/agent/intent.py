"""What the shopper's own words allow: basket changes only when they ask for one.

A model (or text planted in a product) can ask for any tool; a tool that changes the basket
runs only when the shopper's message for this turn asks to add or remove something. That is
checked here, on the shopper's words, in code: a prompt alone does not hold a small model back.
"""

from __future__ import annotations

import re

MAX_QUANTITY = 1000  # one product's quantity per change; the HTTP basket endpoint has the same cap

_ADD = re.compile(
    r"\b(?:add|put|place|pop|throw|stick|include)\b"
    r"|\bi(?:'| a)?ll take\b|\bi will take\b"
    r"|\b(?:buy|order|get me|grab)\s+(?:it|this|that|them|those|these|one|two|three|\d+|the\s+\w+(?:\s+one)?)\b",
    re.I,
)
_REMOVE = re.compile(
    r"\b(?:remove|delete|drop|discard|get rid of|take\b[^.?!]{0,60}?\b(?:out|off|away)|"
    r"don'?t want\b[^.?!]{0,40}?\banymore)\b",
    re.I,
)
# Words that talk about adding without asking for it ("what should I add?", "does it add up").
_NOT_ASKING = re.compile(r"^\s*(?:what|which|how|should i|do i need to)\b[^.?!]*\badd\b", re.I)


def asks_to_add(message: str) -> bool:
    return bool(_ADD.search(message)) and not _NOT_ASKING.match(message)


def asks_to_remove(message: str) -> bool:
    return bool(_REMOVE.search(message))


_BASKET = re.compile(r"\b(?:basket|cart)\b", re.I)
_ADD_ONS = re.compile(r"\b(?:goes?|go|pair|complete|recommend|suggest|else|missing|add-ons?|with)\b", re.I)


def mentions_basket(message: str) -> bool:
    return bool(_BASKET.search(message))


def asks_for_basket_add_ons(message: str) -> bool:
    """"What goes with my basket?", "anything else I should get with what's in my cart?":
    the basket's add-ons (a question about the basket, not a change to it)."""
    return (bool(_BASKET.search(message) and _ADD_ONS.search(message))
            and not asks_to_add(message) and not asks_to_remove(message))


# "and 2 of 22423", "also the red one": more of what the shopper asked for last turn.
MORE = re.compile(r"^\s*(?:and|also|plus|oh and)\b|^\s*(?:\d+|one|two|three|four|five)\s+(?:more|of)\b", re.I)
# "cheaper", "too dear" with no product or amount after it: below the list shown.
CHEAPER = re.compile(r"\b(?:cheaper|less expensive|lower price|too expensive|too dear)\b(?!\s+than)", re.I)


def allows(tool: str, message: str, last_action: str | None = None) -> bool:
    """Whether the shopper's message allows this tool to change the basket. Right after an
    add, "and 2 of X" continues it."""
    if tool == "add_to_basket":
        return asks_to_add(message) or (last_action == "add_to_basket" and bool(MORE.search(message)))
    if tool == "remove_from_basket":
        return asks_to_remove(message)
    return True


def refusal(tool: str) -> str:
    what = "add to" if tool == "add_to_basket" else "remove from"
    return (f"not done: the shopper did not ask to {what} the basket in this message. Basket changes "
            "happen only when the shopper asks for them; answer the question instead.")
