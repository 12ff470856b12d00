"""Product cards as HTML: title, price and the one-line reason (or, for the console, every
piece of evidence). Every product string goes through `html_text`: `gr.HTML` inserts its value
with innerHTML and does not sanitise it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .text import html_text, money, shorten

# Scoped to each gr.HTML by Gradio (`css_template`); the app passes no global CSS, because the
# server mounts the Blocks without one.
CARD_CSS = """
.sa-card { border: 1px solid var(--border-color-primary); border-radius: 8px;
  padding: 8px 10px; background: var(--background-fill-secondary); }
.sa-card-head { display: flex; justify-content: space-between; gap: 8px; align-items: baseline; }
.sa-title { font-weight: 600; overflow-wrap: anywhere; }
.sa-price { white-space: nowrap; font-variant-numeric: tabular-nums; }
.sa-reason { margin: 4px 0 0; font-size: 0.9em; }
.sa-desc, .sa-meta { margin: 2px 0 0; font-size: 0.8em; opacity: 0.75; }
.sa-evidence { margin: 6px 0 0; padding-left: 1.1em; font-size: 0.85em; }
.sa-source { display: inline-block; min-width: 6.5em; font-weight: 600; }
.sa-empty { opacity: 0.7; font-style: italic; }
.sa-basket-line { display: flex; justify-content: space-between; gap: 8px; }
"""

SOURCE_NAMES = {
    "semantic": "matches",
    "popularity": "popular",
    "rules": "rule",
    "copurchase": "co-purchase",
    "neighbours": "similar",
    "profile": "your taste",
    "repeat": "buy again",
}
FIGURES = ("confidence", "lift", "support", "similarity")


def reason(product: Mapping[str, Any]) -> str:
    """The one line that says why this product is here: its strongest piece of evidence."""
    evidence = product.get("evidence") or []
    if evidence:
        return str(evidence[0].get("text", ""))
    if product.get("quantity"):
        return f"in your basket ({product['quantity']})"
    return ""


def card_html(product: Mapping[str, Any], *, evidence: bool = False, currency: Any = None) -> str:
    """One card. `evidence=True` lists every piece of evidence with its source and figures
    (the console's view); otherwise only the one-line reason (the shopper's)."""
    pid = html_text(product.get("product_id", ""))
    parts = [
        f'<article class="sa-card" data-product-id="{pid}">',
        '<div class="sa-card-head">',
        f'<span class="sa-title">{html_text(product.get("title", ""))}</span>',
        f'<span class="sa-price">{html_text(money(product.get("price"), currency))}</span>',
        "</div>",
    ]
    if product.get("description"):
        parts.append(f'<p class="sa-desc">{html_text(shorten(product["description"], 160))}</p>')
    if evidence:
        parts.append(_evidence_list(product.get("evidence") or []))
    else:
        line = reason(product)
        if line:
            parts.append(f'<p class="sa-reason">{html_text(line)}</p>')
    meta = [str(product.get("product_id", "")), str(product.get("role") or "")]
    parts.append(f'<p class="sa-meta">{html_text(" · ".join(m for m in meta if m))}</p>')
    parts.append("</article>")
    return "".join(parts)


def cards_html(products: Iterable[Mapping[str, Any]], *, evidence: bool = False,
               empty: str = "Nothing to show yet.", currency: Any = None) -> str:
    cards = [card_html(p, evidence=evidence, currency=currency) for p in products]
    if not cards:
        return f'<p class="sa-empty">{html_text(empty)}</p>'
    return '<div class="sa-cards" style="display:grid;gap:8px">' + "".join(cards) + "</div>"


def _evidence_list(evidence: list[Mapping[str, Any]]) -> str:
    if not evidence:
        return '<p class="sa-empty">no evidence recorded</p>'
    items = []
    for e in evidence:
        source = str(e.get("source", ""))
        figures = ", ".join(f"{k} {_figure(e[k])}" for k in FIGURES if e.get(k) is not None)
        items.append(
            f'<li data-source="{html_text(source)}">'
            f'<span class="sa-source">{html_text(SOURCE_NAMES.get(source, source))}</span> '
            f"{html_text(e.get('text', ''))}"
            + (f' <span class="sa-meta">({html_text(figures)})</span>' if figures else "")
            + "</li>"
        )
    return '<ul class="sa-evidence">' + "".join(items) + "</ul>"


def _figure(value: Any) -> str:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{v:.3f}" if abs(v) < 10 else f"{v:.1f}"


def basket_html(basket: Mapping[str, Any], currency: Any = None) -> str:
    """The basket's total line (its lines are rendered one per row, with a remove button)."""
    items = int(basket.get("items") or 0)
    if not items:
        return '<p class="sa-empty">Your basket is empty.</p>'
    return (f'<p class="sa-basket-total"><strong>{items} item(s)</strong>, total '
            f'{html_text(money(basket.get("total"), currency))}</p>')


def basket_line_html(line: Mapping[str, Any], currency: Any = None) -> str:
    return (f'<div class="sa-basket-line" data-product-id="{html_text(line.get("product_id", ""))}">'
            f'<span>{int(line.get("quantity") or 0)} × <span class="sa-title">'
            f'{html_text(line.get("title", ""))}</span></span>'
            f'<span class="sa-price">{html_text(money(line.get("line_total"), currency))}</span></div>')
