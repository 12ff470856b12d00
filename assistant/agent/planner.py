"""The offline planner: a deterministic chat model that needs no weights.

It speaks the same protocol as a real tool-calling model, so it runs through the same loop:
given a conversation whose last message is the shopper's, it decides the intent by rules and
answers with tool calls; given tool output after that message, it writes the answer from it
(see `writer.compose`). It reads only the shopper's words and the session context; tool
output is never read for instructions, so text planted in a product cannot steer it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import Field

from retrieval.money import Money, money_for
from retrieval.recommend.question import parse_prices, parse_question

from ..results import ToolError, ToolOutput
from .intent import CHEAPER, MORE, allows, asks_for_basket_add_ons, asks_to_add, asks_to_remove
from .prompts import CONTEXT_OPEN, unfence
from .writer import FALLBACK, ToolResult, compose

_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
             "fifth": 5, "5th": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10}
_ORDINAL = re.compile(r"\b(first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th|sixth|seventh|eighth|ninth|tenth|last)\b"
                      r"|(?:\bnumber|\bno\.|#)\s*(\d{1,2})\b(?![A-Za-z])", re.I)
# "the cheapest", "the dearest one": a product of the list shown, by price.
_CHEAPEST = re.compile(r"\b(?:cheapest|least expensive|lowest[- ]priced|lowest price)\b", re.I)
_DEAREST = re.compile(r"\b(?:dearest|most expensive|priciest|highest[- ]priced|highest price)\b", re.I)
_PRONOUN = re.compile(r"^(?:it|this|that|this one|that one|them|those|these|one)$", re.I)
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "ten": 10, "a dozen": 12, "dozen": 12}
_COUNT = r"\d+|one|two|three|four|five|six|ten|a dozen"
# A verb of a basket change, then perhaps a count, then perhaps "x"/"of", then the product.
_CHANGE = re.compile(rf"\b(?P<verb>add|put|buy|remove|delete|drop|take)\s+(?:(?P<n>{_COUNT})\b\s*(?P<of>x\b|×|of\b)?\s*)?(?P<rest>.*)",
                     re.I)
_TIMES = re.compile(r"(?:\b(?:x|×)\s*(\d+)\b|\bquantity\s*(\d+)\b|\b(\d+)\s*(?:x|×)(?=\s|$))", re.I)
_FILLER = re.compile(r"\b(?:please|thanks|(?:to|from|in(?:to)?|out of|off) (?:my|the) (?:basket|cart|order)|"
                     r"for me|can you|could you|i'd like|i want|show me|the price of|again|as well|too|"
                     r"out|off|away|instead)\b", re.I)
_GREETING = re.compile(r"^\s*(?:hi|hello|hey|thanks|thank you|good (?:morning|evening))\b[\s!.]*$", re.I)
# A message that is only an id ("84879?", "sku 84879", "item #85123A").
_LONE_ID = re.compile(r"^\W*(?:(?:product|item|sku|article|code|id)\s*)?#?\s*([A-Za-z0-9-]*\d[A-Za-z0-9-]{2,})\W*$", re.I)
# An id pointed at inside a longer message ("item #84879 - what is it?", "what's 85123a?").
_ID_REF = re.compile(r"(?:\b(?:product|item|sku|article|code|id)\s*#?|#)\s*([A-Za-z0-9-]*\d[A-Za-z0-9-]{2,})\b", re.I)
_ID_SHAPED = re.compile(r"\b(?=[A-Za-z0-9-]*\d{3})[A-Za-z0-9-]{4,}\b")
_CUSTOMER = re.compile(r"\bcustomer\s*(?:id\s*)?#?\s*([A-Za-z]{0,4}-?\d{3,})\b", re.I)
_THEY = r"(?:they|them|their|he|she|him|her|his|this customer|the customer|that customer|this person)"
# ... and their habits ("what does she usually buy", "what do they buy a lot"): the history
# lists the products they buy most often.
_HISTORY = re.compile(r"\b(?:history|past orders|previous orders|orders|what did|bought|purchased|ordered|"
                      r"last (?:order|purchase)|buy (?:before|last)|"
                      r"(?:usually|normally|always|often|typically) (?:buys?|gets?|orders?)|"
                      r"(?:buys?|gets?|orders?) (?:\w+ )?(?:a lot|often|most|regularly)|"
                      r"regulars|usuals?|favou?rites|staples)\b", re.I)
# How a customer-service agent asks for recommendations about the customer on screen:
# "what would they like", "anything new they might like", "what should she buy next".
_RECOMMEND = re.compile(r"\b(?:recommend|suggest|suggestions?|recommendations?|offer|pitch|upsell|"
                        rf"(?:would|might|could) {_THEY} (?:like|want|need)|"
                        rf"{_THEY} (?:would|might|could|may) (?:like|want|need|enjoy)|interest {_THEY}|"
                        rf"should {_THEY} (?:buy|get|order|try)|{_THEY} (?:has|have)n'?t (?:tried|bought|had)|"
                        r"(?:buy|get|order|need) (?:next|soon)|reorder|re-order|restock|replenish|stock up|"
                        r"(?:buy|get|order|need)\w* (?:\w+ )?again|(?:running|run|ran) (?:low|out))\b", re.I)
# "anything new they might like", "something she hasn't tried": leave out what they own.
_NEW_TO_THEM = re.compile(r"\b(?:new|different|(?:has|have)n'?t (?:bought|tried|had)|not (?:bought|tried)|"
                          r"never (?:bought|tried|had))\b", re.I)
# Buying again, as both of the patterns below read it: "what should I buy again", "time to
# reorder?", "what do I usually get", "my usual stuff", "things I buy a lot", "need to stock up?".
# Frequency words ("most", "a lot") count only after "I"/"we": "what do people buy most" asks
# for best sellers, not for the shopper's own orders.
_BUYING = r"(?:buy|get|order|purchase|grab|pick(?: up)?)"
_AGAIN_WORDS = (r"(?:buy|get|order|need|purchase|grab|pick)\w*(?: up)? (?:\w+ )?again|reorder\w*|restock\w*|"
                r"replenish\w*|stock up|(?:usually|normally|always|often|typically|tend to) " + _BUYING + "|"
                r"(?:i|we) (?:\w+ )?" + _BUYING + r"\w* (?:\w+ )?(?:regularly|often|a lot|most|"
                r"(?:every|each) (?:week|month|time))|(?:buy|get|order)s? regularly|"
                r"due for (?:a )?re-?order|(?:my|the) usuals?|my (?:regulars|favou?rites|staples|go-?tos)|"
                r"(?:i'?ve|i have|have i|i) (?:bought|ordered|purchased|had) before|"
                r"(?:buy|get|order)\w* more of|(?:am i|i'?m|i am) out of")
# The flag for picks only from what the shopper (or the customer) bought before. Read only
# once a request for ideas is recognised, so it may take looser phrasings than that gate.
_AGAIN = re.compile(r"\b(?:" + _AGAIN_WORDS + r"|want\w* (?:\w+ )?again|re-order\w*|"
                    r"(?:buy|get|order)s? (?:every time|each time)|due (?:for|again)|"
                    r"(?:running|run|ran) (?:low|out))\b", re.I)
# The shopper's own orders: "what did I get last time?", "show my past orders", "my order
# history". "My order" alone is not: shoppers say it of the basket ("add it to my order").
_MY_ORDERS = re.compile(r"\b(?:my (?:past |previous |last |recent |old |earlier )?(?:orders|purchases)|"
                        r"my (?:last|previous|most recent|latest) (?:order|purchase|shop)|(?:my )?order history|"
                        r"(?:my )?purchase history|what was in my (?:last|previous) (?:order|basket)|"
                        r"what (?:did|have) i (?:\w+ )?(?:buy|bought|get|got|order|ordered|purchased?)"
                        r"(?! again)(?: (?:last time|before|previously|recently|from you))?\b(?!\s+\w)|"
                        r"(?:last|previous) time i (?:ordered|shopped|bought|was here))", re.I)
# A shopper asking for ideas without naming a product: "recommend something for me", "what
# should I buy?", "any ideas?", "surprise me". With any product word left it is a search.
_FOR_ME = re.compile(r"\b(?:recommend\w*|suggest\w*|ideas?|inspire me|inspiration|surprise me|"
                     r"what (?:else )?(?:should|could|shall|can|do) i (?:buy|get|order|try)|"
                     r"(?:would|might|could|may) i (?:like|enjoy|want|love)|"
                     r"i(?: would| might| could| may|'?d) (?:like|enjoy|want|love)|"
                     r"i (?:have|ha)n'?t (?:tried|bought|had)|i(?:'ve| have) never (?:tried|bought|had)|for me|"
                     # buy again, and what the shopper is about to need ("anything I need soon")
                     + _AGAIN_WORDS + r"|(?:buy|get|order|need) soon|(?:i'?m|am i|i am) due|what'?s due|"
                     r"(?:am i|i'?m|i am) (?:running|run) (?:low|out))\b",
                     re.I)
_GENERIC_WORDS = frozenset(["recommend", "recommends", "recommendation", "recommendations", "suggest",
                            "suggests", "suggestion", "suggestions", "idea", "ideas", "surprise", "inspire",
                            "inspiration", "should", "could", "would", "might", "shall", "do", "got",
                            "think", "else", "buy", "get", "order", "try", "like", "love", "enjoy",
                            "want", "fancy", "good", "nice", "great", "today", "next", "please", "new",
                            "different", "tried", "bought", "had", "before", "never", "haven't", "havent",
                            "i've", "ive", "what's", "whats", "i'd", "id", "u", "again", "soon", "need",
                            "usually", "reorder", "restock", "time",
                            "i'm", "im", "am", "did", "due", "running", "low", "out", "regularly",
                            "last", "may", "normally", "always", "often", "typically", "tend",
                            "grab", "pick", "up", "purchase", "purchased", "ordered", "usual", "usuals",
                            "regulars", "favourites", "favorites", "staples", "stuff", "things", "lot",
                            "most", "more", "every", "each", "week", "month", "stock", "replenish",
                            "remind"])
# "... but cheaper", "only less expensive": a limit on an anchored request, not part of a name.
_BUT_CHEAPER = re.compile(r"\s*(?:,\s*)?\b(?:but|only|just|and)?\s*" + CHEAPER.pattern, re.I)
_WHY = re.compile(r"^\s*(?:and\s+)?(?:why|how come|what makes|what's the reason|reason for)\b", re.I)


def asks_for_own_orders(text: str) -> bool:
    """"What did I get last time?", "my past orders": the shopper's own orders, unless the
    rest asks to buy again ("... anything to reorder?": picks from them)."""
    return bool(_MY_ORDERS.search(text)) and not _AGAIN.search(_MY_ORDERS.sub(" ", text))


def money_of(context: dict[str, Any]) -> Money:
    """The shop's money, as the session state names it."""
    return money_for(context.get("currency"), context.get("locale") or "en")


def _clean(phrase: str) -> str:
    phrase = _FILLER.sub(" ", phrase)
    phrase = re.sub(r"^\s*(?:the|a|an|some|me|of)\s+", "", phrase.strip(" ?!.,"), flags=re.I)
    return " ".join(phrase.split()).strip(" ?!.,")


def own_picks(text: str) -> dict[str, bool]:
    """The recommend tools' flags the words ask for: things new to the shopper, or things to
    buy again ("anything new?" vs "time to reorder?"); neither when they just ask for ideas."""
    if _NEW_TO_THEM.search(text):
        return {"new_only": True}
    return {"bought_before": True} if _AGAIN.search(text) else {}


class Intent:
    """Rules over the shopper's words: which tools to call, with which arguments."""

    def __init__(self, text: str, context: dict[str, Any], tools: list[str]) -> None:
        self.raw, self.text = text, " ".join(text.split())  # case kept: ids and titles pass through
        self.context, self.tools = context, tools
        self.shown = context.get("shown") or []
        self.money = money_of(context)  # the session state names the shop's currency

    def refs(self) -> list[str]:
        """Product ids the shopper points at in the list shown: by position ("the second one",
        "the last") or by price ("the cheapest", "the dearest")."""
        out = []
        for m in _ORDINAL.finditer(self.text):
            word = (m.group(1) or "").lower()
            n = len(self.shown) if word == "last" else _ORDINALS.get(word, 0) or int(m.group(2) or 0)
            if 1 <= n <= len(self.shown):
                out.append(self.shown[n - 1]["product_id"])
        priced = [p for p in self.shown if p.get("price") is not None]
        if not self._only_pointing():
            return list(dict.fromkeys(out))  # "the cheapest teapot" is a new search, not the list
        if priced and _CHEAPEST.search(self.text):
            out.append(min(priced, key=lambda p: p["price"])["product_id"])
        if priced and _DEAREST.search(self.text):
            out.append(max(priced, key=lambda p: p["price"])["product_id"])
        return list(dict.fromkeys(out))

    def points_at_list(self) -> bool:
        return bool(_ORDINAL.search(self.text) or _CHEAPEST.search(self.text) or _DEAREST.search(self.text))

    def anchor(self) -> str | None:
        """What "it" means: the product last singled out, else the top of the list shown."""
        anchor = self.context.get("focus") or (self.shown[0] if self.shown else None)
        return anchor["product_id"] if anchor else None

    def target(self, after: str | None) -> str | None:
        """The one product the shopper means: a position, a pronoun, or the words after a keyword."""
        refs = self.refs()
        if refs:
            return refs[0]
        if self.points_at_list():
            return None  # "the second one" with no list shown: nothing to point at, never a guess
        phrase = ""
        if after:
            m = re.search(after, self.text, re.I)
            phrase = _clean(self.text[m.end():]) if m else ""
        if not phrase or _PRONOUN.match(phrase):
            return self.anchor()
        return phrase

    def change(self) -> tuple[str | None, int | None]:
        """The product and count of a basket change. A bare number right after the verb is
        the product ("add 22423 to my basket"); followed by a product it is the count."""
        m = _CHANGE.search(self.text)
        if not m:
            return None, None
        raw, rest = m.group("n"), _clean(m.group("rest"))
        times = _TIMES.search(rest)
        qty = None
        if times:
            qty = int(next(g for g in times.groups() if g))
            rest = _clean(_TIMES.sub(" ", rest))
        if raw and raw.isdigit() and len(raw) >= 4 and not m.group("of") and not rest:
            return raw, qty  # the number is the product: ids are long, counts short
        if raw:
            qty = _NUMBERS.get(raw.lower(), int(raw) if raw.isdigit() else 1)
        refs = self.refs()
        if refs:
            return refs[0], qty
        if self.points_at_list():
            return None, qty
        if not rest or _PRONOUN.match(rest):
            return self.anchor(), qty
        return rest, qty

    def more(self) -> tuple[str | None, int | None]:
        """The product and count of "and 2 of 22423" after an add: the verb is the last turn's."""
        return Intent("add " + MORE.sub("", self.text, count=1).strip(), self.context, self.tools).change()

    def without(self, pattern: re.Pattern[str]) -> Intent:
        """The same request with the words `pattern` matches cut out."""
        return Intent(pattern.sub(" ", self.raw), self.context, self.tools)

    def has(self, pattern: str) -> bool:
        return re.search(pattern, self.text, re.I) is not None

    def customer(self) -> str | None:
        """A customer named in the message, else the one selected, when a pronoun points at them."""
        named = _CUSTOMER.search(self.text)
        return named.group(1) if named else self.context.get("customer_id")

    def service_calls(self) -> list[tuple[str, dict[str, Any]]]:
        if "customer_history" not in self.tools:
            return []
        named = _CUSTOMER.search(self.text)
        about = named or self.has(rf"\b{_THEY}\b")
        cid = self.customer()
        if not cid or not about:
            return []
        if _RECOMMEND.search(self.text):
            return [("customer_recommendations", {"customer_id": cid, **own_picks(self.text)})]
        if _HISTORY.search(self.text) or named:
            return [("customer_history", {"customer_id": cid})]
        return []

    def calls(self) -> list[tuple[str, dict[str, Any]]]:
        t = self.text
        if _GREETING.match(t) or not t:
            return []
        service = self.service_calls()
        if service:
            return service
        basket = self.has(r"\b(?:basket|cart)\b")
        if asks_to_remove(t):
            target, qty = self.change()
            if target is None and not self.points_at_list():
                items = self.context.get("basket") or []
                target = items[0]["product_id"] if len(items) == 1 else None
            args: dict[str, Any] = {"product_id": target} | ({"quantity": qty} if qty else {})
            return [("remove_from_basket", args)] if target else []
        # The gate's own rule for "and 2 of X" (intent.allows), so the planner never proposes
        # an add the gate would refuse.
        adding_more = allows("add_to_basket", t, self.context.get("last_action")) and not asks_to_add(t)
        if asks_to_add(t) or adding_more:
            target, qty = self.change() if asks_to_add(t) else self.more()
            return [("add_to_basket", {"product_id": target, "quantity": qty or 1})] if target else []
        if asks_for_basket_add_ons(t):
            return [("bought_together", {"product_ids": ["basket"]})]
        # Before the basket: "what was in my last basket" is a past order, not today's.
        if "my_orders" in self.tools and asks_for_own_orders(t):
            return [("my_orders", {})]
        if basket:
            return [("show_basket", {})]
        if "recommend_for_me" in self.tools and self.asks_for_ideas():
            return [("recommend_for_me", own_picks(t))]
        if _WHY.search(t) and (self.shown or self.context.get("focus")):
            target = self.target(r"\b(?:why|how come)\b(?:\s+(?:is|was|did you (?:suggest|recommend|pick)|the))*\s*")
            return [("why_recommended", {"product_id": target})] if target else []
        if self.has(r"\b(?:compare|versus|vs\.?|difference between)\b"):
            ids = self.refs()
            if len(ids) < 2:
                m = re.search(r"\b(?:compare|difference between)\s+(.+)", t, re.I) or re.search(r"(.+)", t)
                assert m is not None  # t holds "compare" or the like: (.+) matches
                parts = re.split(r"\s+(?:and|with|vs\.?|versus|to)\s+|,", m.group(1), flags=re.I)
                ids = [p for p in (_clean(x) for x in parts) if p and not _ORDINAL.search(p)] or ids
                ids = self.refs() + [p for p in ids if p not in self.refs()]
            return [("compare_products", {"product_ids": ids[:4]})]
        # "what goes (nicely) with X", "whats good with X", "pairs with X", "bought with X"
        if self.has(r"\b(?:goes?|go|pairs?)(?: (?:well|nicely|great))? with\b|\bwhat(?:'?s| is) good with\b"
                    r"|\bbought with\b|\bto go with\b"):
            target = self.target(r"\bwith\s+")
            return [("bought_together", {"product_ids": [target]})] if target else []
        if self.has(r"\b(?:more like|similar|(?:some|any)thing like|alternatives?|instead of|like (?:that|this|it))\b"):
            # "anything like X but cheaper": the cheaper clause is a price limit (the toolbox
            # sets it below X's price), not words of the product's name.
            target = self.without(_BUT_CHEAPER).target(
                r"\b(?:more like|similar to|(?:some|any)thing like|alternatives? to|instead of|like)\s*")
            return [("similar_items", {"product_id": target})] if target else []
        lone = _LONE_ID.match(t) or _ID_REF.search(t)
        if not lone and len(t.split()) <= 5 and self.has(r"\b(?:what'?s|what is|show|see|about|info|details)\b"):
            lone = _ID_SHAPED.search(t)
        if lone and not parse_prices(t, self.money)[2]:
            return [("product_details", {"product_id": lone.group(1) if lone.groups() else lone.group(0)})]
        last = self.context.get("last_search") or {}
        if CHEAPER.search(t) and last:
            prices = [p["price"] for p in self.shown if p.get("price") is not None]
            args = dict(last)
            if prices:
                args["max_price"] = round(min(prices) - 0.01, 2)
            args["exclude"] = [p["product_id"] for p in self.shown]
            return [("search_products", args)]
        details = (r"\b(?:details?|tell me (?:more )?about|more about|what is|describe|"
                   r"info(?:rmation)? (?:on|about)|any good|how much (?:is|are|does))\b")
        if self.has(details) or (self.refs() and self._only_pointing()):
            target = self.target(r"\b(?:details? (?:of|for|about|on)|details|tell me (?:more )?about|more about|"
                                 r"what is|describe|info(?:rmation)? (?:on|about)|how much (?:is|are|does))\s*")
            return [("product_details", {"product_id": target})] if target else []
        lo, hi, _ = parse_prices(self.raw, self.money)
        args = {"question": self.raw}
        if lo is not None:
            args["min_price"] = lo
        if hi is not None:
            args["max_price"] = hi
        return [("search_products", args)]

    def asks_for_ideas(self) -> bool:
        """Suggestions asked for with no product named ("what should I buy?")."""
        if not _FOR_ME.search(self.text) or parse_prices(self.raw, self.money)[2]:
            return False
        return all(w in _GENERIC_WORDS for w in parse_question(self.raw, self.money).words)

    def _only_pointing(self) -> bool:
        """The message is about the list shown and names nothing new ("which is the cheapest?")."""
        rest = _ORDINAL.sub(" ", _CHEAPEST.sub(" ", _DEAREST.sub(" ", self.text)))
        words = [w for w in re.findall(r"[a-z0-9']+", rest.lower())
                 if w not in _POINTING_WORDS]
        return not words


_POINTING_WORDS = frozenset(["which", "what", "whats", "what's", "is", "the", "one", "ones", "of", "them", "those", "these", "it", "that", "a", "an", "please", "show", "me", "tell", "about", "and", "or", "how", "much", "does", "cost", "costs", "price", "get", "i", "want", "to", "see", "item", "product", "in", "list", "add", "put", "buy", "take", "ill", "i'll", "my", "basket", "cart", "details", "any", "good"])


def _context(messages: list[BaseMessage]) -> dict[str, Any]:
    for m in messages:
        if isinstance(m, SystemMessage) and CONTEXT_OPEN in str(m.content):
            return unfence(str(m.content)) or {}
    return {}


def tool_results(messages: list[BaseMessage]) -> list[ToolResult]:
    """The tool outputs after the shopper's last message, paired with the calls that asked for them."""
    start = max((i for i, m in enumerate(messages) if isinstance(m, HumanMessage)), default=-1)
    asked: dict[str | None, Mapping[str, Any]] = {}
    out = []
    for m in messages[start + 1:]:
        if isinstance(m, AIMessage):
            asked.update({c["id"]: c for c in m.tool_calls})
        elif isinstance(m, ToolMessage):
            call = asked.get(m.tool_call_id, {})
            # The typed result travels as the message's artifact; the text is the model's short view.
            output = m.artifact if isinstance(m.artifact, ToolOutput) else ToolError(error="unreadable tool output")
            out.append(ToolResult(m.name or call.get("name", ""), call.get("args", {}), output, m.tool_call_id))
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
