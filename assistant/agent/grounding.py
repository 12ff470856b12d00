"""Checking an answer against the evidence: no product, price or percentage from nowhere.

The ledger holds what tools returned in this session: product ids with their titles (read
from the typed results), and every number in the tool output (prices, totals, confidences, counts) plus every percentage
written in an evidence text. An answer passes when each product id or catalogue title it
names is in the ledger, each amount written in the shop's currency (symbol, code or word)
equals a ledger number, and each percentage equals a ledger percentage (or a ledger
fraction, rounded). Ids are recognised by the shapes of the catalogue's own ids
(`IdShapes`), so the check holds for any retailer's id scheme.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from retrieval.money import NUMBER, Money, read_number
from retrieval.recommend.question import PLAIN, parse_prices

from ..results import Listed, ToolOutput
from .id_shapes import TOKEN, IdShapes

Result = ToolOutput | Listed  # a tool's result, or a product of the list a session shows

_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s?%")
_NUMBER = re.compile(rf"(?<![\w.,])(?:{NUMBER})(?![\w])")


@dataclass
class Ledger:
    products: dict[str, str] = field(default_factory=dict)  # id -> title
    prices: dict[str, float] = field(default_factory=dict)  # id -> unit price
    numbers: set[float] = field(default_factory=set)
    percents: set[float] = field(default_factory=set)
    quotes: list[str] = field(default_factory=list)  # catalogue descriptions: quoted, not claimed
    tokens: set[str] = field(default_factory=set)  # other id-shaped strings returned (customer ids)
    # Products a list is about ("like X but cheaper"): named beside a price limit they are
    # above by design, so the limit check leaves them out.
    anchors: set[str] = field(default_factory=set)
    # The tools' own sentences, lower-cased: a rule's evidence names the products it was
    # bought with ("bought together with WOODLAND CHARLOTTE BAG + ..."), which no list holds.
    sentences: list[str] = field(default_factory=list)

    def add(self, result: Result) -> None:
        """Take in one tool result (or a product of the list shown): the products it names
        with their titles and prices, the descriptions it quotes, and every figure in the JSON
        a model read of it."""
        for p in result.mentions():
            if p.title is None:
                continue
            self.products[str(p.product_id)] = str(p.title)
            if isinstance(p.price, int | float) and not isinstance(p.price, bool):
                self.prices[str(p.product_id)] = float(p.price)
            description = getattr(p, "description", None)
            if isinstance(description, str):
                self.quotes.append(description)
            self.sentences.extend(e.text.lower() for e in getattr(p, "evidence", ()) if e.text)
        anchor = getattr(result, "anchor", None)
        for ref in [*getattr(result, "anchors", ()), *([anchor] if anchor is not None else [])]:
            self.anchors.add(str(ref.product_id))
        self._figures(result.to_json())

    def _figures(self, data: Any) -> None:
        """Numbers, percentages and id-shaped strings anywhere in a JSON value."""
        if isinstance(data, Mapping):
            for value in data.values():
                self._figures(value)
        elif isinstance(data, list | tuple):
            for value in data:
                self._figures(value)
        elif isinstance(data, bool):
            return
        elif isinstance(data, int | float):
            self.numbers.add(round(float(data), 4))
            if 0 <= data <= 1:
                self.percents.add(round(float(data) * 100, 4))
        elif isinstance(data, str):
            if len(data) <= 40 and not any(c.isspace() for c in data):
                self.tokens.add(data)  # ids the tools returned that are not products (customers)
            self.percents.update(float(p) for p in _PERCENT.findall(data))
            # Figures written in tool text ("widened the price range to $2.50") may be quoted.
            self.numbers.update(round(read_number(n), 4) for n in _NUMBER.findall(data))

    def extend(self, items: Iterable[Result]) -> Ledger:
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


# Tool internals a shopper must never see: call JSON, tool and argument talk.
_RAW_CALL = re.compile(r'"(?:name|arguments|tool|function|parameters)"\s*:|</?tool_call>|```json|\{\{\s*"', re.I)
_INTERNALS = re.compile(r"\b(?:function call|tool call|tool output|session[_ ](?:context|state)|the \w+ (?:function|tool)\b"
                        r"|(?:the|a|this|that) tools?\b"
                        r"|with the following (?:arguments|parameters))", re.I)
_QUOTED = re.compile("\u201c[^\u201d]*\u201d")
_NAMED_ID = re.compile(r"([^\n()]{0,120})\(\s*([0-9A-Za-z][\w.-]*)\s*[,)]")


class Grounding:
    """Checks answers against a ledger, knowing the catalogue's ids and titles."""

    def __init__(self, titles: Mapping[str, str], tool_names: Iterable[str] = (), money: Money = PLAIN) -> None:
        self.tool_names = tuple(tool_names)
        self.ids = set(titles)
        self.shapes = IdShapes.learn(self.ids)
        self.money = money
        # "LUNCH BAG RED (20725, $1.65": a product id with the price written beside it.
        self._id_price = re.compile(
            rf"\(\s*([0-9A-Za-z][\w.-]*)\s*,\s*(?:{money.before}\s?({NUMBER})|({NUMBER})\s?{money.after})", re.I)
        # Titles of two or more words only: a one-word title ("BAG") is a common word too.
        self.titles = {t.lower(): pid for pid, t in titles.items() if len(t.split()) >= 2 and len(t) >= 8}

    def check(self, answer: str, ledger: Ledger) -> list[str]:
        problems: list[str] = []
        text = answer
        for quote in ledger.quotes:
            if quote:
                text = text.replace(quote[:300], " ")
        known_titles = {t.lower() for t in ledger.products.values()}
        # One pass over the answer's tokens: a catalogue id, or anything shaped like one.
        tokens = dict.fromkeys(t for t in TOKEN.findall(text) if t in self.ids or self.shapes.matches(t))
        for token in tokens:
            if token in ledger.products or token in ledger.tokens:
                continue
            if token.isdigit() and float(token) in ledger.numbers:
                continue  # a count the tools gave ("in 12345 baskets"), shaped like an id
            problems.append(f"product id {token} was not returned by any tool")
        lowered = text.lower()
        for title in sorted(known_titles, key=len, reverse=True):
            lowered = lowered.replace(title, " ")  # a known title may contain an unknown one
        for title, pid in self.titles.items():
            if title in lowered and pid not in ledger.products and not any(title in s for s in ledger.sentences):
                problems.append(f"product {title.upper()!r} ({pid}) was not returned by any tool")
        problems += self._internals(text)
        problems += self._claims(text, ledger)
        for amount in self.money.find(text):
            if not any(abs(amount.value - n) < 0.006 for n in ledger.numbers):
                problems.append(f"price {amount.raw} matches no tool output")
        for raw in _PERCENT.findall(text):
            value = float(raw)
            # "42%" may quote 0.4229 (a confidence) rounded: allow rounding to whole percent.
            if not any(abs(value - p) <= 0.5 + 1e-9 for p in ledger.percents):
                problems.append(f"figure {raw}% matches no tool output")
        return problems

    def _internals(self, text: str) -> list[str]:
        text = _QUOTED.sub(" ", text)  # the shopper's own words, quoted back, may say "tool"
        out = []
        if _RAW_CALL.search(text):
            out.append("the answer holds raw tool-call JSON")
        named = [n for n in self.tool_names if n in text]
        if named:
            out.append(f"the answer names tools ({', '.join(named)})")
        elif _INTERNALS.search(text):
            out.append("the answer talks about tool internals")
        return out

    def _claims(self, text: str, ledger: Ledger) -> list[str]:
        """Claims that contradict the evidence: a price written beside the wrong product, a
        product named with another product's title, a list said to be under X that is not."""
        out = []
        money = self.money
        for m in self._id_price.finditer(text):
            pid, raw = m.group(1), m.group(2) or m.group(3)
            known = ledger.prices.get(pid)
            if known is not None and abs(known - money.value(raw, m.group(0))) >= 0.006:
                out.append(f"{pid} is priced {m.group(0).split(',', 1)[1].strip()} in the answer but "
                           f"{money.format(known)} in the tool output")
        titles = {pid: t.lower() for pid, t in ledger.products.items() if len(t.split()) >= 2}
        for before, pid in _NAMED_ID.findall(text):
            own, lowered = titles.get(pid), before.lower()
            if own is None or own in lowered:
                continue
            other = next((t for p, t in titles.items() if p != pid and t in lowered), None)
            if other:
                out.append(f"{pid} is named {other.upper()!r}, another product's title")
        # Only limits written as money ("under $10", "less than 5 dollars"): "at most 1,000 of
        # one product" is a count.
        lo, hi, phrases = parse_prices(text, money)
        if any(not money.mentions_money(p) for p in phrases):
            lo, hi, _ = parse_prices(" ; ".join(p for p in phrases if money.mentions_money(p)), money)
        named = [pid for pid in ledger.prices if pid not in ledger.anchors and re.search(rf"(?<![\w-]){re.escape(pid)}(?![\w-])", text)]
        for pid in named:
            p = ledger.prices[pid]
            if hi is not None and p > hi + 0.005:
                out.append(f"the answer says up to {money.limit(hi)} but {pid} costs {money.format(p)}")
            if lo is not None and p < lo - 0.005:
                out.append(f"the answer says from {money.limit(lo)} but {pid} costs {money.format(p)}")
        return out
