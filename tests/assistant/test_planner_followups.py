"""The offline planner on plain shopper phrasing: follow-ups over the list shown, ids inside
phrases, ids never read as quantities, a cap on quantities, removal, "nothing close", and the
customer-service role's questions about a customer."""

from __future__ import annotations


def names(reply) -> list[str]:
    return [c["name"] for c in reply.tool_calls]


def args(reply, i: int = 0) -> dict:
    return reply.tool_calls[i]["args"]


def test_cheapest_dearest_and_positions_point_at_the_list_shown(shop):
    shown = shop.chat("f", "show me red lunch bags").products
    cheapest = min(shown, key=lambda p: p["price"])
    reply = shop.chat("f", "which is the cheapest?")
    assert names(reply) == ["product_details"] and args(reply)["product_id"] == cheapest["product_id"]
    reply = shop.chat("f", "and the most expensive one?")
    assert args(reply)["product_id"] == max(shown, key=lambda p: p["price"])["product_id"]
    shop.chat("f", "add the second one to my basket")
    assert [line["product_id"] for line in shop.basket("f")["basket"]] == [shown[1]["product_id"]]
    # "the cheapest teapot" names something new: a search, not the list
    assert names(shop.chat("f", "what's the cheapest teapot?")) == ["search_products"]


def test_ids_inside_phrases(shop):
    for message in ("tell me about product 84879", "item #84879", "sku 84879", "item #84879 - what is it?",
                    "what's 84879?"):
        reply = shop.chat("ids", message)
        assert names(reply) == ["product_details"], message
        assert reply.tool_calls[0]["result"]["product"]["product_id"] == "84879", message


def test_an_id_is_never_a_quantity(shop):
    shop.chat("q", "add 85123A to my basket")
    shop.chat("q", "add 22423 to my basket")
    assert {line["product_id"]: line["quantity"] for line in shop.basket("q")["basket"]} == {"85123A": 1, "22423": 1}
    shop.chat("q2", "add 22423 to my basket")  # as the first message too
    assert shop.basket("q2")["items"] == 1


def test_quantities_are_capped_with_a_clear_message(shop):
    reply = shop.chat("cap", "add 1000000 of 85123A to my basket")
    assert shop.basket("cap")["items"] == 0
    assert "at most 1,000" in reply.text


def test_removing_by_pronoun_id_and_title(shop):
    shop.chat("r", "add 85123A to my basket")
    shop.chat("r", "add 2 of 22423")
    reply = shop.chat("r", "remove it")
    assert names(reply) == ["remove_from_basket"] and args(reply)["product_id"] == "22423"
    shop.chat("r", "add 22423 to my basket")
    shop.chat("r", "take 22423 out of my basket")
    reply = shop.chat("r", "remove the white hanging heart t-light holder from my basket")
    assert reply.tool_calls[0]["result"]["removed"]["product_id"] == "85123A"
    assert shop.basket("r")["items"] == 0


def test_nothing_close_is_said_and_alternatives_are_not_matches(shop):
    reply = shop.chat("n", "do you sell iPhones?")
    assert reply.tool_calls[0]["result"]["no_match"] is True
    assert "nothing close" in reply.text and "matches" not in reply.text
    assert "no_match" not in shop.chat("n2", "a lunch bag").tool_calls[0]["result"]


def test_why_quotes_the_evidence(shop):
    goes = shop.chat("w", "what goes with 85123A?")
    reply = shop.chat("w", "why the first one?")
    assert names(reply) == ["why_recommended"]
    first = goes.products[0]
    assert args(reply)["product_id"] == first["product_id"]
    assert first["evidence"][0]["text"] in reply.text and reply.grounding["ok"]


def test_service_questions_about_a_customer(make_shop, bundled_dataset):
    service = make_shop(role="service")
    named = service.chat("s1", "what did customer 17850 buy?")
    assert names(named) == ["customer_history"] and args(named)["customer_id"] == "17850"
    last = service.chat("s2", "what did they buy last?", customer_id="12347")
    assert names(last) == ["customer_history"]
    last_order = list(dict.fromkeys(bundled_dataset.baskets.history("12347")[-1].items))
    assert all(pid in last.text for pid in last_order[:3])
    recs = service.chat("s2", "what should we recommend to them?")
    assert names(recs) == ["customer_recommendations"] and recs.products
    assert all(p["evidence"] for p in recs.products)
    why = service.chat("s2", "why the first one?")
    assert recs.products[0]["evidence"][0]["text"] in why.text
    # The way an agent types it with the customer on screen.
    for plain in ("what should they buy next?", "anything new they might like?", "what would she want again"):
        assert names(service.chat("s2", plain)) == ["customer_recommendations"], plain
    # Asked for what is new to them: the ranker's "new" mode, nothing they bought before.
    owned = {pid for b in bundled_dataset.baskets.history("12347") for pid in b.items}
    for plain in ("anything new they might like?", "something she hasn't tried?"):
        fresh = service.chat("s2", plain)
        assert names(fresh) == ["customer_recommendations"] and args(fresh)["new_only"] is True, plain
        assert fresh.products and not {p["product_id"] for p in fresh.products} & owned, plain
    assert "new_only" not in args(service.chat("s2", "what should they buy next?"))
    # Asked for what they might reorder: only what they bought before, each saying when.
    for plain in ("what would she want again", "anything they might reorder?", "anything they should restock",
                  "is she running low on anything"):
        again = service.chat("s2", plain)
        assert args(again) == {"customer_id": "12347", "bought_before": True}, plain
        assert again.products and {p["product_id"] for p in again.products} <= owned, plain
        assert all(p["evidence"][0]["source"] == "repeat" for p in again.products), plain
        assert "Note: only products they have bought before." in again.text, plain
    # Their habits are their history, which lists what they buy most often.
    for plain in ("what does she usually buy", "what are their regulars", "what do they buy a lot",
                  "what's his usual order"):
        assert names(service.chat("s2", plain)) == ["customer_history"], plain
    # a shopper's assistant has no customer tools at all
    shopper = make_shop().chat("s3", "what did customer 17850 buy?")
    assert not {"customer_history", "customer_recommendations"} & set(names(shopper))


def test_a_shopper_asking_for_ideas_gets_picks_not_a_search(make_shop, bundled_dataset):
    shop = make_shop()
    # A guest with an empty basket: the best sellers, said to be that.
    for plain in ("recommend something for me", "what should I buy?", "any ideas?", "surprise me",
                  "got any suggestions?", "got anything u think id like??", "anything you think i'd like?"):
        reply = shop.chat("idea0", plain)
        assert names(reply) == ["recommend_for_me"], plain
        assert "best sellers" in reply.text and len(reply.products) == 5, plain
    # With a basket: picked from it, its evidence about it, nothing of the basket again.
    shop.chat("idea1", "add 85099B to my basket")
    reply = shop.chat("idea1", "what else should I get?")
    assert names(reply) == ["recommend_for_me"] and "from what is in your basket" in reply.text
    ids = [p["product_id"] for p in reply.products]
    assert ids and "85099B" not in ids
    assert any("JUMBO BAG RED RETROSPOT" in e["text"] for p in reply.products for e in p["evidence"])
    assert "usually buy" not in reply.text  # a guest's basket is not a purchase history
    shop.chat("idea1", "add the first one")
    assert {line["product_id"] for line in shop.basket("idea1")["basket"]} == {"85099B", ids[0]}
    # A kind of product named is a search.
    for named in ("recommend a teapot", "ideas for my mum", "something under 5 for me", "i'd like a teapot"):
        assert names(shop.chat("idea2", named)) == ["search_products"], named
    # Signed in (the integrating app passes the customer): from their own orders, and "new"
    # leaves out everything they bought.
    orders = bundled_dataset.baskets.history("12347")
    owned = {pid for b in orders for pid in b.items}
    mine = shop.chat("idea3", "what should I buy?", customer_id="12347")
    assert names(mine) == ["recommend_for_me"] and f"from your {len(orders)} past order(s)" in mine.text
    # Buy again, as shoppers put it: picks from their orders, not a product search.
    for again in ("what should i buy again", "what else should i get? anything i might need again soon",
                  "time to reorder?", "what do i usually buy", "anything I usually get that I'm due for?",
                  "what am i running low on?", "anything i usually get that i should grab again",
                  "what do i normally buy", "my usual stuff", "things i buy a lot", "need to stock up on anything?",
                  "what should i pick up again", "show me my regulars"):
        reply = shop.chat("idea5", again, customer_id="12347")
        assert names(reply) == ["recommend_for_me"] and args(reply) == {"bought_before": True}, again
        assert f"from your {len(orders)} past order(s)" in reply.text and reply.products, again
        assert {p["product_id"] for p in reply.products} <= owned, again
        # Each line leads with when they bought it ("you buy this about every 3 weeks; ...").
        assert all(p["evidence"][0]["source"] == "repeat" and p["role"] == "buy again" for p in reply.products)
        assert "you b" in reply.text.split("\n")[1], again
    # Their own orders, as shoppers ask for them: the history, not picks and not a search.
    last = list(dict.fromkeys(orders[-1].items))
    for past in ("what did i get last time?", "show me my past orders", "my order history",
                 "what was in my last order", "what have i bought before?", "what was in my last basket?"):
        reply = shop.chat("idea7", past, customer_id="12347")
        assert names(reply) == ["my_orders"] and "own_orders" not in reply.events, past  # the planner's own reading
        assert reply.text.startswith(f"You have {len(orders)} order(s), the last on "), past
        # The last order first: what "last time" asks for.
        said = reply.text.split("In your last order:")[1].split("\n")[0]
        assert all(f"{shop.retriever.titles[pid]} ({pid})" in said for pid in last[:10]), past
    assert names(shop.chat("idea7", "what did i get last time? anything to reorder", customer_id="12347")) == [
        "recommend_for_me"]
    # A guest has none to show, and can never read a customer's.
    guest = shop.chat("idea8", "show me my past orders")
    assert names(guest) == ["my_orders"] and "no past orders of yours" in guest.text and not guest.products
    # A guest has nothing to buy again: told so, nothing passed off as their own.
    guest = shop.chat("idea6", "what should i buy again")
    assert names(guest) == ["recommend_for_me"] and not guest.products and "no past orders" in guest.text
    assert args(shop.chat("idea3", "what should I buy?", customer_id="12347")) == {}
    assert names(shop.chat("idea5", "i need a teapot again", customer_id="12347")) == ["search_products"]
    # "Most" and "a lot" are the shopper's own only after "I": other people's is not a buy-again list.
    assert args(shop.chat("idea5", "what do people buy most", customer_id="12347")).get("bought_before") is None
    fresh = shop.chat("idea3", "anything new I might like?", customer_id="12347")
    assert args(fresh)["new_only"] is True and "not bought before" in fresh.text
    assert fresh.products and not {p["product_id"] for p in fresh.products} & owned
    # The console's agent asks about the customer on screen, never "for me".
    assert "recommend_for_me" not in names(make_shop(role="service").chat("idea4", "any ideas?"))
