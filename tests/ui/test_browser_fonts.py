"""Bold text is drawn in one font: every letter of a weight-600 title comes from the theme's
font, not A and B from it and the rest from a fallback (Gradio's SemiBold file holds three
glyphs; `ui.app.app_theme` declares no such face)."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Each string's width in a weight, with the theme font first and a fallback that looks
# nothing like it; if the theme's face lacked the letters, both would be drawn in the fallback.
WIDTHS = """([weight, text]) => {
    const c = document.createElement('canvas').getContext('2d');
    const width = (family) => { c.font = `${weight} 40px ${family}`; return c.measureText(text).width; };
    return [width("'Source Sans Pro', monospace"), width('monospace')];
}"""


@pytest.mark.parametrize("weight", [400, 600, 700])
def test_every_capital_is_drawn_in_the_theme_font_at_every_weight_the_page_uses(ui_app_url, ui_page, weight):
    page = ui_page(ui_app_url)
    page.evaluate(f"() => document.fonts.load(\"{weight} 40px 'Source Sans Pro'\", 'CDEFGHIJKLMNOPQRSTUVWXYZ')")
    for letters in ("AB", "CDEFGHIJKLMNOPQRSTUVWXYZ", "LUNCH BAG APPLE DESIGN"):
        themed, fallback = page.evaluate(WIDTHS, [weight, letters])
        assert abs(themed - fallback) > 1, (weight, letters, themed, fallback)
    # The page's own text (the shop's name: a weight-600 heading) is set in that font.
    assert "Source Sans Pro" in page.evaluate("() => getComputedStyle(document.querySelector('h1')).fontFamily")
