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

# Longest phrases first; each is one the retriever's evidence writes (see ranking/explain.py,
# recommend/sources.py, ease.py, neighbourhood.py). A "you" left over is caught by the tests.
_PHRASES = (
    ("you usually buy", "they usually buy"), ("you have picked", "they have picked"),
    ("you buy", "they buy"), ("you bought", "they bought"), ("your purchases", "their purchases"),
    ("shoppers like you", "shoppers like them"),
)
_PATTERN = re.compile(r"\b(" + "|".join(re.escape(a) for a, _ in _PHRASES) + r")\b", re.I)
_TO = {a: b for a, b in _PHRASES}


def third_person(text: str) -> str:
    """`text` with the shopper's "you" said as "they"."""
    return _PATTERN.sub(lambda m: _TO[m.group(1).lower()], text)


def about_customer(rec: Recommendations) -> Recommendations:
    """Recommendations whose evidence speaks of the customer, for a service agent to read."""
    for c in rec.candidates:
        c.evidence = [replace(e, text=third_person(e.text)) for e in c.evidence]
    return rec
