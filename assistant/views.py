"""The pieces a tool result is made of: products as each tool shows them, their evidence,
basket and order lines, rules, limits, and the currency the prices are in.

Each has one JSON form (`to_json`, read back by `from_json`) with keys only where they hold
something, in a fixed order; `assistant.results` puts them together into the tools' results.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, ClassVar, TypeVar, overload

from retrieval.money import Money, money_for
from retrieval.rules.model import Rule


@overload
def price(value: float) -> float: ...
@overload
def price(value: None) -> None: ...
@overload
def price(value: float | None) -> float | None: ...


def price(value: float | None) -> float | None:
    """A price as the tools write it: two decimals, None when the catalogue has none."""
    return None if value is None else round(float(value), 2)


def present(pairs: dict[str, Any]) -> dict[str, Any]:
    """The pairs that hold something: None, False and empty lists are left out of the JSON
    (a price limit of 0 stays: it is a limit)."""
    return {k: v for k, v in pairs.items() if not (v is None or v is False or (isinstance(v, list | tuple) and not v))}


_D = TypeVar("_D")


def _known(cls: type[_D], data: dict[str, Any]) -> dict[str, Any]:
    """The keys of `data` that are fields of `cls` (a stored session may hold others)."""
    names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    return {k: v for k, v in data.items() if k in names}


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
    title: str | None  # None: a rule's item the catalogue has no title for

    def to_json(self) -> dict[str, Any]:
        return {"product_id": self.product_id, "title": self.title}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ProductRef:
        return cls(str(data["product_id"]), data.get("title"))

    @property
    def price(self) -> None:
        # No price is shown with a reference; every product view answers `.price`, so the
        # ledger and the session's focus read any of them alike.
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
        return cls(str(data["product_id"]), data["title"], data.get("price"), data.get("category"),
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
                **present({"description": self.description, "attributes": self.attributes or None})}

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
                **present({"orders_with_it": self.orders_with_it})}

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
        return present({"min_price": self.min_price, "max_price": self.max_price, "categories": list(self.categories)})

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


@dataclass(frozen=True)
class RuleLine:
    """One association rule with its figures and a sentence to quote; its JSON is
    `Rule.to_dict()` with the sentence beside the figures."""

    rule: Rule
    text: str
    FLATTENED: ClassVar[dict[str, type]] = {"rule": Rule}

    @classmethod
    def of(cls, rule: dict[str, Any], text: str) -> RuleLine:
        """From `Rule.to_dict()` (also what a rule's evidence carries) and its sentence."""
        return cls(Rule.from_dict(rule), text)

    def to_json(self) -> dict[str, Any]:
        return self.rule.to_dict() | {"text": self.text}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RuleLine:
        return cls.of(data, data["text"])
