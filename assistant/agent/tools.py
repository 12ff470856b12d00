"""The agent's tools: thin LangChain wrappers over the retriever, the session and the baskets.

Every tool returns a typed result (`results`) holding the products with their evidence texts
and the raw figures behind them (price, confidence, lift, counts), so an answer can quote
them and grounding can check them. A bad argument (unknown id, empty basket) comes back as a
`ToolError` for the model to act on; it never raises through the loop.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from langchain.tools import ToolRuntime
from langchain_core.tools import BaseTool, StructuredTool
from langchain_core.tools.base import create_schema_from_function
from pydantic import BaseModel, create_model

from retrieval.errors import NotFoundError, ShopassistError
from retrieval.recommend import Filters, Recommendations, Retriever
from retrieval.recommend.question import STOPWORDS, parse_prices, parse_question

from ..results import (
    BasketLine,
    BasketView,
    Comparison,
    CustomerHistory,
    Evidence,
    Explanation,
    Link,
    Listing,
    Moved,
    OrderedProduct,
    Pricing,
    ProductDetails,
    ProductInfo,
    ProductRef,
    Shown,
    ToolError,
    ToolOutput,
    price,
)
from ..session import Session
from ..voice import about_customer
from .intent import CHEAPER, MAX_QUANTITY, allows, refusal
from .prompts import fence_tool_output

log = logging.getLogger(__name__)

SHOPPER_TOOLS = (
    "search_products", "bought_together", "similar_items", "product_details", "compare_products",
    "why_recommended", "add_to_basket", "remove_from_basket", "show_basket", "recommend_for_me", "my_orders",
)
# A service agent asks about the customer on screen (customer_recommendations), never "for me".
SERVICE_TOOLS = (*(t for t in SHOPPER_TOOLS if t not in ("recommend_for_me", "my_orders")), "customer_history",
                 "customer_recommendations")
TOOL_NAMES = tuple(dict.fromkeys((*SHOPPER_TOOLS, *SERVICE_TOOLS)))  # every role's, for grounding
PRICED_TOOLS = ("search_products", "similar_items")  # the shopper's price words set their limits
# What "the second one" refers to: the tools whose result is a list of products.
LIST_TOOLS = ("search_products", "bought_together", "similar_items", "customer_recommendations", "recommend_for_me")
@dataclass
class ToolBox:
    """The tools for one session and one role, over one retriever (and baskets for history).

    `message` is the shopper's message of the turn the tools serve: the basket tools run only
    when it asks for a basket change (see `intent.allows`)."""

    retriever: Retriever
    session: Session
    role: str = "shopper"
    dataset: Any = None  # retrieval.dataset.Dataset; only the customer tools read it
    k: int = 5
    message: str | None = None

    # -- helpers -------------------------------------------------------------------------
    def resolve_id(self, ref: str, within: list[str] | None = None) -> str:
        """An id (also inside a phrase: "product #84879", "sku 84879"), or a product named by
        its title. `within` (ids, e.g. the basket) is searched by title first. A phrase no
        product title comes close to is NotFoundError, never the nearest guess."""
        ref = str(ref).strip().strip("\"'\u201c\u201d")
        catalogue = self.retriever.catalogue
        bare = _ID_PREFIX.sub("", ref).strip()
        for candidate in (ref, bare, bare.upper()):
            if candidate and candidate in catalogue:
                return candidate
        for token in _ID_TOKEN.findall(ref):
            for candidate in (token, token.upper()):
                if candidate in catalogue and (candidate != token or not token.isalpha()):
                    return candidate
        if within:
            scoped = _best_title(bare, {pid: self.retriever.titles[pid] for pid in within})
            if scoped:
                return scoped
        found = self.retriever.resolve(bare) if bare else None
        if found is None or found.confidence < RESOLVE_CONFIDENCE or not _covers(bare, found.title):
            raise NotFoundError(f"no product matches {ref!r}")
        return found.product_id

    def details(self, pid: str) -> ProductInfo:
        p = self.retriever.catalogue.get(pid)
        return ProductInfo(p.product_id, p.title, price(p.price), p.category, p.popularity,
                           p.description[:500] if p.description else None,
                           dict(p.attributes) if p.attributes else None)

    def _customer(self, customer_id: str | None) -> tuple[str, list]:
        """The customer meant (named, else the one selected) and their baskets, oldest first."""
        cid = str(customer_id).strip() if customer_id not in (None, "") else self.session.customer_id
        if not cid:
            raise NotFoundError("no customer is selected; name a customer id")
        if self.dataset is None:
            raise NotFoundError("no basket history is loaded")
        baskets = self.dataset.baskets.history(str(cid))
        if not baskets:
            raise NotFoundError(f"no orders for customer {cid!r}")
        return str(cid), baskets

    # -- the tools -----------------------------------------------------------------------
    def search_products(self, question: str, min_price: float | None = None,
                        max_price: float | None = None, k: int = 5,
                        exclude: list[str] | None = None) -> Listing:
        # What is already in the basket is not shown again; the basket is not used as a
        # purchase history (that would bring "buy again" items into a plain search).
        skip = tuple(dict.fromkeys([*(exclude or ()), *self.session.basket]))
        filters = Filters(min_price=min_price, max_price=max_price, exclude=skip)
        rec = self.retriever.recommend(question, k=max(1, min(int(k), 20)), filters=filters)
        parsed = parse_question(question, self.retriever.money)
        if parsed.popular_first and not parsed.words:
            return Listing.of(rec, question=question, basis="popular")  # "what's popular?"
        # Nothing in the shop close: the products are the nearest alternatives, not matches.
        return Listing.of(rec, question=question, no_match=not close_match(rec, parsed.words))

    def bought_together(self, product_ids: list[str] | str) -> Listing | ToolError:
        refs = [product_ids] if isinstance(product_ids, str) else list(product_ids)
        if refs in (["basket"], ["my basket"]) or not refs:
            anchors = list(self.session.basket)
            if not anchors:
                return ToolError(error="the basket is empty; add something first")
        else:
            anchors = [self.resolve_id(r) for r in refs]
        rec = self.retriever.bought_together(anchors, k=self.k, filters=Filters(exclude=tuple(self.session.basket)))
        titles = self.retriever.titles
        return Listing.of(rec, anchors=tuple(ProductRef(a, titles[a]) for a in anchors))

    def similar_items(self, product_id: str, min_price: float | None = None,
                      max_price: float | None = None) -> Listing:
        pid = self.resolve_id(product_id)
        filters = Filters(min_price=min_price, max_price=max_price)
        rec = self.retriever.similar_items(pid, k=self.k, filters=filters)
        return Listing.of(rec, anchor=ProductRef(pid, self.retriever.titles[pid]))

    def product_details(self, product_id: str) -> ProductDetails:
        return ProductDetails(product=self.details(self.resolve_id(product_id)))

    def compare_products(self, product_ids: list[str]) -> Comparison | ToolError:
        ids = list(dict.fromkeys(self.resolve_id(r) for r in product_ids))
        if len(ids) < 2:
            return ToolError(error="name at least two different products to compare")
        products = tuple(self.details(pid) for pid in ids)
        priced = [(p.price, p) for p in products if p.price is not None]
        cheapest = difference = None
        if len(priced) >= 2:
            (cheap_price, cheap), (dear_price, _) = min(priced, key=lambda t: t[0]), max(priced, key=lambda t: t[0])
            cheapest, difference = cheap.product_id, price(dear_price - cheap_price)
        # Whether the first is bought with the others: only rule/co-purchase evidence counts.
        rec = self.retriever.bought_together(ids[0], k=len(ids) - 1, filters=Filters(restrict=tuple(ids[1:])))
        links = tuple(Link(c.product_id, Evidence.of(e)) for c in rec.candidates
                      for e in c.evidence if e.source in ("rules", "copurchase"))
        return Comparison(products=products, cheapest=cheapest, price_difference=difference, bought_together=links)

    def why_recommended(self, product_id: str) -> Explanation | ToolError:
        """The evidence that put a product in the last list shown in this session."""
        shown = {p.product_id: p for p in self.session.shown}
        pid = self.resolve_id(product_id, within=list(shown))
        if pid not in shown:
            return ToolError(error=f"{pid} was not in the last list shown; ask for its details instead")
        p = shown[pid]
        return Explanation(product=Shown(p.product_id, p.title, p.price, p.category, p.role),
                           position=list(shown).index(pid) + 1, evidence=p.evidence)

    def add_to_basket(self, product_id: str, quantity: int = 1) -> BasketView | ToolError:
        meant = self.named_instead(product_id)
        if meant is not None:
            # A model that picked the wrong product: nothing is added, and it is told which
            # product the shopper's words name (the agent's middleware corrects such a call
            # before it runs; this holds for any other caller of the tool).
            log.warning("refused to add %s: the shopper's words name %s", product_id, meant)
            return ToolError(error=f"the shopper asked for {meant} ({self.retriever.titles[meant]}), not "
                                   f"{product_id}; use product_id {meant}", retry=True)
        pid = self.resolve_id(product_id)
        quantity = int(quantity)
        if quantity < 1:
            return ToolError(error="quantity must be at least 1")
        if self.session.basket.get(pid, 0) + quantity > MAX_QUANTITY:
            return ToolError(error=f"at most {MAX_QUANTITY:,} of one product fit in a basket; "
                                   f"ask for {MAX_QUANTITY:,} or fewer")
        self.session.add_to_basket(pid, quantity)
        return replace(self.show_basket(), added=Moved(self.details(pid), quantity))

    def remove_from_basket(self, product_id: str, quantity: int | None = None) -> BasketView | ToolError:
        basket = self.session.basket
        if not basket:
            return ToolError(error="the basket is empty")
        pid = self.resolve_id(product_id, within=list(basket))
        if pid not in basket:
            return ToolError(error=f"{self.retriever.titles[pid]} ({pid}) is not in the basket")
        take = basket[pid] if quantity is None else max(1, min(int(quantity), basket[pid]))
        self.session.add_to_basket(pid, -take)
        return replace(self.show_basket(), removed=Moved(self.details(pid), take))

    def show_basket(self) -> BasketView:
        lines, total = [], 0.0
        for pid, qty in self.session.basket.items():
            p = self.retriever.catalogue.get(pid)
            line_total = price((p.price or 0.0) * qty)
            total += line_total
            lines.append(BasketLine(pid, p.title, price(p.price), qty, line_total))
        return BasketView(lines=tuple(lines), items=sum(self.session.basket.values()), total=price(total))

    def customer_history(self, customer_id: str | None = None) -> CustomerHistory:
        cid, baskets = self._customer(customer_id)
        return self._history(cid, baskets)

    def my_orders(self) -> CustomerHistory:
        """The signed-in shopper's own orders ("what did I get last time?"); none for a
        guest. Only the session's own customer: a shopper can never name another one."""
        orders = self._own_orders()
        if not orders:
            return CustomerHistory(customer_id=str(self.session.customer_id or ""), orders=0, last_order=None,
                                   own=True)
        return replace(self._history(str(self.session.customer_id), orders), own=True)

    def _history(self, cid: str, baskets: list) -> CustomerHistory:
        counts: dict[str, int] = {}
        for b in baskets:
            for pid in dict.fromkeys(b.items):
                counts[pid] = counts.get(pid, 0) + 1
        top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[: self.k * 2]
        last = baskets[-1]
        return CustomerHistory(
            customer_id=cid, orders=len(baskets), last_order=str(last.timestamp) if last.timestamp else None,
            last_order_products=tuple(self._line(pid) for pid in list(dict.fromkeys(last.items))[: self.k * 2]),
            products=tuple(replace(self._line(pid), orders_with_it=n) for pid, n in top))

    def customer_recommendations(self, customer_id: str | None = None, k: int = 5,
                                 new_only: bool = False, bought_before: bool = False) -> Listing | ToolError:
        """Personal recommendations from the customer's history: the same `recommend` the
        console's panel shows, with every piece of evidence; `new_only` leaves out what they
        bought before (the ranker's "new" mode), `bought_before` keeps only that (buy again)."""
        if new_only and bought_before:
            return ToolError(error=_BOTH)
        cid, baskets = self._customer(customer_id)
        # Dated baskets, so the learned ranker can read the customer's rhythm.
        rec = self.retriever.recommend(None, history=baskets, k=max(1, min(int(k), 20)),
                                       filters=_own_filter(Filters(), baskets, new_only, bought_before))
        listing = Listing.of(about_customer(rec), customer_id=cid, orders=len(baskets))
        return _noted(listing, new_only, bought_before, "they have")

    def recommend_for_me(self, k: int = 5, new_only: bool = False,
                         bought_before: bool = False) -> Listing | ToolError:
        """Ideas for the shopper who asks without naming a product: from their own past orders
        when the session is a signed-in customer's (the learned ranker reads their rhythm;
        `new_only` leaves out what they bought before, `bought_before` keeps only that), else
        from what is in their basket, else the shop's best sellers. Nothing already in the
        basket is suggested again."""
        if new_only and bought_before:
            return ToolError(error=_BOTH)
        k = max(1, min(int(k), 20))
        basket = tuple(self.session.basket)
        filters = Filters(exclude=basket)
        orders = self._own_orders()
        if orders:
            rec = self.retriever.recommend(None, history=orders, k=k,
                                           filters=_own_filter(filters, orders, new_only, bought_before))
            return _noted(Listing.of(rec, basis="orders", orders=len(orders)), new_only, bought_before, "you have")
        if bought_before:
            # Nothing to buy again: say so rather than pass other ideas off as their own.
            return Listing(products=(), basis="no orders", orders=0)
        if basket:
            rec = self.retriever.recommend(None, history=list(basket), k=k, filters=filters)
            return Listing.of(rec, basis="basket")
        return Listing.of(self.retriever.recommend(None, k=k), basis="bestsellers")

    def _own_orders(self) -> list:
        """The signed-in shopper's baskets, oldest first ([] for a guest or a new customer).
        Only the session's own customer: a shopper can never name another one."""
        cid = self.session.customer_id
        if not cid or self.dataset is None:
            return []
        return self.dataset.baskets.history(str(cid))

    def _line(self, pid: str) -> OrderedProduct:
        known = pid in self.retriever.titles
        return OrderedProduct(pid, self.retriever.titles.get(pid, pid),
                              price(self.retriever.catalogue.get(pid).price) if known else None)

    def meant(self) -> tuple[str | None, str | None]:
        """What this turn's message names for a basket change ("the second one", "it", an id,
        a title), read by the planner's rules: the words, and the product they resolve to
        (None, None when the words are unclear)."""
        if not self.message:
            return None, None
        from .planner import Intent  # the planner's reading of the shopper's words

        target, _ = Intent(self.message, self.session.context(), []).change()
        if target is None:
            return None, None
        try:
            return target, self.resolve_id(target)
        except NotFoundError:
            return target, None

    def named_instead(self, product_id: str) -> str | None:
        """The product this turn's words name for an add when the model's `product_id` is
        another one (a neighbour in the list, an invented id), else None: the words name
        none, or the model's pick fits them too."""
        words, meant = self.meant()
        if meant is None:
            return None
        try:
            pid = self.resolve_id(product_id)
        except NotFoundError:
            return meant
        return meant if meant != pid and not self._fits(pid, words) else None

    def _fits(self, pid: str, words: str | None) -> bool:
        """Whether the model's product is one the shopper's words describe too ("the red
        retrospot teapot" fits more than one product: the model's pick of them stands)."""
        return bool(words and words not in self.retriever.catalogue and _covers(words, self.retriever.titles[pid]))

    def price_bounds(self, args: dict[str, Any], tool: str = "search_products") -> dict[str, Any]:
        """The price limits the shopper wrote in this message replace the model's: a small
        model turns "under 10" into min_price=10. A message with no price keeps the limits
        of the search before it ("any in blue?" after "teapots under £10"), not others the
        model made up (it copied "under 10" from its instructions into "a cheap teapot"); a
        "cheaper" follow-up sets its own."""
        lo, hi, phrases = parse_prices(self.message or "", self.retriever.money)
        if not phrases:
            before = self.session.last_search or {}
            made_up = [k for k in ("min_price", "max_price") if args.get(k) is not None and args[k] != before.get(k)]
            if made_up and not CHEAPER.search(self.message or ""):
                log.warning("search price limits %s dropped: the shopper said no price",
                            {k: args[k] for k in made_up})
                args = {k: v for k, v in args.items() if k not in made_up}
            return self._cheaper(args, tool)
        fixed = {k: v for k, v in args.items() if k not in ("min_price", "max_price")}
        fixed.update({k: v for k, v in (("min_price", lo), ("max_price", hi)) if v is not None})
        if (args.get("min_price"), args.get("max_price")) != (fixed.get("min_price"), fixed.get("max_price")):
            log.warning("search price limits %s corrected to the shopper's words %s",
                        {k: args.get(k) for k in ("min_price", "max_price")},
                        {k: fixed.get(k) for k in ("min_price", "max_price")})
        return fixed

    def count_bound(self, args: dict[str, Any]) -> dict[str, Any]:
        """How many products come back is the shopper's to say ("top 10", "3 more ideas"): a
        small model asks for 10 where they said nothing, and a shop holding fewer matches
        than that fills the list's end with things they did not ask for. Unsaid, the tool's
        own default stands."""
        said = _COUNT_ASKED.search(self.message or "")
        n = next((g for g in said.groups() if g), None) if said else None
        want = int(n) if n and n.isdigit() else _COUNT_WORDS.get(str(n).lower()) if n else None
        if want == args.get("k") or (want is None and "k" not in args):
            return args
        log.info("result count %s corrected to the shopper's words (%s)", args.get("k"), want or "none said")
        return {**{k: v for k, v in args.items() if k != "k"}, **({"k": want} if want else {})}

    def _cheaper(self, args: dict[str, Any], tool: str) -> dict[str, Any]:
        """"Cheaper" (no amount said) is below the cheapest product shown, whatever the model
        sent; for alternatives ("anything like X but cheaper") below X's own price."""
        if not CHEAPER.search(self.message or ""):
            return args
        if tool == "similar_items":
            try:
                anchor = self.retriever.catalogue.get(self.resolve_id(str(args.get("product_id") or "")))
            except NotFoundError:
                return args  # the tool itself says the product is unknown
            prices = [anchor.price] if anchor.price is not None else []
        else:
            prices = [p.price for p in self.session.shown if p.price is not None]
        if not prices:
            return args
        limit = round(min(prices) - 0.01, 2)
        if args.get("max_price") is None or float(args["max_price"]) > limit:
            log.warning("'cheaper' search limit %s corrected to %s", args.get("max_price"), limit)
            args = {**args, "max_price": limit}
        return args

    # -- dispatch ------------------------------------------------------------------------
    @property
    def names(self) -> tuple[str, ...]:
        return SERVICE_TOOLS if self.role == "service" else SHOPPER_TOOLS

    def call(self, name: str, args: dict[str, Any]) -> ToolOutput:
        """Run one tool; a bad call becomes a `ToolError` observation, never an exception."""
        if name not in self.names:
            log.warning("model asked for tool %r, which this role (%s) does not have", name, self.role)
            return ToolError(error=f"unknown tool {name!r}; available: {', '.join(self.names)}")
        if self.message is not None and not allows(name, self.message, self.session.last_action):
            log.warning("refused %s(%s): the shopper's message does not ask for it", name, args)
            return ToolError(error=refusal(name), refused=True)
        # The shopper's price and count words were applied to the call before it got here
        # (ShopMiddleware.wrap_tool_call, which records the call as it runs).
        try:
            out = getattr(self, name)(**(args or {}))
        except (ShopassistError, LookupError, TypeError, ValueError) as exc:
            log.info("tool %s(%s) failed: %s", name, args, exc)
            return ToolError(error=str(exc).strip('"'))
        # The prices' currency travels with them: the composed answer and the model write it.
        money = self.retriever.money
        return out.priced(Pricing(money.currency, money.locale))


# A count the shopper asks for: "top 10", "the first 3", "5 more ideas", "ten options".
_COUNT_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
                "twelve": 12, "fifteen": 15, "twenty": 20}
_N = r"(\d{1,2}|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty)"
_COUNT_ASKED = re.compile(rf"\b(?:top|first|best)\s+{_N}\b|\b{_N}\s+(?:more\s+|other\s+|different\s+)?"
                          r"(?:results?|items?|options?|ideas?|products?|suggestions?|things|picks|choices|"
                          r"recommendations?|alternatives?)\b", re.I)
RESOLVE_CONFIDENCE = 0.6  # a title match below this is "not found", not a guess
# How close the best product must be for a search to count as a match (measured on the
# bundled shop: "do you sell iPhones?" peaks at similarity 0.29 over phone charms, "a jacket"
# at 0.50 over a coat hanger, "lunch bag" at 0.78, "gift for my mum" at 0.55).
MATCH_SIMILARITY = 0.55
MATCH_COVERAGE = 0.6
# Words of asking, not of the product ("do you sell ...", "got any ... stuff").
_ASKING = frozenset(["do", "does", "sell", "sells", "stock", "carry", "have", "got", "stuff", "bits", "kind", "sort", "type", "range"])
_ID_PREFIX = re.compile(r"^(?:(?:the\s+)?(?:product|item|sku|article|stock\s*code|code|id|ref|no\.?|number)\b\s*[:#]?\s*|#\s*)+", re.I)
_ID_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*[A-Za-z0-9]|[A-Za-z0-9]")


def _covers(phrase: str, title: str) -> bool:
    """Whether a title holds the phrase's content words (prefixes count: "cake" ~ "cakes").
    The resolver's score alone put a mug down for "vintage alarm clock"."""
    words = [w for w in re.findall(r"[a-z0-9]+", phrase.lower()) if w not in STOPWORDS and len(w) > 1]
    if not words:
        return False
    title_words = re.findall(r"[a-z0-9]+", title.lower())
    hit = sum(any(t.startswith(w) or w.startswith(t) for t in title_words if len(t) > 1) for w in words)
    return hit / len(words) >= 0.6


def _best_title(phrase: str, titles: dict[str, str]) -> str | None:
    """The one product among `titles` whose title covers the phrase best, if any does."""
    scored = [(pid, t) for pid, t in titles.items() if _covers(phrase, t)]
    if not scored:
        return None
    words = set(re.findall(r"[a-z0-9]+", phrase.lower()))
    return max(scored, key=lambda pt: len(words & set(re.findall(r"[a-z0-9]+", pt[1].lower()))))[0]


def close_match(rec: Recommendations, question_words: Sequence[str]) -> bool:
    """Whether a search found something close: a title holding most of the question's words
    (`parse_question(...).words`), or a product near it in meaning. Measured on the bundled
    shop: "laptop charger" reaches one word of two and similarity 0.39, "kids party stuff"
    one of three and 0.61."""
    semantic = [e for c in rec.candidates for e in c.evidence if e.source == "semantic"]
    words = [w for w in question_words if w not in _ASKING]
    if not semantic or not words:
        return bool(rec.candidates) or not words
    coverage = max(len(e.matched_words) / len(words) for e in semantic)
    return coverage >= MATCH_COVERAGE or max(e.similarity or 0.0 for e in semantic) >= MATCH_SIMILARITY


_BOTH = "new_only and bought_before cannot both be true: ask for one or the other"


def _own_filter(filters: Filters, orders: list, new_only: bool, bought_before: bool) -> Filters:
    """`filters` for picks from a shopper's own orders: without what they bought (new_only),
    or only that (bought_before: a restriction, which the retriever never relaxes)."""
    if bought_before:
        return replace(filters, restrict=tuple(dict.fromkeys(pid for b in orders for pid in b.items)))
    return replace(filters, exclude_owned=bool(new_only))


def _noted(listing: Listing, new_only: bool, bought_before: bool, who: str) -> Listing:
    """The list with its promise told; buy-again picks lead with when they were bought."""
    if new_only:
        return replace(listing, notes=(*listing.notes, f"only products {who} not bought before"))
    if not bought_before:
        return listing
    led = tuple(replace(p, role="buy again", evidence=tuple(sorted(p.evidence, key=lambda e: e.source != "repeat")))
                for p in listing.products)
    return replace(listing, products=led, notes=(*listing.notes, f"only products {who} bought before"))


# Written for small models: when to use each tool, in the shopper's words, and which
# argument a phrase goes to ("under X" is max_price, never min_price). No currency here:
# one compiled agent serves every shop; the system prompt names the shop's currency.
DESCRIPTIONS = {
    "search_products": "Search the shop. Use it for every request to find, show, look for or "
    "suggest products (\"show me red lunch bags\", \"a teapot under 10\", \"do you sell X?\"), and for "
    "what sells most (\"what's popular?\", \"your best sellers\", \"most popular mugs\"). "
    "question: the shopper's words. max_price: the upper limit, a number in the shop's currency, for "
    "\"under / below / less than / up to / at most X\". min_price: the lower limit for \"over / above / "
    "at least X\". Leave both out when no price is said. Never changes the basket.",
    "bought_together": "Products often bought together with given products (add-ons, \"what goes "
    "with X?\"; \"what goes with my basket / cart?\" is product_ids [\"basket\"]). product_ids: product "
    "ids or titles, or [\"basket\"] for the shopper's basket.",
    "similar_items": "Alternatives: products most like one product (\"more like that\", "
    "\"something similar to X\", \"anything like X but cheaper\"). product_id: its id or title. "
    "max_price / min_price: only for a price limit the shopper says.",
    "product_details": "Title, price, category, description and popularity of ONE product the "
    "shopper names by id or title, or points at in the list shown (\"tell me about 84879\", "
    "\"the third one\", \"which is the cheapest?\"). Not for searching.",
    "compare_products": "Compare two or more products (ids or titles): prices, the price "
    "difference, and whether they are bought together.",
    "why_recommended": "Why a product in the last list shown was suggested: its evidence "
    "(rules with confidence and lift, similarity, past purchases). product_id: its id.",
    "add_to_basket": "Put a product in the basket. ONLY when the shopper asks to add or buy it "
    "in their message. product_id: its id; quantity: how many (default 1).",
    "remove_from_basket": "Take a product out of the basket. ONLY when the shopper asks to "
    "remove it. product_id: its id or title; quantity: how many (default all).",
    "show_basket": "What is in the shopper's basket: lines, quantities, total. Only when the "
    "shopper asks to see their basket.",
    "recommend_for_me": "Ideas for the shopper when they ask for suggestions without naming a "
    "kind of product (\"recommend something\", \"what should I buy?\", \"any ideas?\", \"surprise "
    "me\"): picked from their past orders when they are signed in, else from their basket, else the "
    "shop's best sellers. new_only: true for \"something new\", \"something I haven't tried\". "
    "bought_before: true for buying again (\"what should I buy again?\", \"time to reorder?\", "
    "\"what do I usually get?\", \"my usual stuff\", \"need to stock up?\"). For a "
    "named kind of product use search_products; for what goes with the basket or cart, "
    "bought_together with [\"basket\"]. Never changes the basket.",
    "my_orders": "The signed-in shopper's own past orders: how many, the last order and what they "
    "buy most often (\"what did I get last time?\", \"show my orders\", \"my order history\"). No "
    "arguments. Not for ideas to buy again: that is recommend_for_me with bought_before.",
    "customer_history": "A customer's past orders: how many, the last order and the products "
    "bought most often. customer_id: the customer's id (default: the selected customer).",
    "customer_recommendations": "Personal recommendations for a customer from their purchase "
    "history, with the evidence for each. customer_id: default the selected customer. new_only: "
    "true when asked for things they have not bought before (\"anything new\", \"something "
    "they haven't tried\"). bought_before: true for what they might buy again or reorder.",
}


def agent_tools(names: tuple[str, ...]) -> list[BaseTool]:
    """The named tools for `create_agent`: schemas from the `ToolBox` signatures, docs from
    DESCRIPTIONS. Each runs on the turn's own toolbox (``runtime.context.toolbox``), so one
    compiled agent serves every session; the model reads the fenced JSON, the typed result
    travels as the message's artifact (for the middleware, grounding and the planner)."""
    return [_agent_tool(name) for name in names]


def _agent_tool(name: str) -> BaseTool:
    def run(runtime: ToolRuntime[Any, Any], **kwargs: Any) -> tuple[str, ToolOutput]:
        output = runtime.context.toolbox.call(name, kwargs)
        return fence_tool_output(name, output.to_json()), output

    # The method's arguments, plus the injected `runtime` (hidden from the model's schema).
    base = create_schema_from_function(name, getattr(ToolBox, name), filter_args=["self"])
    assert issubclass(base, BaseModel)  # pydantic 2 is installed: never a pydantic.v1 model
    schema = create_model(name, __base__=base, runtime=(ToolRuntime[Any, Any], None))
    return StructuredTool(name=name, description=DESCRIPTIONS[name], args_schema=schema, func=run,
                          response_format="content_and_artifact")
