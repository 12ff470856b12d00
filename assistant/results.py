"""What the agent's tools return, as types: one class per kind of answer, each with one JSON form.

The JSON form (`to_json`) is what a model reads (fenced, see `prompts.fence_tool_output`),
what the session stores and what the HTTP API answers with; `from_json` reads it back. Keys
appear only when they hold something, in a fixed order, so a model sees the same text for
the same result. Every product a result holds is one of the small product views below, so
a shell finds them with `products_of` instead of reading key names.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any, ClassVar, TypeVar

from retrieval.money import Money, money_for

__all__ = [
    "BasketLine", "BasketView", "Comparison", "CustomerHistory", "CustomerProfile", "Evidence", "Explanation",
    "Filters", "Link", "Listed", "Listing", "Moved", "OrderLine", "OrderedProduct", "Pricing", "ProductDetails",
    "ProductInfo", "ProductRef", "RuleLine", "RulesView", "Shown", "ToolError", "ToolOutput", "json_keys",
    "products_of",
]


def price(value: float | None) -> float | None:
    """A price as the tools write it: two decimals, None when the catalogue has none."""
    return None if value is None else round(float(value), 2)


def _present(pairs: dict[str, Any]) -> dict[str, Any]:
    """The pairs that hold something: None, empty lists and False are left out of the JSON."""
    return {k: v for k, v in pairs.items() if v not in (None, [], (), False)}


_D = TypeVar("_D")


def _known(cls: type[_D], data: dict[str, Any]) -> dict[str, Any]:
    """The keys of `data` that are fields of `cls` (a stored session may hold others)."""
    names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    return {k: v for k, v in data.items() if k in names}


# -- the pieces ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Evidence:
    """One reason a product is listed: the sentence and the figures behind it."""

    source: str
    text: str
    confidence: float | None = None
    lift: float | None = None
    support: float | None = None
    rule_count: int | None = None
    antecedent_count: int | None = None
    similarity: float | None = None
    related_to: str | None = None
    times_bought: int | None = None

    @classmethod
    def of(cls, ev: Any) -> Evidence:
        """From the retriever's `Evidence`: the rule's quotable figures, similarity rounded."""
        rule = ev.rule or {}
        return cls(ev.source, ev.text, **{k: rule.get(k) for k in _RULE_FIGURES},
                   similarity=None if ev.similarity is None else round(ev.similarity, 4),
                   related_to=ev.related_to or None, times_bought=ev.times_bought)

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "text": self.text,
                **{f.name: getattr(self, f.name) for f in fields(self)[2:] if getattr(self, f.name) is not None}}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Evidence:
        return cls(**_known(cls, data))


_RULE_FIGURES = ("confidence", "lift", "support", "rule_count", "antecedent_count")


@dataclass(frozen=True)
class ProductRef:
    """A product named by id and title (what a list is about: "goes with X")."""

    product_id: str
    title: str

    def to_json(self) -> dict[str, Any]:
        return {"product_id": self.product_id, "title": self.title}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ProductRef:
        return cls(str(data["product_id"]), data.get("title"))

    @property
    def price(self) -> None:
        return None


@dataclass(frozen=True)
class Listed:
    """A product in a list, with the evidence that put it there (also what a session keeps
    of the list it showed)."""

    product_id: str
    title: str
    price: float | None
    category: str | None = None
    role: str | None = None
    evidence: tuple[Evidence, ...] = ()

    @classmethod
    def of(cls, candidate: Any) -> Listed:
        """From the retriever's `Candidate`."""
        p = candidate.product
        return cls(p.product_id, p.title, price(p.price), p.category, candidate.role,
                   tuple(Evidence.of(e) for e in candidate.evidence))

    def mentions(self) -> list[Listed]:
        return [self]

    def to_json(self) -> dict[str, Any]:
        return {"product_id": self.product_id, "title": self.title, "price": self.price, "category": self.category,
                "role": self.role, "evidence": [e.to_json() for e in self.evidence]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Listed:
        return cls(str(data["product_id"]), data.get("title"), data.get("price"), data.get("category"),
                   data.get("role"), tuple(Evidence.from_json(e) for e in data.get("evidence") or ()))


@dataclass(frozen=True)
class ProductInfo:
    """One product's catalogue entry: what `product_details` and the basket tools show."""

    product_id: str
    title: str
    price: float | None
    category: str | None = None
    bought_in_baskets: int | None = None
    description: str | None = None
    attributes: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        return {"product_id": self.product_id, "title": self.title, "price": self.price, "category": self.category,
                "bought_in_baskets": self.bought_in_baskets,
                **_present({"description": self.description, "attributes": self.attributes or None})}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ProductInfo:
        return cls(**_known(cls, data))


@dataclass(frozen=True)
class Moved:
    """A product added to or taken out of the basket, and how many."""

    FLATTENED: ClassVar[dict[str, type]] = {"product": ProductInfo}  # its keys beside "quantity"
    product: ProductInfo
    quantity: int

    @property
    def product_id(self) -> str:
        return self.product.product_id

    @property
    def title(self) -> str:
        return self.product.title

    @property
    def price(self) -> float | None:
        return self.product.price

    def to_json(self) -> dict[str, Any]:
        return {**self.product.to_json(), "quantity": self.quantity}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Moved:
        return cls(ProductInfo.from_json(data), int(data["quantity"]))


@dataclass(frozen=True)
class BasketLine:
    product_id: str
    title: str
    price: float | None
    quantity: int
    line_total: float | None

    def to_json(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BasketLine:
        return cls(**_known(cls, data))


@dataclass(frozen=True)
class OrderedProduct:
    """A product a customer bought; `orders_with_it` in the most-bought list only."""

    product_id: str
    title: str
    price: float | None
    orders_with_it: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"product_id": self.product_id, "title": self.title, "price": self.price,
                **_present({"orders_with_it": self.orders_with_it})}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OrderedProduct:
        return cls(**_known(cls, data))


@dataclass(frozen=True)
class OrderLine:
    """One line of a customer's past order (the console's history table)."""

    basket_id: str
    date: str | None
    product_id: str
    title: str
    quantity: int
    price: float | None

    def to_json(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OrderLine:
        return cls(**_known(cls, data))


@dataclass(frozen=True)
class Link:
    """Rule or co-purchase evidence that a compared product is bought with the first one."""

    FLATTENED: ClassVar[dict[str, type]] = {"evidence": Evidence}
    product_id: str
    evidence: Evidence

    def to_json(self) -> dict[str, Any]:
        return {**self.evidence.to_json(), "product_id": self.product_id}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Link:
        return cls(str(data["product_id"]), Evidence.from_json(data))


@dataclass(frozen=True)
class Filters:
    """The price and category limits a list was made under."""

    min_price: float | None = None
    max_price: float | None = None
    categories: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return _present({"min_price": self.min_price, "max_price": self.max_price, "categories": list(self.categories)})

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Filters:
        return cls(data.get("min_price"), data.get("max_price"), tuple(data.get("categories") or ()))


@dataclass(frozen=True)
class Pricing:
    """The currency and locale a result's prices are in (the tools name it beside them)."""

    currency: str | None
    locale: str

    @property
    def money(self) -> Money:
        return money_for(self.currency, self.locale or "en")


# -- the results -----------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class ToolOutput:
    """What one tool call returned. `pricing` is set by `ToolBox.call` (a model reads the
    currency beside the prices); the direct calls of `ShoppingAssistant` leave it out."""

    pricing: Pricing | None = None

    def about(self) -> list[Any]:
        """The products this result is about (a reply's products, a turn's cards)."""
        return []

    def mentions(self) -> list[Any]:
        """Every product this result names (what an answer may name, and its titles)."""
        return self.about()

    def body(self) -> dict[str, Any]:
        raise NotImplementedError

    def to_json(self) -> dict[str, Any]:
        tail = {"currency": self.pricing.currency, "locale": self.pricing.locale} if self.pricing else {}
        return {**self.body(), **tail}

    @property
    def money(self) -> Money:
        return self.pricing.money if self.pricing else money_for(None, "en")

    def priced(self, pricing: Pricing) -> ToolOutput:
        return replace(self, pricing=pricing)

    @staticmethod
    def from_json(data: dict[str, Any]) -> ToolOutput:
        """Any result from its JSON form (the kind is read from its keys, as a model would)."""
        pricing = Pricing(data.get("currency"), data["locale"]) if "locale" in data else None
        kind = next((cls for key, cls in _KINDS if key in data), Listing)
        return kind.read(data, pricing)


@dataclass(frozen=True, kw_only=True)
class ToolError(ToolOutput):
    """A call that did not work, for the model to act on. `retry`: the model picked the wrong
    product and is told which to use; `refused`: the shopper's message did not ask for it."""

    error: str
    retry: bool = False
    refused: bool = False

    def body(self) -> dict[str, Any]:
        return {"error": self.error, **_present({"retry": self.retry, "refused": self.refused})}

    @classmethod
    def read(cls, data: dict[str, Any], pricing: Pricing | None) -> ToolError:
        return cls(error=str(data["error"]), retry=bool(data.get("retry")), refused=bool(data.get("refused")),
                   pricing=pricing)


@dataclass(frozen=True, kw_only=True)
class Listing(ToolOutput):
    """A list of products with their evidence: a search, what goes with some products, what
    is like one, or what suits a customer. `no_match`: nothing in the shop is close to the
    question, so the products are the nearest alternatives."""

    products: tuple[Listed, ...]
    filters: Filters = Filters()
    question: str | None = None
    anchors: tuple[ProductRef, ...] = ()
    anchor: ProductRef | None = None
    customer_id: str | None = None
    orders: int | None = None
    relaxed: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    no_match: bool = False

    @classmethod
    def of(cls, rec: Any, **about: Any) -> Listing:
        """From the retriever's `Recommendations`, with what the list is about."""
        f = rec.filters
        return cls(products=tuple(Listed.of(c) for c in rec.candidates),
                   filters=Filters(f.min_price, f.max_price, tuple(f.categories)),
                   relaxed=tuple(rec.relaxed), notes=tuple(rec.notes), **about)

    def about(self) -> list[Any]:
        return list(self.products)

    def mentions(self) -> list[Any]:
        return [*self.anchors, *([self.anchor] if self.anchor else []), *self.products]

    def body(self) -> dict[str, Any]:
        head = _present({"question": self.question, "anchors": [a.to_json() for a in self.anchors],
                         "anchor": self.anchor.to_json() if self.anchor else None,
                         "customer_id": self.customer_id, "orders": self.orders})
        return {**head, "filters": self.filters.to_json(), "products": [p.to_json() for p in self.products],
                **_present({"relaxed": list(self.relaxed), "notes": list(self.notes), "no_match": self.no_match})}

    @classmethod
    def read(cls, data: dict[str, Any], pricing: Pricing | None) -> Listing:
        return cls(products=tuple(Listed.from_json(p) for p in data.get("products") or ()),
                   filters=Filters.from_json(data.get("filters") or {}), question=data.get("question"),
                   anchors=tuple(ProductRef.from_json(a) for a in data.get("anchors") or ()),
                   anchor=ProductRef.from_json(data["anchor"]) if data.get("anchor") else None,
                   customer_id=data.get("customer_id"), orders=data.get("orders"),
                   relaxed=tuple(data.get("relaxed") or ()), notes=tuple(data.get("notes") or ()),
                   no_match=bool(data.get("no_match")), pricing=pricing)


@dataclass(frozen=True, kw_only=True)
class ProductDetails(ToolOutput):
    product: ProductInfo

    def about(self) -> list[Any]:
        return [self.product]

    def body(self) -> dict[str, Any]:
        return {"product": self.product.to_json()}

    @classmethod
    def read(cls, data: dict[str, Any], pricing: Pricing | None) -> ProductDetails:
        return cls(product=ProductInfo.from_json(data["product"]), pricing=pricing)


@dataclass(frozen=True)
class Shown:
    """A product of the list shown, as `why_recommended` names it (its evidence beside it)."""

    product_id: str
    title: str
    price: float | None
    category: str | None = None
    role: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Shown:
        return cls(**_known(cls, data))


@dataclass(frozen=True, kw_only=True)
class Explanation(ToolOutput):
    """Why a product of the last list shown was there: its place in the list and its evidence."""

    product: Shown
    position: int
    evidence: tuple[Evidence, ...] = ()

    def about(self) -> list[Any]:
        return [self.product]

    def body(self) -> dict[str, Any]:
        return {"product": self.product.to_json(), "position": self.position,
                "evidence": [e.to_json() for e in self.evidence]}

    @classmethod
    def read(cls, data: dict[str, Any], pricing: Pricing | None) -> Explanation:
        return cls(product=Shown.from_json(data["product"]), position=int(data["position"]),
                   evidence=tuple(Evidence.from_json(e) for e in data.get("evidence") or ()), pricing=pricing)


@dataclass(frozen=True, kw_only=True)
class Comparison(ToolOutput):
    """Two or more products side by side: the cheapest (when two have prices), the price
    difference, and the evidence that the first is bought with the others."""

    products: tuple[ProductInfo, ...]
    cheapest: str | None = None
    price_difference: float | None = None
    bought_together: tuple[Link, ...] = ()

    def about(self) -> list[Any]:
        return list(self.products)

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"products": [p.to_json() for p in self.products]}
        if self.cheapest is not None:
            out |= {"cheapest": self.cheapest, "price_difference": self.price_difference}
        return out | _present({"bought_together": [link.to_json() for link in self.bought_together]})

    @classmethod
    def read(cls, data: dict[str, Any], pricing: Pricing | None) -> Comparison:
        return cls(products=tuple(ProductInfo.from_json(p) for p in data["products"]),
                   cheapest=data.get("cheapest"), price_difference=data.get("price_difference"),
                   bought_together=tuple(Link.from_json(x) for x in data.get("bought_together") or ()),
                   pricing=pricing)


@dataclass(frozen=True, kw_only=True)
class BasketView(ToolOutput):
    """The basket (lines, item count, total), after the change `added` or `removed` if any."""

    JSON_NAMES: ClassVar[dict[str, str]] = {"lines": "basket"}

    lines: tuple[BasketLine, ...] = ()
    items: int = 0
    total: float = 0.0
    added: Moved | None = None
    removed: Moved | None = None

    def about(self) -> list[Any]:
        return [self.added] if self.added else []

    def mentions(self) -> list[Any]:
        return [*(m for m in (self.added, self.removed) if m), *self.lines]

    def body(self) -> dict[str, Any]:
        change = _present({"added": self.added.to_json() if self.added else None,
                           "removed": self.removed.to_json() if self.removed else None})
        return {**change, "basket": [x.to_json() for x in self.lines], "items": self.items, "total": self.total}

    @classmethod
    def read(cls, data: dict[str, Any], pricing: Pricing | None) -> BasketView:
        return cls(lines=tuple(BasketLine.from_json(x) for x in data.get("basket") or ()),
                   items=int(data.get("items") or 0), total=float(data.get("total") or 0.0),
                   added=Moved.from_json(data["added"]) if data.get("added") else None,
                   removed=Moved.from_json(data["removed"]) if data.get("removed") else None, pricing=pricing)


@dataclass(frozen=True, kw_only=True)
class CustomerHistory(ToolOutput):
    """A customer's orders: how many, the last one, and the products bought most often."""

    customer_id: str
    orders: int
    last_order: str | None
    last_order_products: tuple[OrderedProduct, ...] = ()
    products: tuple[OrderedProduct, ...] = ()

    def about(self) -> list[Any]:
        return list(self.products)

    def mentions(self) -> list[Any]:
        return [*self.last_order_products, *self.products]

    def body(self) -> dict[str, Any]:
        return {"customer_id": self.customer_id, "orders": self.orders, "last_order": self.last_order,
                "last_order_products": [p.to_json() for p in self.last_order_products],
                "products": [p.to_json() for p in self.products]}

    @classmethod
    def read(cls, data: dict[str, Any], pricing: Pricing | None) -> CustomerHistory:
        return cls(customer_id=str(data["customer_id"]), orders=int(data["orders"]), last_order=data.get("last_order"),
                   last_order_products=tuple(OrderedProduct.from_json(p) for p in data.get("last_order_products") or ()),
                   products=tuple(OrderedProduct.from_json(p) for p in data.get("products") or ()), pricing=pricing)


@dataclass(frozen=True, kw_only=True)
class CustomerProfile(ToolOutput):
    """A customer for the console: every order line, and recommendations with evidence."""

    customer_id: str
    orders: int
    lines: tuple[OrderLine, ...]
    filters: Filters = Filters()
    products: tuple[Listed, ...] = ()
    relaxed: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @classmethod
    def of(cls, customer_id: str, orders: int, lines: tuple[OrderLine, ...], rec: Any) -> CustomerProfile:
        """With the retriever's `Recommendations` for the customer."""
        listing = Listing.of(rec)
        return cls(customer_id=customer_id, orders=orders, lines=lines, filters=listing.filters,
                   products=listing.products, relaxed=listing.relaxed, notes=listing.notes)

    def about(self) -> list[Any]:
        return list(self.products)

    def body(self) -> dict[str, Any]:
        return {"customer_id": self.customer_id, "orders": self.orders, "lines": [x.to_json() for x in self.lines],
                "filters": self.filters.to_json(), "products": [p.to_json() for p in self.products],
                **_present({"relaxed": list(self.relaxed), "notes": list(self.notes)})}

    @classmethod
    def read(cls, data: dict[str, Any], pricing: Pricing | None) -> CustomerProfile:
        return cls(customer_id=str(data["customer_id"]), orders=int(data["orders"]),
                   lines=tuple(OrderLine.from_json(x) for x in data["lines"]),
                   filters=Filters.from_json(data.get("filters") or {}),
                   products=tuple(Listed.from_json(p) for p in data.get("products") or ()),
                   relaxed=tuple(data.get("relaxed") or ()), notes=tuple(data.get("notes") or ()), pricing=pricing)


@dataclass(frozen=True)
class RuleLine:
    """One association rule with its figures (`Rule.to_dict()`) and a sentence to quote."""

    antecedent: tuple[str, ...]
    consequent: str
    rule_count: int
    antecedent_count: int
    consequent_count: int
    n_baskets: int
    support: float
    confidence: float
    lift: float
    leverage: float
    conviction: float | None  # None when infinite (confidence 1), as in `Rule.to_dict`
    zhangs_metric: float
    antecedent_support: float
    consequent_support: float
    text: str

    @classmethod
    def of(cls, rule: dict[str, Any], text: str) -> RuleLine:
        """From `Rule.to_dict()` (also what a rule's evidence carries) and its sentence."""
        return cls(**{**_known(cls, rule), "antecedent": tuple(rule["antecedent"]), "text": text})

    def to_json(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)} | {"antecedent": list(self.antecedent)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RuleLine:
        return cls.of(data, data["text"])


@dataclass(frozen=True, kw_only=True)
class RulesView(ToolOutput):
    """Association rules, strongest first: `matched` met the thresholds, `rules` the top k."""

    item: ProductRef | None
    matched: int
    rules: tuple[RuleLine, ...] = ()

    def about(self) -> list[Any]:
        return [self.item] if self.item else []

    def body(self) -> dict[str, Any]:
        return {"item": self.item.to_json() if self.item else None, "matched": self.matched,
                "rules": [r.to_json() for r in self.rules]}

    @classmethod
    def read(cls, data: dict[str, Any], pricing: Pricing | None) -> RulesView:
        return cls(item=ProductRef.from_json(data["item"]) if data.get("item") else None,
                   matched=int(data["matched"]), rules=tuple(RuleLine.from_json(r) for r in data["rules"]),
                   pricing=pricing)


# Which key tells a JSON form's kind, most telling first (a customer's profile has "lines").
_KINDS: tuple[tuple[str, type], ...] = (
    ("error", ToolError), ("basket", BasketView), ("position", Explanation), ("last_order", CustomerHistory),
    ("lines", CustomerProfile), ("cheapest", Comparison), ("rules", RulesView), ("product", ProductDetails),
    ("filters", Listing), ("products", Comparison),
)


def json_keys(cls: type) -> set[str]:
    """Every key the JSON form of a class here can hold (what the HTTP models are checked
    against): its fields, under their JSON names, with a flattened field's own keys in its
    place. The currency and locale of `pricing` are left out: the HTTP API states those once."""
    keys: set[str] = set()
    for f in fields(cls):
        if f.name == "pricing":
            continue
        if f.name in getattr(cls, "FLATTENED", {}):
            keys |= json_keys(cls.FLATTENED[f.name])
        else:
            keys.add(getattr(cls, "JSON_NAMES", {}).get(f.name, f.name))
    return keys


def products_of(outputs: Any) -> list[Any]:
    """The products a result, or a list of them, is about, each once, first seen first: a
    list's products, the product detailed, explained or added, the products compared, a
    customer's most bought."""
    seen: dict[str, Any] = {}
    for output in outputs if isinstance(outputs, list | tuple) else [outputs]:
        for p in output.about():
            seen.setdefault(p.product_id, p)
    return list(seen.values())
