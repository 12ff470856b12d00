"""The agent's tools: thin LangChain wrappers over the retriever, the session and the baskets.

Every tool returns a compact JSON-able dict holding the products with their evidence texts
and the raw figures behind them (price, confidence, lift, counts), so an answer can quote
them and grounding can check them. A bad argument (unknown id, empty basket) comes back as
`{"error": ...}` for the model to act on; it never raises through the loop.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from langchain.tools import ToolRuntime
from langchain_core.tools import BaseTool, StructuredTool
from langchain_core.tools.base import create_schema_from_function
from pydantic import create_model

from retrieval.errors import NotFoundError, ShopassistError
from retrieval.recommend import Candidate, Filters, Recommendations, Retriever

from ..session import Session
from .prompts import fence_tool_output

log = logging.getLogger(__name__)

SHOPPER_TOOLS = (
    "search_products", "bought_together", "similar_items", "product_details",
    "compare_products", "add_to_basket", "show_basket",
)
SERVICE_TOOLS = (*SHOPPER_TOOLS, "customer_history")
LIST_TOOLS = ("search_products", "bought_together", "similar_items")  # what "the second one" refers to
_FIGURES = ("confidence", "lift", "support", "rule_count", "antecedent_count")


def money(value: float | None) -> float | None:
    return None if value is None else round(float(value), 2)


def evidence_dict(ev) -> dict[str, Any]:
    out: dict[str, Any] = {"source": ev.source, "text": ev.text}
    if ev.rule:
        out.update({k: ev.rule[k] for k in _FIGURES if k in ev.rule})
    if ev.similarity is not None:
        out["similarity"] = round(ev.similarity, 4)
    if ev.related_to:
        out["related_to"] = ev.related_to
    if ev.times_bought is not None:
        out["times_bought"] = ev.times_bought
    return out


def candidate_dict(c: Candidate) -> dict[str, Any]:
    p = c.product
    return {
        "product_id": p.product_id, "title": p.title, "price": money(p.price),
        "category": p.category, "role": c.role, "evidence": [evidence_dict(e) for e in c.evidence],
    }


def recommendations_dict(rec: Recommendations, **extra: Any) -> dict[str, Any]:
    f = rec.filters
    out: dict[str, Any] = dict(extra)
    out["filters"] = {k: v for k, v in {"min_price": f.min_price, "max_price": f.max_price,
                                         "categories": list(f.categories)}.items() if v not in (None, [])}
    out["products"] = [candidate_dict(c) for c in rec.candidates]
    if rec.relaxed:
        out["relaxed"] = list(rec.relaxed)
    if rec.notes:
        out["notes"] = list(rec.notes)
    return out


@dataclass
class ToolBox:
    """The tools for one session and one role, over one retriever (and baskets for history)."""

    retriever: Retriever
    session: Session
    role: str = "shopper"
    dataset: Any = None  # retrieval.dataset.Dataset; only customer_history reads it
    k: int = 5

    # -- helpers -------------------------------------------------------------------------
    def resolve_id(self, ref: str) -> str:
        """An id, or a product named by (part of) its title."""
        ref = str(ref).strip()
        catalogue = self.retriever.catalogue
        for candidate in (ref, ref.upper()):
            if candidate in catalogue:
                return candidate
        found = self.retriever.resolve(ref) if ref else None
        if found is None:
            raise NotFoundError(f"no product matches {ref!r}")
        return found.product_id

    def details(self, pid: str) -> dict[str, Any]:
        p = self.retriever.catalogue.get(pid)
        out = {"product_id": p.product_id, "title": p.title, "price": money(p.price),
               "category": p.category, "bought_in_baskets": p.popularity}
        if p.description:
            out["description"] = p.description[:500]
        if p.attributes:
            out["attributes"] = dict(p.attributes)
        return out

    # -- the tools -----------------------------------------------------------------------
    def search_products(self, question: str, min_price: float | None = None,
                        max_price: float | None = None, k: int = 5,
                        exclude: list[str] | None = None) -> dict[str, Any]:
        # What is already in the basket is not shown again; the basket is not used as a
        # purchase history (that would bring "buy again" items into a plain search).
        skip = tuple(dict.fromkeys([*(exclude or ()), *self.session.basket]))
        filters = Filters(min_price=min_price, max_price=max_price, exclude=skip)
        rec = self.retriever.recommend(question, k=max(1, min(int(k), 20)), filters=filters)
        return recommendations_dict(rec, question=question)

    def bought_together(self, product_ids: list[str] | str) -> dict[str, Any]:
        refs = [product_ids] if isinstance(product_ids, str) else list(product_ids)
        if refs in (["basket"], ["my basket"]) or not refs:
            anchors = list(self.session.basket)
            if not anchors:
                return {"error": "the basket is empty; add something first"}
        else:
            anchors = [self.resolve_id(r) for r in refs]
        rec = self.retriever.bought_together(anchors, k=self.k, filters=Filters(exclude=tuple(self.session.basket)))
        titles = self.retriever.titles
        return recommendations_dict(rec, anchors=[{"product_id": a, "title": titles[a]} for a in anchors])

    def similar_items(self, product_id: str) -> dict[str, Any]:
        pid = self.resolve_id(product_id)
        rec = self.retriever.similar_items(pid, k=self.k)
        return recommendations_dict(rec, anchor={"product_id": pid, "title": self.retriever.titles[pid]})

    def product_details(self, product_id: str) -> dict[str, Any]:
        return {"product": self.details(self.resolve_id(product_id))}

    def compare_products(self, product_ids: list[str]) -> dict[str, Any]:
        ids = list(dict.fromkeys(self.resolve_id(r) for r in product_ids))
        if len(ids) < 2:
            return {"error": "name at least two different products to compare"}
        products = [self.details(pid) for pid in ids]
        priced = [p for p in products if p["price"] is not None]
        out: dict[str, Any] = {"products": products}
        if len(priced) >= 2:
            cheap, dear = min(priced, key=lambda p: p["price"]), max(priced, key=lambda p: p["price"])
            out["cheapest"] = cheap["product_id"]
            out["price_difference"] = money(dear["price"] - cheap["price"])
        # Whether the first is bought with the others: only rule/co-purchase evidence counts.
        rec = self.retriever.bought_together(ids[0], k=len(ids) - 1, filters=Filters(restrict=tuple(ids[1:])))
        links = [evidence_dict(e) | {"product_id": c.product_id} for c in rec.candidates
                 for e in c.evidence if e.source in ("rules", "copurchase")]
        if links:
            out["bought_together"] = links
        return out

    def add_to_basket(self, product_id: str, quantity: int = 1) -> dict[str, Any]:
        pid = self.resolve_id(product_id)
        quantity = int(quantity)
        if quantity < 1:
            return {"error": "quantity must be at least 1"}
        self.session.add_to_basket(pid, quantity)
        return {"added": {**self.details(pid), "quantity": quantity}, **self.show_basket()}

    def show_basket(self) -> dict[str, Any]:
        lines, total = [], 0.0
        for pid, qty in self.session.basket.items():
            p = self.retriever.catalogue.get(pid)
            line_total = money((p.price or 0.0) * qty)
            total += line_total
            lines.append({"product_id": pid, "title": p.title, "price": money(p.price),
                          "quantity": qty, "line_total": line_total})
        return {"basket": lines, "items": sum(self.session.basket.values()), "total": money(total)}

    def customer_history(self, customer_id: str) -> dict[str, Any]:
        if self.dataset is None:
            return {"error": "no basket history is loaded"}
        baskets = self.dataset.baskets.history(str(customer_id))
        if not baskets:
            return {"error": f"no orders for customer {customer_id!r}"}
        counts: dict[str, int] = {}
        for b in baskets:
            for pid in dict.fromkeys(b.items):
                counts[pid] = counts.get(pid, 0) + 1
        top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[: self.k * 2]
        titles = self.retriever.titles
        return {"customer_id": str(customer_id), "orders": len(baskets),
                "last_order": str(baskets[-1].timestamp) if baskets[-1].timestamp else None,
                "products": [{"product_id": pid, "title": titles.get(pid, pid), "orders_with_it": n,
                              "price": money(self.retriever.catalogue.get(pid).price) if pid in titles else None}
                             for pid, n in top]}

    # -- dispatch ------------------------------------------------------------------------
    @property
    def names(self) -> tuple[str, ...]:
        return SERVICE_TOOLS if self.role == "service" else SHOPPER_TOOLS

    def call(self, name: str, args: dict[str, Any]) -> dict[str, Any]:
        """Run one tool; a bad call becomes an error observation, never an exception."""
        if name not in self.names:
            log.warning("model asked for tool %r, which this role (%s) does not have", name, self.role)
            return {"error": f"unknown tool {name!r}; available: {', '.join(self.names)}"}
        try:
            return getattr(self, name)(**(args or {}))
        except (ShopassistError, LookupError, TypeError, ValueError) as exc:
            log.info("tool %s(%s) failed: %s", name, args, exc)
            return {"error": str(exc).strip('"')}



DESCRIPTIONS = {
    "search_products": "Find products for a shopper's request. question: the request in words; "
    "min_price/max_price: price bounds in pounds; k: how many (default 5); exclude: ids not to show.",
    "bought_together": "Products often bought together with the given products. product_ids: a list "
    "of product ids or titles, or [\"basket\"] for the shopper's basket.",
    "similar_items": "Alternatives: products most similar to one product (id or title).",
    "product_details": "Title, price, category, description and popularity of one product (id or title).",
    "compare_products": "Compare two or more products (ids or titles): prices, the price difference, "
    "and whether they are bought together.",
    "add_to_basket": "Add a product (id or title) to the shopper's basket; quantity defaults to 1.",
    "show_basket": "The shopper's basket: lines, quantities, total.",
    "customer_history": "A customer's past orders: how many, and the products bought most often.",
}


def agent_tools(names: tuple[str, ...]) -> list[BaseTool]:
    """The named tools for `create_agent`: schemas from the `ToolBox` signatures, docs from
    DESCRIPTIONS. Each runs on the turn's own toolbox (``runtime.context.toolbox``), so one
    compiled agent serves every session; the model reads the fenced JSON, the raw dict
    travels as the message's artifact for grounding."""
    return [_agent_tool(name) for name in names]


def _agent_tool(name: str) -> BaseTool:
    def run(runtime: ToolRuntime, **kwargs: Any) -> tuple[str, dict[str, Any]]:
        data = runtime.context.toolbox.call(name, kwargs)
        return fence_tool_output(name, data), data

    # The method's arguments, plus the injected `runtime` (hidden from the model's schema).
    base = create_schema_from_function(name, getattr(ToolBox, name), filter_args=["self"])
    schema = create_model(name, __base__=base, runtime=(ToolRuntime[Any, Any], None))
    return StructuredTool(name=name, description=DESCRIPTIONS[name], args_schema=schema, func=run,
                          response_format="content_and_artifact")
