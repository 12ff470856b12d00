"""`shopassist ask` and `shopassist chat`, in-process, over the bundled retriever."""

from __future__ import annotations

import json

import pytest

from assistant import ShoppingAssistant
from assistant.cli import main


@pytest.fixture
def opened(monkeypatch, bundled_retriever, bundled_dataset):
    def open_(home=None, model="offline", role="shopper", **kw):
        return ShoppingAssistant(bundled_retriever, bundled_dataset, model=model, role=role)

    monkeypatch.setattr(ShoppingAssistant, "open", staticmethod(open_))


def test_ask_json_and_session_carry_over(opened, capsys):
    assert main(["ask", "lunch bag under £2", "--json", "--session", "t1"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["tool_calls"][0]["name"] == "search_products" and first["grounding"]["ok"]
    assert all(p["price"] <= 2 for p in first["products"])
    assert main(["ask", "add the second one to my basket", "--session", "t1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Added 1 × {first['products'][1]['title']}")


def test_runs_without_a_session_start_fresh_and_leave_nothing_behind(monkeypatch, bundled_retriever,
                                                                     bundled_dataset, tmp_path, capsys):
    from assistant.session_setup import open_sessions

    # The store the real `open` gives: SQLite under the data root, kept between runs.
    store = open_sessions(tmp_path, scope="shopper", url=f"sqlite:///{tmp_path / 'sessions.sqlite3'}")

    def open_(home=None, model="offline", role="shopper", **kw):
        return ShoppingAssistant(bundled_retriever, bundled_dataset, model=model, role=role, sessions=store)

    monkeypatch.setattr(ShoppingAssistant, "open", staticmethod(open_))
    assert main(["ask", "add 85123A to my basket", "--customer", "12347"]) == 0
    assert "85123A" in capsys.readouterr().out
    assert main(["ask", "show my basket", "--json"]) == 0
    later = json.loads(capsys.readouterr().out)
    assert later["session_status"] == "new" and "empty" in later["text"].lower()
    assert main(["ask", "what should i buy again", "--json"]) == 0  # no customer carried over
    assert "no past orders" in json.loads(capsys.readouterr().out)["text"]
    assert list(store.ids()) == []
    assert main(["ask", "add 85123A to my basket", "--session", "kept"]) == 0
    assert list(store.ids()) == ["kept"]


def test_chat_loop(opened, capsys):
    from assistant.commands import chat

    lines = iter(["jumbo bag", "", "show my basket", "quit"])
    args = type("A", (), {"home": None, "model": "offline", "role": "shopper", "customer": None, "session": None})
    assert chat.run(args, read=lambda _prompt: next(lines)) == 0
    out = capsys.readouterr().out
    assert "JUMBO BAG" in out and "Your basket is empty." in out


def test_unknown_model_is_a_plain_error(opened, capsys):
    assert main(["ask", "hi", "--model", "nope"]) == 2
    assert "unknown model 'nope'" in capsys.readouterr().err
