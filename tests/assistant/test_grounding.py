"""Grounding against real tool output: invented products and wrong figures are caught."""

from __future__ import annotations

from assistant.agent.grounding import Grounding, Ledger
from assistant.agent.tools import ToolBox
from assistant.session import Session


def test_grounding_catches_invented_products_and_wrong_figures(bundled_retriever):
    tools = ToolBox(bundled_retriever, Session("g"))
    data = tools.bought_together(["85123A"])
    ledger = Ledger().extend([data])
    check = Grounding(bundled_retriever.titles).check
    top = data["products"][0]
    rule = next(e for e in top["evidence"] if e["source"] == "rules")
    good = f"{top['title']} ({top['product_id']}, £{top['price']:.2f}) goes with it in {rule['confidence']:.0%} of baskets."
    assert check(good, ledger) == []
    assert check(good.replace(f"£{top['price']:.2f}", f"£{top['price'] + 0.5:.2f}"), ledger)
    assert check(good.replace(f"{rule['confidence']:.0%}", "97%"), ledger)
    unknown = next(pid for pid in bundled_retriever.ids if pid not in ledger.products and len(bundled_retriever.titles[pid].split()) > 2)
    assert any(unknown in p for p in check(f"Also try {bundled_retriever.titles[unknown]}.", ledger))
    assert check("Also try 12345Q.", ledger) == ["product id 12345Q was not returned by any tool"]
