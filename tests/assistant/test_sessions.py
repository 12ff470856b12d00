"""Sessions: isolated, bounded, saved and restored exactly."""

from __future__ import annotations

from assistant import Session, SessionStore


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


def test_turns_and_sessions_are_bounded():
    s = Session("x", max_turns=4)
    for i in range(10):
        s.add_turn("user", str(i))
    assert [t.text for t in s.turns] == ["6", "7", "8", "9"]
    store = SessionStore(max_sessions=2)
    for sid in "abc":
        store.get(sid)
    assert "a" not in store and len(store) == 2
