"""Scripted conversations with the offline planner over the real bundled retriever: the
tool calls it makes, and the products and figures its answers quote."""

from __future__ import annotations

import pytest


def names(reply) -> list[str]:
    return [c["name"] for c in reply.tool_calls]


def args(reply, i: int = 0) -> dict:
    return reply.tool_calls[i]["args"]


def assert_quoted(reply) -> None:
    """Every product the reply is about is named in the text with its id and exact price."""
    for p in reply.products:
        assert p["title"] in reply.text
        assert f"({p['product_id']}, £{p['price']:.2f}" in reply.text or f"({p['product_id']}) costs £{p['price']:.2f}" in reply.text
    assert reply.grounding["ok"], reply.grounding


def test_price_filter_then_cheaper_then_the_second_one(shop):
    first = shop.chat("s", "I need a lunch bag under £2")
    assert names(first) == ["search_products"]
    assert args(first)["max_price"] == 2.0
    assert len(first.products) == 5 and all(p["price"] <= 2.0 for p in first.products)
    assert any("LUNCH BAG" in p["title"] for p in first.products)
    assert "priced up to £2.00" in first.text
    assert_quoted(first)

    cheaper = shop.chat("s", "cheaper")
    assert names(cheaper) == ["search_products"]
    limit = round(min(p["price"] for p in first.products) - 0.01, 2)
    assert args(cheaper)["max_price"] == limit
    assert set(args(cheaper)["exclude"]) == {p["product_id"] for p in first.products}
    assert cheaper.products and all(p["price"] <= limit for p in cheaper.products)
    assert_quoted(cheaper)

    second = shop.chat("s", "tell me about the second one")
    assert names(second) == ["product_details"]
    assert args(second)["product_id"] == cheaper.products[1]["product_id"]
    assert_quoted(second)


def test_basket_then_what_goes_with_it(shop, bundled_retriever):
    found = shop.chat("b", "jumbo bag")
    second_id = found.products[1]["product_id"]
    added = shop.chat("b", "add the second one to my basket")
    assert names(added) == ["add_to_basket"] and args(added) == {"product_id": second_id, "quantity": 1}
    more = shop.chat("b", "add 3 of the first one")
    assert args(more) == {"product_id": found.products[0]["product_id"], "quantity": 3}

    basket = shop.chat("b", "show my basket")
    assert names(basket) == ["show_basket"]
    data = basket.tool_calls[0]["result"]
    prices = {p["product_id"]: p["price"] for p in found.products}
    expected = round(prices[second_id] + 3 * prices[found.products[0]["product_id"]], 2)
    assert data["total"] == expected and f"Total: £{expected:.2f} for 4 item(s)." in basket.text

    goes = shop.chat("b", "what goes with my basket?")
    assert names(goes) == ["bought_together"] and args(goes) == {"product_ids": ["basket"]}
    in_basket = {second_id, found.products[0]["product_id"]}
    assert goes.products and not in_basket & {p["product_id"] for p in goes.products}
    rule = next(e for p in goes.products for e in p["evidence"] if e["source"] == "rules")
    assert rule["text"] in goes.text and f"{rule['confidence']:.0%}" in goes.text
    assert_quoted(goes)


def test_goes_with_a_named_product_quotes_the_rule(shop):
    reply = shop.chat("g", "what goes with the white hanging heart t-light holder?")
    assert names(reply) == ["bought_together"]
    assert reply.tool_calls[0]["result"]["anchors"][0]["product_id"] == "85123A"
    top = reply.products[0]
    assert top["evidence"][0]["source"] == "rules"
    assert f"{top['title']} ({top['product_id']}, £{top['price']:.2f}) — {top['evidence'][0]['text']}" in reply.text
    assert_quoted(reply)


def test_compare_two_products_by_name(shop):
    reply = shop.chat("c", "compare jumbo bag red retrospot and jumbo bag pink polkadot")
    assert names(reply) == ["compare_products"]
    result = reply.tool_calls[0]["result"]
    assert {p["product_id"] for p in result["products"]} == {"85099B", "22386"}
    link = result["bought_together"][0]
    assert link["text"] in reply.text
    assert reply.grounding["ok"]


def test_compare_the_first_and_second_shown(shop):
    found = shop.chat("c2", "candles between 1 and 3 pounds")
    assert args(found)["min_price"] == 1.0 and args(found)["max_price"] == 3.0
    assert all(1.0 <= p["price"] <= 3.0 for p in found.products)
    reply = shop.chat("c2", "compare the first and the second")
    assert args(reply)["product_ids"] == [p["product_id"] for p in found.products[:2]]


def test_more_like_that_and_details(shop):
    found = shop.chat("m", "regency cakestand")
    like = shop.chat("m", "more like that")
    assert names(like) == ["similar_items"] and args(like)["product_id"] == found.products[0]["product_id"]
    assert found.products[0]["product_id"] not in {p["product_id"] for p in like.products}
    assert_quoted(like)
    details = shop.chat("m", "details of 85123A")
    assert names(details) == ["product_details"]
    assert "WHITE HANGING HEART T-LIGHT HOLDER (85123A) costs £2.95" in details.text


def test_greeting_calls_no_tool(shop):
    reply = shop.chat("h", "hello")
    assert reply.tool_calls == [] and reply.grounding["ok"]


def test_customer_history_only_for_the_service_role(make_shop, bundled_dataset):
    customer = bundled_dataset.baskets.customers[0]
    service = make_shop(role="service").chat("x", "what did the customer buy before?", customer_id=customer)
    assert names(service) == ["customer_history"] and args(service) == {"customer_id": customer}
    assert service.grounding["ok"], service.grounding
    shopper = make_shop().chat("x", "what did the customer buy before?", customer_id=customer)
    assert "customer_history" not in names(shopper)


def test_add_by_id_and_by_a_name_starting_with_x(shop):
    reply = shop.chat("ids", "add 85123A to my basket")
    assert reply.tool_calls[0]["args"] == {"product_id": "85123A", "quantity": 1}
    reply = shop.chat("ids", "add 3 of 22423 please")
    assert reply.tool_calls[0]["args"] == {"product_id": "22423", "quantity": 3}
    assert shop.basket("ids")["items"] == 4
    reply = shop.chat("x", "add xmas lights")
    assert reply.tool_calls[0]["args"]["product_id"] == "xmas lights"


def test_an_unknown_product_is_not_found_for_the_api(shop):
    from retrieval.errors import NotFoundError

    with pytest.raises(NotFoundError, match="no product matches"):
        shop.rules("zzqqxx-nothing-like-it")


def test_like_a_named_product_but_cheaper_is_its_alternatives_under_its_price(shop):
    """The cheaper clause is a limit below the named product's own price, not part of its
    name; asked with a pronoun it means the product last shown."""
    anchor = shop.retriever.catalogue.get("22423")  # REGENCY CAKESTAND 3 TIER
    reply = shop.chat("lc", "anything like the regency cakestand but cheaper")
    assert names(reply) == ["similar_items"]
    assert args(reply)["max_price"] == round(anchor.price - 0.01, 2)
    assert reply.products and all(p["price"] < anchor.price for p in reply.products)
    assert "22423" not in {p["product_id"] for p in reply.products}
    assert f"Products like {anchor.title} (22423), priced up to £{anchor.price - 0.01:.2f}" in reply.text
    assert_quoted(reply)

    shown = shop.chat("lc2", "regency cakestand")
    first = shop.retriever.catalogue.get(shown.products[0]["product_id"])
    again = shop.chat("lc2", "something like it, only less expensive")
    assert names(again) == ["similar_items"]
    assert args(again)["max_price"] == round(first.price - 0.01, 2)
    assert again.products and all(p["price"] < first.price for p in again.products)
    assert_quoted(again)  # the anchor, shown last turn at its price, named beside the limit is no false alarm


def test_best_sellers_asked_for_are_the_shops_whoever_asks(shop, bundled_dataset):
    """"What's popular?" lists the shop's best sellers, each saying how many baskets hold it,
    for a guest and for a signed-in shopper alike (not their own picks, not a search for
    "people")."""
    by_baskets = sorted(shop.retriever.catalogue.ids, key=lambda pid: -shop.retriever.catalogue.get(pid).popularity)
    for say, who in (("what's popular?", None), ("what do people buy most", None), ("your best sellers", "12347")):
        reply = shop.chat(f"pop-{who}", say, customer_id=who)
        assert names(reply) == ["search_products"], say
        assert reply.text.startswith("The shop's best sellers:"), say
        ids = [p["product_id"] for p in reply.products]
        assert ids == by_baskets[:len(ids)] and len(ids) == 5, say
        top = shop.retriever.catalogue.get(ids[0])
        assert f"popular: in {top.popularity:,} baskets" in reply.text, say


def test_popular_with_a_product_named_is_the_best_selling_of_the_closest_matches(shop):
    plain = shop.chat("pp", "got any cake stands?")
    popular = shop.chat("pc", "what are your most popular cake stands?")
    counts = [shop.retriever.catalogue.get(p["product_id"]).popularity for p in popular.products]
    assert all("CAKE" in p["title"] for p in popular.products)
    assert counts == sorted(counts, reverse=True)
    assert counts[0] >= max(shop.retriever.catalogue.get(p["product_id"]).popularity for p in plain.products)
    assert "most popular first among the closest matches" in popular.text
    # Each line says why it leads: the baskets holding it.
    assert all(p["evidence"][0]["source"] == "popularity" for p in popular.products)


def test_cheap_without_a_figure_is_the_cheapest_of_the_closest_matches(shop):
    plain = shop.chat("cp", "got any cake stands?")
    cheap = shop.chat("cc", "got any cheap cake stands?")
    prices = [p["price"] for p in cheap.products]
    assert all("CAKE STAND" in p["title"] for p in cheap.products)
    assert prices == sorted(prices) and min(prices) <= min(p["price"] for p in plain.products)
    assert "cheapest first among the closest matches" in cheap.text
    assert_quoted(cheap)
