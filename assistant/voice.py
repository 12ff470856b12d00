"""Evidence said about a customer rather than to them: the service console's voice.

The retriever writes its reasons to the shopper ("you buy this about every 3 weeks"). A
customer-service agent reads the same reasons about the customer on screen, where "you" would
mean the agent, so their views say "they" instead. The figures are untouched: only the
pronouns change, so grounding still finds every number in the tool's result.
"""

from __future__ import annotations

import re
from dataclasses import replace

from retrieval.recommend import Recommendations

# The second person said as the third: English conjugates "they" as it does "you" ("you buy",
# "they buy"), so only the pronouns change; "you" as an object ("shoppers like you") is "them".
# Lower case only: the retriever writes its own words so, while a product title quoted in a
# reason ("bought with I LOVE YOU MUG", "Thank You Cards") keeps its own.
_OBJECT = re.compile(r"\b(like|to|for|with|than) you\b")
_PRONOUNS = re.compile(r"\b(you|your|yours)\b")
_THIRD = {"you": "they", "your": "their", "yours": "theirs"}


def third_person(text: str) -> str:
    """`text` with the shopper's "you" said as "they"."""
    text = _OBJECT.sub(lambda m: f"{m.group(1)} them", text)
    return _PRONOUNS.sub(lambda m: _THIRD[m.group(1)], text)


def about_customer(rec: Recommendations) -> Recommendations:
    """Recommendations whose evidence speaks of the customer, for a service agent to read."""
    for c in rec.candidates:
        c.evidence = [replace(e, text=third_person(e.text)) for e in c.evidence]
    return rec
