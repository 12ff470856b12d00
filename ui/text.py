"""Product text is data, never markup: escaping for the three places the app shows it.

Titles and descriptions come from a retailer's export and may hold anything, HTML and
markdown included. `gr.HTML` puts its value into the page with ``innerHTML`` unsanitised, the
chat renders markdown, and a CSV opens in a spreadsheet that evaluates formulas, so each gets
its own escape here and nothing else in `ui` builds those strings by hand.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from retrieval.money import Money

# CommonMark lets a backslash escape any ASCII punctuation; these are the ones that start or
# end markdown syntax (emphasis, links, headings, lists, tables, code, maths) in the chat.
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|~$:])")
# A spreadsheet treats a cell that starts with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def html_text(value: object) -> str:
    """`value` as text inside HTML (element content or a quoted attribute)."""
    return html.escape("" if value is None else str(value), quote=True)


def markdown_text(value: object) -> str:
    """`value` shown literally where markdown is rendered: no tag, link, emphasis or maths.

    Tags are turned into entities (a backslash does not stop an HTML block), everything else
    that markdown reads is backslash-escaped.
    """
    text = "" if value is None else str(value)
    text = _MARKDOWN_PUNCTUATION.sub(r"\\\1", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def reply_markdown(text: str, literals: Iterable[str] = ()) -> str:
    """A model's markdown reply made safe to render: each of `literals` (product titles, the
    shopper's own words) is shown as text wherever it occurs, and the rest keeps its markdown
    but cannot open an HTML tag or entity."""
    wanted = sorted({s for s in literals if s and s.strip()}, key=len, reverse=True)
    if not wanted:
        return _no_tags(text)
    # Longest first, so a title that contains another title is escaped whole.
    pattern = re.compile("|".join(re.escape(s) for s in wanted))
    out, end = [], 0
    for match in pattern.finditer(text):
        out.append(_no_tags(text[end:match.start()]))
        out.append(markdown_text(match.group(0)))
        end = match.end()
    out.append(_no_tags(text[end:]))
    return "".join(out)


def _no_tags(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;")


def code_block(text: str, language: str = "") -> str:
    """`text` in a fenced code block whose fence no run of backticks inside can close."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{text}\n{fence}"


def csv_cell(value: object) -> object:
    """A value for a CSV a person will open in a spreadsheet: text that would start a formula
    gets a leading apostrophe (the OWASP advice for CSV injection); numbers pass unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def money(price: object, currency: Money | None = None) -> str:
    """`price` in the shop's currency (`ShoppingAssistant.shop.money`); plain without one."""
    try:
        value = None if price is None else float(price)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        value = None
    if value is None:
        return "price unknown"
    return currency.format(value) if currency is not None else f"{value:,.2f}"


def shorten(text: object, width: int) -> str:
    s = " ".join(str(text or "").split())
    return s if len(s) <= width else s[: max(1, width - 1)].rstrip() + "…"


def word_chunks(text: str, pieces: int = 16) -> Iterator[str]:
    """Growing prefixes of `text`, cut only at whitespace (so no escape sequence is split),
    about `pieces` of them, the last one the whole text."""
    words = re.split(r"(\s+)", text)
    step = max(2, len(words) // max(1, pieces))
    for end in range(step, len(words), step):
        yield "".join(words[:end])
    yield text


def shop_line(shop: object) -> str:
    """The line under the shop's name: what it sells and the currency its prices are in."""
    sells = getattr(shop, "sells", "")
    currency = getattr(shop, "currency", None)
    parts = [f"Sells {sells}." if sells else "", f"Prices in {currency}." if currency else ""]
    return " ".join(p for p in parts if p) + " Ask the assistant below."
