"""Product text is shown as text: a copy of the bundled catalogue where two lunch bags carry
script and markup payloads in their titles and description, served by its own app."""

from __future__ import annotations

import pytest

from .browser import serving, shot, wait_for_reply

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SCRIPT_TITLE = "<script>window.__pwned=1</script>LUNCH BAG APPLE"
IMG_TITLE = '<img src=x onerror="window.__pwned=1">LUNCH BAG **DOILY** [x](javascript:window.__pwned=1) $$x^2$$'
DESCRIPTION = '<img src=y onerror="window.__pwned=2"> _lunch_ `code` <b>bold</b>'
PAYLOADS = {"23206": SCRIPT_TITLE, "23209": IMG_TITLE}


@pytest.fixture(scope="module")
def hostile_url(bundled_dataset, bundled_vectors, bundled_encoder, ui_rule_store, console_login):
    """The real retriever and assistant over a catalogue whose titles are attacks."""
    from assistant import ShoppingAssistant
    from retrieval.dataset import Dataset
    from retrieval.products import Catalogue
    from retrieval.recommend import Retriever
    from retrieval.recommend.assemble import rules_apply_for
    from retrieval.recommend.copurchase import CopurchaseModel
    from ui import build_server

    frame = bundled_dataset.catalogue.frame.copy()
    for pid, title in PAYLOADS.items():
        frame.loc[pid, "title"] = title
    frame.loc["23206", "description"] = DESCRIPTION
    catalogue = Catalogue(frame)
    retriever = Retriever(catalogue, bundled_vectors, encode_query=bundled_encoder.encode_query,
                          rules_apply=rules_apply_for(ui_rule_store),
                          copurchase=CopurchaseModel(catalogue.ids, bundled_dataset.baskets),
                          n_baskets=len(bundled_dataset.baskets))
    shopper = ShoppingAssistant(retriever, Dataset(catalogue, bundled_dataset.baskets),
                                rule_store=ui_rule_store)
    with serving(build_server(shopper, console_login, stream_delay=0.0)) as url:
        yield url


def assert_nothing_ran(page) -> None:
    assert page.evaluate("() => typeof window.__pwned") == "undefined"
    assert page.locator("img[src='x'], img[src='y']").count() == 0
    assert not page.evaluate("() => [...document.scripts].some(s => s.textContent.includes('__pwned'))")
    assert page.dialogs == []


def test_payload_titles_render_as_text_and_run_nothing(hostile_url, ui_page, ui_artifacts,
                                                       console_login):
    page = ui_page(hostile_url)
    page.fill("#shopper-input textarea", "a lunch bag under £2")
    page.click("#shopper-send")
    page.wait_for_selector(".sa-shown .sa-card[data-product-id='23209']")
    wait_for_reply(page, 1)
    for pid, title in PAYLOADS.items():
        card = page.locator(f".sa-shown .sa-card[data-product-id='{pid}']")
        assert card.locator(".sa-title").inner_text() == title  # literally, every character
    assert page.locator(".sa-card[data-product-id='23206'] .sa-desc").inner_text() == DESCRIPTION
    chat = page.locator("#shopper-chat")
    reply = chat.locator('[data-testid="bot"]').last.inner_text()
    assert SCRIPT_TITLE in reply and IMG_TITLE in reply  # the markdown reply shows them as typed
    chat.locator(".thought-group .title", has_text="search_products").first.click()
    page.wait_for_function("(t) => document.querySelector('#shopper-chat').innerText.includes(t)",
                           arg=f"23209  {IMG_TITLE}")
    # The shopper's own words are text too.
    page.fill("#shopper-input textarea", '<img src=x onerror="window.__pwned=3"> **bold**')
    page.click("#shopper-send")
    wait_for_reply(page, 2)
    assert '<img src=x onerror="window.__pwned=3"> **bold**' in chat.locator('[data-testid="user"]').last.inner_text()
    assert_nothing_ran(page)
    shot(page, ui_artifacts, "xss-1-shopper")

    # The console's tables and cards too: a rule table holding the payload titles.
    page.get_by_role("tab", name="Customer service").click()
    page.fill("#console-user textarea", console_login.user)
    page.fill("#console-password input", console_login.password)
    page.click("#console-login-button")
    page.get_by_role("tab", name="Rules").click()
    page.fill("#rules-item textarea", "23206")
    page.click("#rules-show")
    page.wait_for_function("() => document.querySelector('#rules-summary').innerText.includes('rules around')")
    assert SCRIPT_TITLE in page.locator("#rules-summary").inner_text()
    page.wait_for_function("(t) => document.querySelector('#rules-table').innerText.includes(t)",
                           arg=SCRIPT_TITLE)
    assert_nothing_ran(page)
    shot(page, ui_artifacts, "xss-2-console-rules")
