"""What the agent's tools return, as types: one class per kind of answer, each with one JSON form.

The JSON form (`to_json`) is what a model reads (fenced, see `prompts.fence_tool_output`),
what the session stores and what the HTTP API answers with; `ToolOutput.from_json` reads it
back. Keys appear only when they hold something, in a fixed order, so a model sees the same
text for the same result. The products a result holds are the views of `views`, so a shell
finds them with `products_of` instead of reading key names.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any, ClassVar, Protocol

from retrieval.money import Money, money_for

from .views import (
    BasketLine,
    Evidence,
    Filters,
    Link,
    Listed,
    Moved,
    OrderedProduct,
    OrderLine,
    Pricing,
    ProductInfo,
    ProductRef,
    RuleLine,
    Shown,
    present,
    price,
)

__all__ = [
    "BasketLine", "BasketView", "Comparison", "CustomerHistory", "CustomerProfile", "Evidence", "Explanation",
    "Filters", "Link", "Listed", "Listing", "Moved", "OrderLine", "OrderedProduct", "Pricing", "ProductDetails",
    "ProductInfo", "ProductRef", "RuleLine", "RulesView", "Shown", "ToolError", "ToolOutput", "json_keys", "price",
    "products_of",
]


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
        return {"error": self.error, **present({"retry": self.retry, "refused": self.refused})}

    @classmethod
    def read(cls, data: dict[str, Any], pricing: Pricing | None) -> ToolError:
        return cls(error=str(data["error"]), retry=bool(data.get("retry")), refused=bool(data.get("refused")),
                   pricing=pricing)


@dataclass(frozen=True, kw_only=True)
class Listing(ToolOutput):
    """A list of products with their evidence: a search, what goes with some products, what
    is like one, or what suits a customer. `no_match`: nothing in the shop is close to the
    question, so the products are the nearest alternatives. `basis`: what ideas for the
    shopper themselves were picked from ("orders", "basket" or "bestsellers"; "no orders" when
    they asked to buy again and have none, so the list is empty); "popular": the shop's best
    sellers, asked for ("what's popular?")."""

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
    basis: str | None = None

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
        head = present({"question": self.question, "anchors": [a.to_json() for a in self.anchors],
                         "anchor": self.anchor.to_json() if self.anchor else None,
                         "customer_id": self.customer_id, "orders": self.orders, "basis": self.basis})
        return {**head, "filters": self.filters.to_json(), "products": [p.to_json() for p in self.products],
                **present({"relaxed": list(self.relaxed), "notes": list(self.notes), "no_match": self.no_match})}

    @classmethod
    def read(cls, data: dict[str, Any], pricing: Pricing | None) -> Listing:
        return cls(products=tuple(Listed.from_json(p) for p in data.get("products") or ()),
                   filters=Filters.from_json(data.get("filters") or {}), question=data.get("question"),
                   anchors=tuple(ProductRef.from_json(a) for a in data.get("anchors") or ()),
                   anchor=ProductRef.from_json(data["anchor"]) if data.get("anchor") else None,
                   customer_id=data.get("customer_id"), orders=data.get("orders"),
                   relaxed=tuple(data.get("relaxed") or ()), notes=tuple(data.get("notes") or ()),
                   no_match=bool(data.get("no_match")), basis=data.get("basis"), pricing=pricing)


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
        return out | present({"bought_together": [link.to_json() for link in self.bought_together]})

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
        change = present({"added": self.added.to_json() if self.added else None,
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
    """A customer's orders: how many, the last one, and the products bought most often.
    `own`: the signed-in shopper's own orders, told to them (no orders: none to show)."""

    customer_id: str
    orders: int
    last_order: str | None
    last_order_products: tuple[OrderedProduct, ...] = ()
    products: tuple[OrderedProduct, ...] = ()
    own: bool = False

    def about(self) -> list[Any]:
        return list(self.products)

    def mentions(self) -> list[Any]:
        return [*self.last_order_products, *self.products]

    def body(self) -> dict[str, Any]:
        return {"customer_id": self.customer_id, "orders": self.orders, "last_order": self.last_order,
                "last_order_products": [p.to_json() for p in self.last_order_products],
                "products": [p.to_json() for p in self.products], **present({"own": self.own})}

    @classmethod
    def read(cls, data: dict[str, Any], pricing: Pricing | None) -> CustomerHistory:
        return cls(customer_id=str(data["customer_id"]), orders=int(data["orders"]), last_order=data.get("last_order"),
                   last_order_products=tuple(OrderedProduct.from_json(p) for p in data.get("last_order_products") or ()),
                   products=tuple(OrderedProduct.from_json(p) for p in data.get("products") or ()),
                   own=bool(data.get("own")), pricing=pricing)


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
                **present({"relaxed": list(self.relaxed), "notes": list(self.notes)})}

    @classmethod
    def read(cls, data: dict[str, Any], pricing: Pricing | None) -> CustomerProfile:
        return cls(customer_id=str(data["customer_id"]), orders=int(data["orders"]),
                   lines=tuple(OrderLine.from_json(x) for x in data["lines"]),
                   filters=Filters.from_json(data.get("filters") or {}),
                   products=tuple(Listed.from_json(p) for p in data.get("products") or ()),
                   relaxed=tuple(data.get("relaxed") or ()), notes=tuple(data.get("notes") or ()), pricing=pricing)


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


class _Kind(Protocol):
    """A kind of result as `ToolOutput.from_json` reads it: a class with a `read`."""

    def read(self, data: dict[str, Any], pricing: Pricing | None) -> ToolOutput: ...


# Which key tells a JSON form's kind, most telling first (a customer's profile has "lines").
_KINDS: tuple[tuple[str, _Kind], ...] = (
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
        flattened: dict[str, type] = getattr(cls, "FLATTENED", {})
        if f.name in flattened:
            keys |= json_keys(flattened[f.name])
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
