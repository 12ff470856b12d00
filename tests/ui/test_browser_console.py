"""The customer-service console in headless Chromium: the login, a customer's history and
recommendations with their evidence, a chat on their behalf, the rules explorer, and the
evaluation chart."""

from __future__ import annotations

import csv

import pytest

from .browser import shot, wait_for_reply

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CUSTOMER = "12347"


def open_console(page):
    page.get_by_role("tab", name="Customer service").click()
    page.wait_for_selector("#console-user textarea")


def log_in(page, user: str, password: str) -> None:
    page.fill("#console-user textarea", user)
    page.fill("#console-password input", password)
    page.click("#console-login-button")


@pytest.fixture
def console(ui_app_url, ui_page, console_login):
    page = ui_page(ui_app_url)
    open_console(page)
    log_in(page, console_login.user, console_login.password)
    page.wait_for_selector("#console-customer-id textarea")
    return page


def test_wrong_credentials_are_refused_and_nothing_is_shown(ui_app_url, ui_page, ui_artifacts,
                                                            console_login):
    page = ui_page(ui_app_url)
    open_console(page)
    for user, password in [(console_login.user, console_login.password + "x"),
                           ("someone", console_login.password), ("", "x")]:
        log_in(page, user, password)
        # The handler clears the password box whatever the outcome: the answer has arrived.
        page.wait_for_function("() => document.querySelector('#console-password input').value === ''")
        assert "Wrong user name or password" in page.locator("#console-login-status").inner_text()
        assert not page.locator("#console-main").is_visible()
        assert not page.locator("#console-customer-id").is_visible()
    shot(page, ui_artifacts, "console-1-refused")


def test_customer_lookup_shows_history_and_explained_recommendations(console, ui_artifacts,
                                                                     ui_shopper):
    expected = ui_shopper.as_role("service").customer(CUSTOMER, k=10)
    page = console
    page.fill("#console-customer-id textarea", CUSTOMER)
    page.click("#console-look-up")
    page.wait_for_selector("#console-recommendations .sa-card")
    summary = page.locator("#console-customer-summary").inner_text()
    assert f"{expected['orders']} order(s)" in summary and f"{len(expected['lines'])} line(s)" in summary
    history = page.locator("#console-history").inner_text()
    newest = expected["lines"][-1]
    assert newest["title"] in history and newest["basket_id"] in history
    cards = page.locator("#console-recommendations .sa-card")
    assert cards.count() == len(expected["products"])
    first = expected["products"][0]
    assert cards.first.get_attribute("data-product-id") == first["product_id"]
    # Every piece of evidence is listed with its source, e.g. a rule with its lift.
    shown_sources = cards.first.locator("li[data-source]").evaluate_all(
        "els => els.map(e => e.dataset.source)")
    assert shown_sources == [e["source"] for e in first["evidence"]]
    assert page.locator("#console-recommendations li[data-source='rules']").count() >= 1
    assert "lift" in page.locator("#console-recommendations li[data-source='rules']").first.inner_text()
    shot(page, ui_artifacts, "console-2-customer")

    # A chat on the customer's behalf lists every tool call and its full result.
    page.fill("#console-chat-input textarea", "what did the customer buy?")
    page.click("#console-chat-send")
    wait_for_reply(page, 1, "#console-chat")
    trace = page.locator("#console-chat .thought-group .title", has_text="customer_history")
    trace.first.wait_for()
    trace.first.click()
    # The whole result is there, e.g. how many orders held each product.
    page.wait_for_function(
        "() => document.querySelector('#console-chat').innerText.includes('\"orders_with_it\"')")
    shot(page, ui_artifacts, "console-3-chat")

    page.fill("#console-customer-id textarea", "no-such-customer")
    page.click("#console-look-up")
    page.wait_for_function(
        "() => document.querySelector('#console-customer-summary').innerText.includes('no orders')")
    assert page.locator("#console-recommendations .sa-card").count() == 0


def test_rules_explorer_filters_sorts_and_downloads(console, ui_artifacts, ui_shopper):
    page = console
    page.get_by_role("tab", name="Rules").click()
    page.fill("#rules-item textarea", "lunch bag woodland")
    page.click("#rules-show")
    page.wait_for_function("() => document.querySelector('#rules-summary').innerText.includes('rules around')")
    everything = ui_shopper.rules("lunch bag woodland", k=1, side="any")
    assert f"{everything['matched']:,} rules around LUNCH BAG WOODLAND" in page.locator("#rules-summary").inner_text()
    page.wait_for_selector("#rules-network img")  # the network around the item
    page.wait_for_selector("#rules-scatter canvas, #rules-scatter svg")

    # Thresholds: Gradio sliders accept a typed value; "Show rules" applies them.
    page.fill("#rules-min-lift input[type=range]", "20")
    page.fill("#rules-min-confidence input[type=range]", "0.7")
    page.click("#rules-show")
    filtered = ui_shopper.rules("lunch bag woodland", k=100, side="any", min_lift=20, min_confidence=0.7)
    assert 0 < filtered["matched"] < everything["matched"]
    page.wait_for_function(
        "(n) => document.querySelector('#rules-summary').innerText.startsWith(n + ' rules')",
        arg=f"{filtered['matched']:,}")
    shot(page, ui_artifacts, "console-4-rules")

    # Sortable: the column menu sorts the shown rules by lift, lowest first.
    page.hover("#rules-table th[title=lift]")
    page.locator("#rules-table th[title=lift] button[aria-label='Open cell menu']").click()
    page.get_by_text("Sort ascending").click()
    lifts = sorted(round(r["lift"], 3) for r in filtered["rules"])
    lift_col = ["if bought", "then", "support", "confidence", "lift"].index("lift")
    # The first row on screen (cells keep their data index, rows keep screen order).
    page.wait_for_function(
        "([col, v]) => { const r = document.querySelector('#rules-table .virtual-row[aria-rowindex=\"2\"]');"
        " return r && parseFloat(r.querySelectorAll('[role=gridcell]')[col].innerText) === v; }",
        arg=[lift_col, lifts[0]])

    # The CSV holds exactly the filtered rules.
    with page.expect_download() as download:
        page.click("#rules-csv")
    with open(download.value.path(), encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(filtered["rules"])
    assert all(float(r["lift"]) >= 20 and float(r["confidence"]) >= 0.7 for r in rows)
    assert {r["then id"] for r in rows} == {r["consequent"] for r in filtered["rules"]}


def test_evaluation_chart_is_shown_when_results_exist(console, ui_artifacts):
    page = console
    page.get_by_role("tab", name="Evaluation").click()
    page.wait_for_selector("#console-evaluation img")
    assert not page.locator("#console-no-evaluation").is_visible()
    # The ratio to the best peer, readable as text rather than only in the chart's caption.
    ratios = page.locator("#console-evaluation-summary").inner_text()
    assert "hybrid / best peer, all ndcg@10: 0.2600 / popular 0.2100 = 1.238x" in ratios
    assert "95% interval 1.080-1.410x, 100 customers" in ratios
    shot(page, ui_artifacts, "console-6-evaluation")
    page.click("#console-logout")
    page.wait_for_selector("#console-user textarea")
    assert not page.locator("#console-main").is_visible()
    shot(page, ui_artifacts, "console-5-logged-out")
