"""Grounding against real tool output: invented products and wrong figures are caught."""

from __future__ import annotations

from assistant.agent.grounding import Grounding, Ledger
from assistant.agent.tools import ToolBox
from assistant.results import ProductDetails
from assistant.session import Session


def test_grounding_catches_invented_products_and_wrong_figures(bundled_retriever):
    tools = ToolBox(bundled_retriever, Session("g"))
    data = tools.bought_together(["85123A"])
    ledger = Ledger().extend([data])
    check = Grounding(bundled_retriever.titles, money=bundled_retriever.money).check
    top = data.products[0]
    rule = next(e for e in top.evidence if e.source == "rules")
    good = f"{top.title} ({top.product_id}, £{top.price:.2f}) goes with it in {rule.confidence:.0%} of baskets."
    assert check(good, ledger) == []
    assert check(good.replace(f"£{top.price:.2f}", f"£{top.price + 0.5:.2f}"), ledger)
    assert check(good.replace(f"{rule.confidence:.0%}", "97%"), ledger)
    unknown = next(pid for pid in bundled_retriever.ids if pid not in ledger.products and len(bundled_retriever.titles[pid].split()) > 2)
    assert any(unknown in p for p in check(f"Also try {bundled_retriever.titles[unknown]}.", ledger))
    assert check("Also try 12345Q.", ledger) == ["product id 12345Q was not returned by any tool"]


def test_claims_that_contradict_the_evidence(bundled_retriever):
    from assistant.agent.tools import SERVICE_TOOLS

    tools = ToolBox(bundled_retriever, Session("c"))
    data = tools.search_products("lunch bag", max_price=2)
    ledger = Ledger().extend([data])
    check = Grounding(bundled_retriever.titles, tool_names=SERVICE_TOOLS, money=bundled_retriever.money).check
    a, b = data.products[0], data.products[1]
    honest = f"Under £2: {a.title} ({a.product_id}, £{a.price:.2f})."
    assert check(honest, ledger) == []
    # a list called "under £1.50" that holds a dearer item
    assert any("says up to £1.5" in p for p in check(honest.replace("Under £2", "Under £1.50"), ledger))
    # a product named with another product's title
    swapped = f"{b.title} ({a.product_id}, £{a.price:.2f})"
    assert any("another product's title" in p for p in check(swapped, ledger))
    # a real price written beside the wrong product
    dear = tools.details("22423")  # REGENCY CAKESTAND 3 TIER, £12.75
    ledger.add(ProductDetails(product=dear))
    assert ledger.prices["22423"] == dear.price == 12.75  # read from the typed result
    assert any("priced £12.75 in the answer" in p for p in check(f"{a.title} ({a.product_id}, £12.75)", ledger))
    # counts are not prices: "at most 1,000 of one product" claims no price limit
    assert check(f"{a.title} ({a.product_id}) — at most 1,000 of one product fit in a basket.", ledger) == []


def test_tool_internals_never_pass(bundled_retriever):
    from assistant.agent.tools import SERVICE_TOOLS

    check = Grounding(bundled_retriever.titles, tool_names=SERVICE_TOOLS, money=bundled_retriever.money).check
    ledger = Ledger()
    assert check('{"name": "show_basket", "arguments": {}}', ledger)
    assert check("<tool_call>{}</tool_call>", ledger)
    assert check("I used the search_products function with the following arguments: teapot.", ledger)
    assert check("I called the basket tool for you.", ledger)
    assert check("Your basket is empty.", ledger) == []


def test_id_shapes_are_learned_from_the_catalogue_not_fixed():
    from assistant.agent.id_shapes import IdShapes

    us = IdShapes.learn(["FUR-BO-10001798", "OFF-PA-10000174", "TEC-PH-10002033", "OFF-BI-10003910"])
    assert us.tokens("Try FUR-BO-10009999, not EP-13915, 2017 or 10009999.") == ["FUR-BO-10009999"]
    retail = IdShapes.learn(["85123A", "20725", "22423", "84879", "85099B"])
    assert retail.tokens("Try 12345Q or 99999; FUR-BO-10009999 is not this shop's.") == ["12345Q", "99999"]
    # A shape of letters alone is a word, whatever the catalogue: it never makes words suspect.
    assert IdShapes.learn(["BAG", "MUG", "CUP"]).tokens("a BAG and a MUG") == []


def test_products_a_rule_names_in_its_evidence_are_no_invention(bundled_retriever):
    """A rule's sentence names the products it was bought with; an answer quoting them (or
    saying them again) names what a tool returned. A title no tool sentence holds still fails."""
    tools = ToolBox(bundled_retriever, Session("r"))
    data = tools.bought_together(["85123A", "22423"])
    ledger = Ledger().extend([data])
    check = Grounding(bundled_retriever.titles, money=bundled_retriever.money).check
    top = data.products[0]
    rule = next(e for e in top.evidence if e.source == "rules")
    named = [t for t in bundled_retriever.titles.values() if t.lower() in rule.text.lower() and t != top.title]
    assert named  # the sentence names the basket's products
    for anchor in ("85123A", "22423"):  # as a customer's recommendations hold them: not at all
        ledger.products.pop(anchor, None)
    assert check(f"{top.title} ({top.product_id}, £{top.price:.2f}) \u2014 {rule.text}", ledger) == []
    assert check(f"It goes with {named[0]}.", ledger) == []
    unknown = next(pid for pid in bundled_retriever.ids if pid not in ledger.products
                   and len(bundled_retriever.titles[pid].split()) > 2
                   and bundled_retriever.titles[pid].lower() not in rule.text.lower())
    assert any(unknown in p for p in check(f"It goes with {bundled_retriever.titles[unknown]}.", ledger))
