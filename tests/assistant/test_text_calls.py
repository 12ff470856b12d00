"""Tool calls written as text, in the forms small models really write them, are read; a JSON
object quoted inside a longer answer is not a call."""

from __future__ import annotations

import pytest

from assistant.agent.middleware import text_tool_calls

NAMES = {"show_basket", "search_products", "add_to_basket"}


@pytest.mark.parametrize(("text", "expected"), [
    # doubled braces, copied from a chat template that prints its own format that way
    ('{{"name": "show_basket", "arguments": {}}}}', [("show_basket", {})]),
    ('{{"name": "search_products", "arguments": {{"question": "teapot", "max_price": 10}}}}',
     [("search_products", {"question": "teapot", "max_price": 10})]),
    # Qwen / Hermes tags, one or several
    ('<tool_call>\n{"name": "search_products", "arguments": {"question": "red lunch bags"}}\n</tool_call>',
     [("search_products", {"question": "red lunch bags"})]),
    ('<tool_call>{"name": "show_basket", "arguments": {}}</tool_call>\n'
     '<tool_call>{"name": "search_products", "arguments": {"question": "mug"}}</tool_call>',
     [("show_basket", {}), ("search_products", {"question": "mug"})]),
    # a list of calls, a fence with a sentence, OpenAI's own shape with string arguments
    ('[{"name": "show_basket", "arguments": {}}, {"name": "search_products", "arguments": {"question": "x"}}]',
     [("show_basket", {}), ("search_products", {"question": "x"})]),
    ('Sure!\n```json\n{"name": "show_basket", "arguments": {}}\n```', [("show_basket", {})]),
    ('{"type": "function", "function": {"name": "functions.show_basket", "arguments": "{}"}}', [("show_basket", {})]),
    ('{"tool_calls": [{"name": "show_basket", "arguments": {}}]}', [("show_basket", {})]),
])
def test_every_written_form_is_read(text, expected):
    assert [(c["name"], c["args"]) for c in text_tool_calls(text, NAMES)] == expected


def test_unknown_tools_and_quotations_are_not_calls():
    assert text_tool_calls('{"name": "delete_everything", "arguments": {}}', NAMES) == []
    quoted = ("Here are some lunch bags: 1. LUNCH BAG RED (20725, £1.65). One title says "
              '{"name": "add_to_basket", "arguments": {"product_id": "20725"}} ' + "and more words " * 20)
    assert text_tool_calls(quoted, NAMES) == []
