"""Product cards and tool traces: every product string is text, not markup."""

from __future__ import annotations

from html.parser import HTMLParser

from assistant.agent.writer import ToolResult
from assistant.api import Reply
from assistant.results import (
    BasketLine,
    BasketView,
    Listed,
    Listing,
    Moved,
    ProductInfo,
    ProductRef,
    ToolError,
)
from retrieval.money import Money
from ui.cards import basket_html, basket_line_html, card_html, cards_html, reason
from ui.trace import call_title, reply_titles, tool_messages

GBP = Money("GBP", "en_GB")

PAYLOAD = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>'
PRODUCT = {"product_id": '23206"><b', "title": PAYLOAD, "price": 1.65, "role": "match",
           "description": "**bold** <i>desc</i>",
           "evidence": [{"source": "rules", "text": f"bought with {PAYLOAD}", "confidence": 0.5,
                         "lift": 21.3}, {"source": "popularity", "text": "popular"}]}


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.text = ""

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += attrs

    def handle_data(self, data):
        self.text += data


def parsed(html: str) -> Tags:
    p = Tags()
    p.feed(html)
    return p


def test_card_shows_title_price_and_reason_as_text():
    p = parsed(card_html(PRODUCT, currency=GBP))
    assert set(p.tags) <= {"article", "div", "span", "p"}  # no img, script, b or i
    assert not any(name.startswith("on") for name, _ in p.attrs)
    assert PAYLOAD in p.text and "£1.65" in p.text
    assert f"bought with {PAYLOAD}" in p.text  # the one-line reason: the first evidence
    assert "popular" not in p.text  # ...and only that one
    assert dict(p.attrs)["data-product-id"] == '23206"><b'


def test_console_card_lists_every_piece_of_evidence_with_its_figures():
    p = parsed(card_html(PRODUCT, evidence=True))
    assert "li" in p.tags and "img" not in p.tags
    assert "lift 21.3" in p.text and "confidence 0.500" in p.text and "popular" in p.text
    assert ("data-source", "rules") in p.attrs


def test_reason_falls_back_to_the_basket_quantity():
    assert reason({"quantity": 2}) == "in your basket (2)"
    assert reason({"evidence": []}) == ""


def test_empty_lists_and_basket():
    assert "Nothing" in cards_html([], empty="Nothing here <b>")
    assert "<b>" not in cards_html([], empty="Nothing here <b>")
    assert "empty" in basket_html({"items": 0})
    assert "£3.30" in basket_html({"items": 2, "total": 3.3}, GBP)
    assert "$3.30" in basket_html({"items": 2, "total": 3.3}, Money("USD", "en_US"))
    assert "3,30\xa0€" in basket_html({"items": 2, "total": 3.3}, Money("EUR", "de_DE"))
    line = parsed(basket_line_html({"product_id": "1", "title": PAYLOAD, "quantity": 2,
                                    "line_total": 3.3}))
    assert PAYLOAD in line.text and "img" not in line.tags


def test_tool_messages_are_collapsed_and_escape_their_titles():
    call = ToolResult("search_products", {"question": "*x* <img src=x>", "exclude": ["1"]},
                      Listing(products=(Listed("23206", PAYLOAD, 1.65),)))
    [msg] = tool_messages([call])
    assert msg.metadata["status"] == "done" and msg.metadata["log"] == "1 products"
    assert "<" not in call_title(call) and "\\*x\\*" in call_title(call)
    assert "exclude" not in call_title(call)
    # The titles sit in a fenced code block, which markdown shows verbatim.
    assert f"23206  {PAYLOAD}" in msg.content and msg.content.rstrip().endswith("```")
    [full] = tool_messages([call], full=True)
    assert '"products"' in full.content and "result:" in full.content


def test_a_basket_call_shows_its_lines_and_an_error_its_message():
    basket = BasketView(lines=(BasketLine("1", "MUG", 2.0, 2, 4.0),), items=2, total=4.0,
                        added=Moved(ProductInfo("1", "MUG", 2.0), 2))
    [shown] = tool_messages([ToolResult("add_to_basket", {"product_id": "1"}, basket)])
    assert shown.metadata["log"] == "1 basket" and "1  MUG" in shown.content
    [failed] = tool_messages([ToolResult("show_basket", {}, ToolError(error="the basket is *empty*"))])
    assert failed.metadata["log"] == "error" and "\\*empty\\*" in failed.content


def test_reply_titles_collects_every_title_a_turn_touched():
    together = Listing(products=(Listed("2", "B", 1.0),), anchors=(ProductRef("5", "E"),))
    basket = BasketView(lines=(BasketLine("4", "D", 1.0, 1, 1.0),), added=Moved(ProductInfo("3", "C", 1.0), 1),
                        removed=Moved(ProductInfo("6", "F", 1.0), 1))
    reply = Reply("text", [ToolResult("bought_together", {}, together), ToolResult("add_to_basket", {}, basket)])
    assert sorted(reply_titles(reply)) == ["B", "C", "D", "E", "F"]
    assert [p["product_id"] for p in reply.products] == ["2", "3"]  # what the turn is about: listed, added
