"""Checking an answer against the evidence: no product, price or percentage from nowhere.

The ledger holds what tools returned in this session: product ids with their titles, and
every number in the tool output (prices, totals, confidences, counts) plus every percentage
written in an evidence text. An answer passes when each product id or catalogue title it
names is in the ledger, each £ amount equals a ledger number, and each percentage equals a
ledger percentage (or a ledger fraction, rounded).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

_PRICE = re.compile(r"£\s?(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s?%")
_TOKEN = re.compile(r"\b[0-9A-Z][0-9A-Za-z]{3,11}\b")
_ID_LIKE = re.compile(r"^\d{5}[A-Za-z]{0,3}$")  # the shape of a retail stock code


@dataclass
class Ledger:
    products: dict[str, str] = field(default_factory=dict)  # id -> title
    numbers: set[float] = field(default_factory=set)
    percents: set[float] = field(default_factory=set)
    quotes: list[str] = field(default_factory=list)  # catalogue descriptions: quoted, not claimed
    tokens: set[str] = field(default_factory=set)  # other id-shaped strings returned (customer ids)

    def add(self, data: Any) -> None:
        """Take in one tool output (any JSON-able structure)."""
        if isinstance(data, Mapping):
            if "product_id" in data and "title" in data:
                self.products[str(data["product_id"])] = str(data["title"])
            if isinstance(data.get("description"), str):
                self.quotes.append(data["description"])
            for value in data.values():
                self.add(value)
        elif isinstance(data, list | tuple):
            for value in data:
                self.add(value)
        elif isinstance(data, bool):
            return
        elif isinstance(data, int | float):
            self.numbers.add(round(float(data), 4))
            if 0 <= data <= 1:
                self.percents.add(round(float(data) * 100, 4))
        elif isinstance(data, str):
            if _ID_LIKE.match(data):
                self.tokens.add(data)
            self.percents.update(float(p) for p in _PERCENT.findall(data))
            self.numbers.update(float(p.replace(",", "")) for p in _PRICE.findall(data))

    def extend(self, items: Iterable[Any]) -> Ledger:
        for item in items:
            self.add(item)
        return self


@dataclass
class Verdict:
    problems: list[str]
    action: str = "none"  # "none" | "regenerated" | "repaired"

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "problems": list(self.problems), "action": self.action}


class Grounding:
    """Checks answers against a ledger, knowing the catalogue's ids and titles."""

    def __init__(self, titles: Mapping[str, str]) -> None:
        self.ids = set(titles)
        # Titles of two or more words only: a one-word title ("BAG") is a common word too.
        self.titles = {t.lower(): pid for pid, t in titles.items() if len(t.split()) >= 2 and len(t) >= 8}

    def check(self, answer: str, ledger: Ledger) -> list[str]:
        problems: list[str] = []
        text = answer
        for quote in ledger.quotes:
            if quote:
                text = text.replace(quote[:300], " ")
        known_titles = {t.lower() for t in ledger.products.values()}
        for token in dict.fromkeys(_TOKEN.findall(text)):
            if token in ledger.products or token in ledger.tokens:
                continue
            if token in self.ids or _ID_LIKE.match(token):
                problems.append(f"product id {token} was not returned by any tool")
        lowered = text.lower()
        for title in sorted(known_titles, key=len, reverse=True):
            lowered = lowered.replace(title, " ")  # a known title may contain an unknown one
        for title, pid in self.titles.items():
            if title in lowered and pid not in ledger.products:
                problems.append(f"product {title.upper()!r} ({pid}) was not returned by any tool")
        for raw in _PRICE.findall(text):
            value = float(raw.replace(",", ""))
            if not any(abs(value - n) < 0.006 for n in ledger.numbers):
                problems.append(f"price £{raw} matches no tool output")
        for raw in _PERCENT.findall(text):
            value = float(raw)
            # "42%" may quote 0.4229 (a confidence) rounded: allow rounding to whole percent.
            if not any(abs(value - p) <= 0.5 + 1e-9 for p in ledger.percents):
                problems.append(f"figure {raw}% matches no tool output")
        return problems
