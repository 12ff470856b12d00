"""Per-conversation memory: the turns, the basket, and what was last shown.

A session is the only state the agent keeps between messages. It is a plain dataclass so it
saves to JSON and restores exactly; sessions never share objects (each gets its own basket
and lists), and the turn log is bounded so a long chat cannot grow without limit. Where
sessions are kept between messages (a database) is `session_store`.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from retrieval.storage import write_text_atomic

from .views import Listed

MAX_TURNS = 20


@dataclass
class Turn:
    """One message: who said it, the text, and (for the assistant) the tools it called."""

    role: str  # "user" | "assistant"
    text: str
    tool_calls: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Session:
    session_id: str
    customer_id: str | None = None
    turns: list[Turn] = field(default_factory=list)
    basket: dict[str, int] = field(default_factory=dict)  # product_id -> quantity
    # The last product list shown, in order, with its evidence, so "the second one",
    # "cheaper", "more like that" and "why that one?" can be resolved.
    shown: list[Listed] = field(default_factory=list)
    last_search: dict[str, Any] = field(default_factory=dict)  # arguments of the last search
    focus: dict[str, Any] | None = None  # the product last singled out ("it", "that one")
    # Every product a tool returned in this session (id -> title); what an answer may name.
    known: dict[str, str] = field(default_factory=dict)
    max_turns: int = MAX_TURNS

    def add_turn(self, role: str, text: str, tool_calls: list[dict[str, Any]] | None = None) -> None:
        self.turns.append(Turn(role, text, list(tool_calls or [])))
        if len(self.turns) > self.max_turns:
            del self.turns[: len(self.turns) - self.max_turns]

    def add_to_basket(self, product_id: str, quantity: int = 1) -> int:
        self.basket[product_id] = self.basket.get(product_id, 0) + quantity
        if self.basket[product_id] <= 0:
            del self.basket[product_id]
            return 0
        return self.basket[product_id]

    def context(self) -> dict[str, Any]:
        """What the model needs to resolve follow-ups: shown list, basket, last search."""
        # Short on purpose (a small model reads ~50 tokens/s): the evidence stays in the
        # session for `why_recommended`; the cheapest and dearest are named, since small
        # models pick the wrong one from a list of prices.
        priced = [(p.price, p) for p in self.shown if p.price is not None]
        return {
            "shown": [{"n": i + 1, "product_id": p.product_id, "title": p.title, "price": p.price}
                      for i, p in enumerate(self.shown)],
            **({"cheapest_shown": min(priced, key=lambda t: t[0])[1].product_id,
                "dearest_shown": max(priced, key=lambda t: t[0])[1].product_id} if priced else {}),
            "basket": [{"product_id": pid, "quantity": q} for pid, q in self.basket.items()],
            "last_search": self.last_search,
            "focus": self.focus,
            "customer_id": self.customer_id,
            "last_action": self.last_action,
        }

    @property
    def last_action(self) -> str | None:
        """The first tool the assistant's previous turn called (what "and 2 of X" continues)."""
        last = next((t for t in reversed(self.turns) if t.role == "assistant"), None)
        return last.tool_calls[0]["name"] if last and last.tool_calls else None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form the session stores keep; the list shown in its results' JSON form."""
        return {**asdict(self), "shown": [p.to_json() for p in self.shown]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Session:
        data = dict(data)
        data["turns"] = [Turn(**t) for t in data.get("turns", [])]
        data["shown"] = [Listed.from_json(p) for p in data.get("shown", [])]
        return cls(**data)

    def save(self, path: str | os.PathLike[str]) -> Path:
        # Atomic: a crash mid-write never leaves half a session behind.
        return write_text_atomic(path, json.dumps(self.to_dict(), indent=1, ensure_ascii=False))

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Session:
        return cls.from_dict(json.loads(Path(path).read_text()))
