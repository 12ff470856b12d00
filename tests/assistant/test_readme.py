"""The README's Python example runs as written (only `open()` is pointed at the test data)."""

from __future__ import annotations

import pytest

from assistant import ShoppingAssistant

README_SNIPPET = '''
from assistant import ShoppingAssistant

assistant = ShoppingAssistant.open()          # the index `shopassist build` made
reply = assistant.chat("alice", "a lunch bag under £2")
print(reply.text)                              # products, prices and why each one
assistant.chat("alice", "add the second one to my basket")
reply = assistant.chat("alice", "what goes with my basket?")
for p in reply.products:
    print(p["product_id"], p["title"], p["price"], p["evidence"][0]["text"])
print([call["name"] for call in reply.tool_calls])   # ['bought_together']
'''


def test_readme_example_runs(monkeypatch, bundled_retriever, bundled_dataset, capsys):
    monkeypatch.setattr(ShoppingAssistant, "open",
                        staticmethod(lambda *a, **k: ShoppingAssistant(bundled_retriever, bundled_dataset)))
    exec(compile(README_SNIPPET, "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert "£" in out and "['bought_together']" in out
    assert "bought together with" in out or "also bought it" in out


pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
