"""Sessions: isolated, bounded, saved and restored exactly, and kept in the data root's store."""

from __future__ import annotations

from assistant import Session


def test_sessions_never_see_each_others_basket_or_turns(shop):
    shop.chat("alice", "jumbo bag")
    shop.chat("alice", "add the first one to my basket")
    bob = shop.chat("bob", "show my basket")
    assert bob.tool_calls[0]["result"]["basket"] == []
    assert "Your basket is empty." in bob.text
    assert len(shop.session("alice").turns) == 4 and len(shop.session("bob").turns) == 2
    # "the second one" in bob's session has no list to point at: it must not reach alice's
    reply = shop.chat("bob", "add the second one")
    assert reply.tool_calls == [] and shop.session("bob").basket == {}
    assert len(shop.session("alice").basket) == 1


def test_save_and_restore_continue_the_conversation(shop, make_shop, tmp_path):
    found = shop.chat("s", "lunch bag")
    shop.chat("s", "add the first one to my basket")
    path = shop.save_session("s", tmp_path / "s.json")
    fresh = make_shop()
    restored = fresh.load_session(path)
    assert restored.to_dict() == shop.session("s").to_dict()
    reply = fresh.chat("s", "add the second one")
    assert reply.tool_calls[0]["args"]["product_id"] == found.products[1]["product_id"]
    assert set(fresh.session("s").basket) == {found.products[0]["product_id"], found.products[1]["product_id"]}


def test_turns_are_bounded():
    s = Session("x", max_turns=4)
    for i in range(10):
        s.add_turn("user", str(i))
    assert [t.text for t in s.turns] == ["6", "7", "8", "9"]


def test_a_session_outlives_its_assistant_and_can_be_deleted(shop, make_shop):
    first = shop.chat("kept", "jumbo bag")
    assert first.session_status == "new"
    shop.chat("kept", "add the first one to my basket")
    again = make_shop()  # another assistant on the same data root: a restarted server
    assert again.basket("kept")["basket"][0]["product_id"] == first.products[0]["product_id"]
    assert again.chat("kept", "show my basket").session_status == "resumed"
    # Many sessions: none is dropped to make room (sessions expire by age, not by count).
    for i in range(30):
        again.add_to_basket(f"many-{i}", first.products[0]["product_id"])
    assert all(again.basket(f"many-{i}")["items"] == 1 for i in range(30))
    assert again.delete_session("kept") and not again.delete_session("kept")
    assert shop.basket("kept")["basket"] == [] and shop.session("kept").turns == []
    assert shop.chat("kept", "hello").session_status == "new"


def test_service_sessions_are_apart_from_shoppers(shop):
    shop.chat("same-id", "jumbo bag")
    shop.chat("same-id", "add the first one to my basket")
    service = shop.as_role("service")
    assert service.basket("same-id")["basket"] == [] and service.session("same-id").turns == []
    service.chat("same-id", "what did customer 17850 buy?")
    assert len(shop.session("same-id").turns) == 4 and len(service.session("same-id").turns) == 2


def test_one_compiled_agent_serves_concurrent_sessions_apart(shop):
    from concurrent.futures import ThreadPoolExecutor

    from langgraph.graph.state import CompiledStateGraph

    questions = {"a": "a lunch bag under £2", "b": "a cake stand", "c": "doormat", "d": "tea towels"}

    def converse(sid: str) -> tuple[str, list[str], dict]:
        first = shop.chat(sid, questions[sid])
        shop.chat(sid, "add the first one to my basket")
        return first.products[0]["product_id"], [p["product_id"] for p in first.products], shop.basket(sid)

    with ThreadPoolExecutor(4) as pool:
        results = dict(zip(questions, pool.map(converse, questions), strict=True))
    agents = list(shop.loop._agents.values())
    assert len(agents) == 1 and isinstance(agents[0], CompiledStateGraph)
    for sid, (first_id, ids, basket) in results.items():
        alone = shop.recommend(questions[sid], k=5)["products"]
        assert ids[0] == alone[0]["product_id"]  # the same answer as asked alone
        assert [line["product_id"] for line in basket["basket"]] == [first_id]  # its own basket only
    assert len({first for first, _, _ in results.values()}) == 4


def test_the_context_names_the_cheapest_and_dearest_shown():
    from assistant.results import Evidence, Listed
    from assistant.session import Session

    s = Session("x")
    s.shown = [Listed("A", "A A", 2.0, evidence=(Evidence("semantic", "long reason"),)),
               Listed("B", "B B", 1.0), Listed("C", "C C", None)]
    ctx = s.context()
    assert (ctx["cheapest_shown"], ctx["dearest_shown"]) == ("B", "A")
    assert ctx["shown"][0] == {"n": 1, "product_id": "A", "title": "A A", "price": 2.0}  # evidence stays out
