"""The typed tool results: each kind reads back from its one JSON form, the model reads that
form, and one function finds the products of any result."""

from __future__ import annotations

import dataclasses
import json

import pytest

from assistant.agent.prompts import fence_tool_output, unfence
from assistant.agent.tools import ToolBox
from assistant.results import (
    BasketView,
    Comparison,
    CustomerHistory,
    Explanation,
    Listing,
    ProductDetails,
    ToolError,
    ToolOutput,
    products_of,
)
from assistant.session import Session

CALLS = [
    ("search_products", {"question": "red lunch bag", "max_price": 2}, Listing),
    ("search_products", {"question": "do you sell iphones?"}, Listing),
    ("bought_together", {"product_ids": ["85123A"]}, Listing),
    ("similar_items", {"product_id": "85123A"}, Listing),
    ("product_details", {"product_id": "85123A"}, ProductDetails),
    ("compare_products", {"product_ids": ["85123A", "22423"]}, Comparison),
    ("why_recommended", {"product_id": "21733"}, Explanation),
    ("add_to_basket", {"product_id": "85123A", "quantity": 2}, BasketView),
    ("remove_from_basket", {"product_id": "85123A", "quantity": 1}, BasketView),
    ("show_basket", {}, BasketView),
    ("customer_history", {"customer_id": "12347"}, CustomerHistory),
    ("customer_recommendations", {"customer_id": "12347"}, Listing),
    ("customer_recommendations", {"customer_id": "12347", "bought_before": True}, Listing),
    ("customer_recommendations", {"customer_id": "12347", "new_only": True, "bought_before": True}, ToolError),
    ("product_details", {"product_id": "no such thing at all"}, ToolError),
    ("compare_products", {"product_ids": ["85123A"]}, ToolError),
]


@pytest.fixture(scope="module")
def outputs(bundled_retriever, bundled_dataset) -> list[tuple[str, ToolOutput]]:
    session = Session("typed")
    tools = ToolBox(bundled_retriever, session, "service", bundled_dataset)
    out = []
    for name, args, _ in CALLS:
        result = tools.call(name, args)
        if name == "bought_together":
            session.shown = list(result.products)  # what `why_recommended` explains
        out.append((name, result))
    return out


def test_each_tool_returns_its_kind_with_the_shops_currency(outputs, bundled_retriever):
    assert [type(r) for _, r in outputs] == [kind for _, _, kind in CALLS]
    money = bundled_retriever.money
    assert all(r.to_json()["currency"] == money.currency and r.to_json()["locale"] == money.locale
               for _, r in outputs if not isinstance(r, ToolError))


def test_every_result_reads_back_from_its_json_unchanged(outputs):
    for name, result in outputs:
        as_json = json.loads(json.dumps(result.to_json()))  # what a store or a client holds
        assert ToolOutput.from_json(as_json) == result, name
        assert ToolOutput.from_json(as_json).to_json() == result.to_json(), name


def test_the_model_reads_the_same_json_with_products_in_short(outputs):
    for name, result in outputs:
        seen = unfence(fence_tool_output(name, result.to_json()))
        assert set(seen) == set(result.to_json()), name
        if isinstance(result, Listing):
            assert [p["product_id"] for p in seen["products"]] == [p.product_id for p in result.products]
            assert all(set(p) <= {"n", "product_id", "title", "price", "why"} for p in seen["products"])


def test_products_of_finds_what_each_result_is_about(outputs):
    by_name = _first(outputs)
    search, details = by_name["search_products"], by_name["product_details"]
    assert [p.product_id for p in products_of(search)] == [p.product_id for p in search.products]
    assert [p.product_id for p in products_of(details)] == ["85123A"]
    added = next(r for n, r in outputs if n == "add_to_basket")
    assert [p.product_id for p in products_of(added)] == ["85123A"]  # the added one, not the lines
    assert products_of(by_name["show_basket"]) == [] and products_of(ToolError(error="x")) == []
    # Several results: each product once, first seen first.
    both = products_of([details, search, details])
    assert [p.product_id for p in both] == list(dict.fromkeys(["85123A", *(p.product_id for p in search.products)]))


def test_flags_stay_out_of_the_json_unless_set(outputs):
    found, nothing_close = (r.to_json() for n, r in outputs if n == "search_products")
    assert "no_match" not in found and nothing_close["no_match"] is True
    refused = outputs[-1][1].to_json()
    assert refused["error"] and not {"retry", "refused"} & set(refused)


def _first(outputs: list[tuple[str, ToolOutput]]) -> dict[str, ToolOutput]:
    first: dict[str, ToolOutput] = {}
    for name, result in outputs:
        first.setdefault(name, result)
    return first


def test_a_price_limit_of_zero_is_still_a_limit():
    from assistant.results import Filters

    assert Filters(min_price=0.0).to_json() == {"min_price": 0.0}
    assert Filters().to_json() == {}


def test_a_note_after_a_list_is_its_own_paragraph(bundled_retriever, bundled_dataset):
    # Markdown reads a line straight after a numbered item as part of that item: the
    # chat showed "Note: ..." inside the last product. A blank line ends the list.
    from assistant.agent.writer import ToolResult, write

    tools = ToolBox(bundled_retriever, Session("notes"), "shopper", bundled_dataset)
    args = {"question": "got any cheap lunch bags?"}
    found = tools.call("search_products", args)
    assert isinstance(found, Listing) and len(found.products) >= 3
    listing = dataclasses.replace(found, notes=("these are the closest matches, cheapest first",))
    text = write(ToolResult("search_products", args, listing))
    items, _, rest = text.partition("\n\n")
    assert items.splitlines()[-1].startswith(f"{min(len(listing.products), 5)}.")
    assert rest.startswith("Note: ")
