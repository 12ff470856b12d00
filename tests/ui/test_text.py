"""Escaping of product text for HTML, markdown and CSV (no browser, no data)."""

from __future__ import annotations

import csv
import io

import pytest

from ui.text import (
    code_block,
    csv_cell,
    html_text,
    markdown_text,
    money,
    reply_markdown,
    word_chunks,
)

SCRIPT = "<script>window.__pwned=1</script>"
IMG = '<img src=x onerror="window.__pwned=1">'


def test_html_text_leaves_no_tag_or_attribute_breakout():
    out = html_text(f'{IMG}" onmouseover="x')
    assert "<" not in out and ">" not in out and '"' not in out
    assert out.startswith("&lt;img src=x onerror=&quot;")


@pytest.mark.parametrize("raw", [SCRIPT, IMG, "**bold** _it_ [x](javascript:alert(1))",
                                 "# heading", "$$x^2$$", "`code`", "a & b &lt; c", "1. not a list"])
def test_markdown_text_escapes_every_markdown_and_html_trigger(raw):
    out = markdown_text(raw)
    assert "<" not in out and ">" not in out
    # Every markdown punctuation character is backslash-escaped, so nothing forms syntax.
    for ch in "*_[]()#$`":
        assert f"\\{ch}" in out if ch in raw else ch not in out
    # An "&" is itself escaped, so a title holding "&lt;" shows those four characters.
    assert out.count("&") == out.count("&amp;") + out.count("&lt;") + out.count("&gt;")
    if "&lt;" in raw:
        assert "&amp;lt;" in out


def test_reply_markdown_keeps_the_models_markdown_but_not_the_titles():
    reply = f"**Top pick:** {SCRIPT} (23206) and <b>more</b>"
    out = reply_markdown(reply, [SCRIPT])
    assert out.startswith("**Top pick:** ")  # the model's own emphasis still renders
    assert "<script>" not in out and "<b>" not in out
    assert markdown_text(SCRIPT) in out


def test_reply_markdown_escapes_the_longest_title_first():
    out = reply_markdown("LUNCH BAG *RED* and LUNCH BAG", ["LUNCH BAG", "LUNCH BAG *RED*"])
    assert out == "LUNCH BAG \\*RED\\* and LUNCH BAG"


def test_code_block_fence_outlasts_backticks_inside():
    block = code_block("a ```` b")
    fence = block.split("\n", 1)[0]
    assert fence == "`````" and block.endswith("\n`````")


def test_csv_cells_that_would_be_formulas_are_defused():
    rows = [[csv_cell(v) for v in ["=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "plain", 1.5]]]
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    cells = next(csv.reader(io.StringIO(buf.getvalue())))
    assert cells[:4] == ["'=HYPERLINK(\"http://x\")", "'+1", "'-2", "'@SUM(A1)"]
    assert cells[4:] == ["plain", "1.5"]


def test_money_and_missing_prices():
    from retrieval.money import Money

    assert money(1.5, Money("GBP", "en_GB")) == "£1.50"
    assert money(1.5, Money("BRL", "pt_BR")) == "R$\xa01,50"
    assert money(1234.5) == "1,234.50"  # a shop without a currency: plain numbers
    assert money(None) == money("n/a") == "price unknown"


def test_word_chunks_grow_to_the_whole_text_without_splitting_words():
    text = "one &lt;two\\_ three four five six seven eight"
    parts = list(word_chunks(text, pieces=3))
    assert parts[-1] == text and len(parts) >= 3
    assert all(text.startswith(p) for p in parts)
    assert all(len(a) < len(b) for a, b in zip(parts, parts[1:], strict=False))
    # Each cut falls on whitespace: no escape sequence ("&lt;", "\\_") is ever split.
    assert all(p[-1:].isspace() or text[len(p):len(p) + 1] in ("", " ") for p in parts)
