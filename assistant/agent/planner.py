"""The offline planner: a deterministic chat model that needs no weights.

It speaks the same protocol as a real tool-calling model, so it runs through the same loop:
given a conversation whose last message is the shopper's, it decides the intent by rules and
answers with tool calls; given tool output after that message, it writes the answer from it
(see `writer.compose`). It reads only the shopper's words and the session context; tool
output is never read for instructions, so text planted in a product cannot steer it.
"""

from __future__ import annotations

import re
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import Field

from retrieval.recommend.question import parse_prices

from .prompts import CONTEXT_OPEN, unfence
from .writer import FALLBACK, ToolResult, compose

_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
             "fifth": 5, "5th": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10}
_ORDINAL = re.compile(r"\b(first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th|sixth|seventh|eighth|ninth|tenth|last)\b"
                      r"|(?:number|no\.?|#)\s*(\d+)", re.I)
_PRONOUN = re.compile(r"^(?:it|this|that|this one|that one|them|those|these)$", re.I)
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "ten": 10, "a dozen": 12, "dozen": 12}
_QTY = re.compile(r"\b(?:add|put|buy)\s+(\d+|one|two|three|four|five|six|ten|a dozen)\b(?:\s*(?:x|×|of))?"
                  r"|\b(?:x|×)\s*(\d+)\b|\bquantity\s*(\d+)\b")
_FILLER = re.compile(r"\b(?:please|thanks|to (?:my|the) (?:basket|cart)|in(?:to)? (?:my|the) (?:basket|cart)|"
                     r"for me|can you|could you|i'd like|i want|show me|the price of)\b", re.I)
_GREETING = re.compile(r"^\s*(?:hi|hello|hey|thanks|thank you|good (?:morning|evening))\b[\s!.]*$", re.I)


def _clean(phrase: str) -> str:
    phrase = _FILLER.sub(" ", phrase)
    phrase = re.sub(r"^\s*(?:the|a|an|some|me)\s+", "", phrase.strip(" ?!.,"), flags=re.I)
    return " ".join(phrase.split()).strip(" ?!.,")


class Intent:
    """Rules over the shopper's words: which tools to call, with which arguments."""

    def __init__(self, text: str, context: dict[str, Any], tools: list[str]) -> None:
        self.raw, self.text = text, " ".join(text.split())  # case kept: ids and titles pass through
        self.context, self.tools = context, tools
        self.shown = context.get("shown") or []

    def refs(self) -> list[str]:
        """Product ids the shopper points at by position ("the second one", "the last")."""
        out = []
        for m in _ORDINAL.finditer(self.text):
            word = (m.group(1) or "").lower()
            n = len(self.shown) if word == "last" else _ORDINALS.get(word, 0) or int(m.group(2) or 0)
            if 1 <= n <= len(self.shown):
                out.append(self.shown[n - 1]["product_id"])
        return out

    def target(self, after: str | None) -> str | None:
        """The one product the shopper means: a position, a pronoun, or the words after a keyword."""
        refs = self.refs()
        if refs:
            return refs[0]
        if _ORDINAL.search(self.text):
            return None  # "the second one" with no list shown: nothing to point at, never a guess
        phrase = ""
        if after:
            m = re.search(after, self.text, re.I)
            phrase = _clean(self.text[m.end():]) if m else ""
        if not phrase or _PRONOUN.match(phrase):
            # "it", "that one", or nothing: the product last singled out, else the top of the list.
            anchor = self.context.get("focus") or (self.shown[0] if self.shown else None)
            return anchor["product_id"] if anchor else None
        return phrase

    def quantity(self) -> int:
        m = _QTY.search(self.text.lower())
        if not m:
            return 1
        raw = next(g for g in m.groups() if g)
        return _NUMBERS.get(raw, int(raw) if raw.isdigit() else 1)

    def has(self, pattern: str) -> bool:
        return re.search(pattern, self.text, re.I) is not None

    def calls(self) -> list[tuple[str, dict[str, Any]]]:
        t = self.text
        if _GREETING.match(t) or not t:
            return []
        history = r"\b(?:history|past orders|previous orders|what did (?:i|they|he|she|the customer) buy)\b"
        if self.has(history) and "customer_history" in self.tools and self.context.get("customer_id"):
            return [("customer_history", {"customer_id": self.context["customer_id"]})]
        basket = self.has(r"\b(?:basket|cart)\b")
        if self.has(r"\b(?:add|put)\b"):
            qty = self.quantity()
            # A quantity only as a whole word, so "add 85123A" keeps its id and "add xmas
            # lights" its first letter.
            after = r"\b(?:add|put)\s+(?:(?:\d+|one|two|three|four|five|six|ten|a dozen)\b\s*(?:(?:x|×|of)\b)?)?\s*"
            target = self.target(after)
            return [("add_to_basket", {"product_id": target, "quantity": qty})] if target else []
        if basket and self.has(r"\b(?:goes?|go|pair|complete|recommend|suggest|else|missing|add-ons?|with)\b"):
            return [("bought_together", {"product_ids": ["basket"]})]
        if basket:
            return [("show_basket", {})]
        if self.has(r"\b(?:compare|versus|vs\.?|difference between)\b"):
            ids = self.refs()
            if len(ids) < 2:
                m = re.search(r"\b(?:compare|difference between)\s+(.+)", t, re.I) or re.search(r"(.+)", t)
                parts = re.split(r"\s+(?:and|with|vs\.?|versus|to)\s+|,", m.group(1), flags=re.I)
                ids = [p for p in (_clean(x) for x in parts) if p and not _ORDINAL.search(p)] or ids
                ids = self.refs() + [p for p in ids if p not in self.refs()]
            return [("compare_products", {"product_ids": ids[:4]})]
        if self.has(r"\b(?:goes?|go|goes well|pairs?) with\b|\bbought with\b|\bto go with\b"):
            target = self.target(r"\bwith\s+")
            return [("bought_together", {"product_ids": [target]})] if target else []
        if self.has(r"\b(?:more like|similar|something like|alternatives?|instead of|like (?:that|this|it))\b"):
            target = self.target(r"\b(?:more like|similar to|something like|alternatives? to|instead of|like)\s*")
            return [("similar_items", {"product_id": target})] if target else []
        if self.has(r"\b(?:details?|tell me (?:more )?about|more about|what is|describe|info(?:rmation)? (?:on|about))\b") or (
                self.refs() and len(t.split()) <= 4):
            target = self.target(r"\b(?:details? (?:of|for|about|on)|details|tell me (?:more )?about|more about|what is|describe|info(?:rmation)? (?:on|about))\s*")
            return [("product_details", {"product_id": target})] if target else []
        last = self.context.get("last_search") or {}
        if self.has(r"\b(?:cheaper|less expensive|lower price|too expensive|too dear)\b(?!\s+than)") and last:
            prices = [p["price"] for p in self.shown if p.get("price") is not None]
            args = dict(last)
            if prices:
                args["max_price"] = round(min(prices) - 0.01, 2)
            args["exclude"] = [p["product_id"] for p in self.shown]
            return [("search_products", args)]
        lo, hi, _ = parse_prices(self.raw)
        args = {"question": self.raw}
        if lo is not None:
            args["min_price"] = lo
        if hi is not None:
            args["max_price"] = hi
        return [("search_products", args)]


def _context(messages: list[BaseMessage]) -> dict[str, Any]:
    for m in messages:
        if isinstance(m, SystemMessage) and CONTEXT_OPEN in str(m.content):
            return unfence(str(m.content)) or {}
    return {}


def tool_results(messages: list[BaseMessage]) -> list[ToolResult]:
    """The tool outputs after the shopper's last message, paired with the calls that asked for them."""
    start = max((i for i, m in enumerate(messages) if isinstance(m, HumanMessage)), default=-1)
    asked: dict[str, dict[str, Any]] = {}
    out = []
    for m in messages[start + 1:]:
        if isinstance(m, AIMessage):
            asked.update({c["id"]: c for c in m.tool_calls})
        elif isinstance(m, ToolMessage):
            call = asked.get(m.tool_call_id, {})
            data = unfence(str(m.content)) or {"error": "unreadable tool output"}
            out.append(ToolResult(m.name or call.get("name", ""), call.get("args", {}), data, m.tool_call_id))
    return out


class OfflinePlanner(BaseChatModel):
    """Rule-based tool-calling chat model; `bind_tools` returns a copy that knows the tool names."""

    tool_names: list[str] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "shopassist-offline-planner"

    def bind_tools(self, tools, *, tool_choice=None, **kwargs):  # noqa: ANN001 - LangChain's signature
        names = [getattr(t, "name", None) or t.get("function", t).get("name") for t in tools]
        return self.model_copy(update={"tool_names": names})

    def _generate(self, messages, stop=None, run_manager=None, **kwargs) -> ChatResult:  # noqa: ANN001
        return ChatResult(generations=[ChatGeneration(message=self.respond(list(messages)))])

    def respond(self, messages: list[BaseMessage]) -> AIMessage:
        results = tool_results(messages)
        if results:
            return AIMessage(content=compose(results))
        human = next((m for m in reversed(messages) if isinstance(m, HumanMessage)), None)
        if human is None or not self.tool_names:
            return AIMessage(content=FALLBACK)
        calls = Intent(str(human.content), _context(messages), self.tool_names).calls()
        calls = [(n, a) for n, a in calls if n in self.tool_names]
        if not calls:
            return AIMessage(content="Hello! " + FALLBACK if _GREETING.match(str(human.content)) else FALLBACK)
        turn = sum(isinstance(m, AIMessage) for m in messages)
        return AIMessage(content="", tool_calls=[
            {"name": n, "args": a, "id": f"call_{turn}_{i}", "type": "tool_call"} for i, (n, a) in enumerate(calls)])
