"""Fixtures for the web-app tests: the real assistant over the bundled data, the app served on
loopback by uvicorn in a thread (once per test session), and a headless Debian Chromium.

Screenshots go to $SHOPASSIST_TEST_ARTIFACTS (default: test-artifacts/ui/ in the repository,
which git ignores), one PNG per step, under stable names.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from .browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, WAIT_MS, serving


@pytest.fixture(scope="session")
def ui_rule_store(bundled_dataset):
    from retrieval.rules import RuleStore, mine_rules

    return RuleStore.from_ruleset(mine_rules(bundled_dataset.baskets))


@pytest.fixture(scope="session")
def ui_shopper(bundled_retriever, bundled_dataset, ui_rule_store):
    """The real assistant (offline planner) over the bundled data, with its rules."""
    from assistant import ShoppingAssistant

    return ShoppingAssistant(bundled_retriever, bundled_dataset, rule_store=ui_rule_store)


@pytest.fixture(scope="session")
def console_login():
    """A console credential made for this run (there is no default one)."""
    from assistant.access import Credentials

    return Credentials("agent", secrets.token_urlsafe(12), "test")


@pytest.fixture(scope="session")
def ui_home(tmp_path_factory) -> Path:
    """The served app's data root, with saved evaluation results (for the evaluation chart)."""
    from retrieval.evaluation.compare import PeerComparison
    from retrieval.evaluation.results import EvalResults, ModeResult

    home = tmp_path_factory.mktemp("ui-home")
    metrics = {"ndcg@10": 0.21, "recall@10": 0.18}
    EvalResults(split={"name": "test", "cut": "2011-09-09"}, ks=(10,), catalogue_size=3790,
                users={"all": 100},
                rows=[ModeResult("popular", "all", 100, metrics),
                      ModeResult("hybrid", "all", 100, {k: v + 0.05 for k, v in metrics.items()})],
                comparisons=[PeerComparison("all", "ndcg@10", "hybrid", 0.26, "popular", 0.21,
                                            0.26 / 0.21, 1.08, 1.41, 100)],
                ).save_json(home / "eval" / "results.json")
    return home


@pytest.fixture(scope="session")
def ui_app_url(ui_shopper, console_login, ui_home) -> Iterator[str]:
    """`ui.build_server` (HTTP API + Gradio app) served once for the whole session."""
    from ui import build_server

    with serving(build_server(ui_shopper, console_login, home=ui_home, stream_delay=0.0)) as url:
        yield url


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: `make install` installs Debian's chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def ui_artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def ui_page(chromium, ui_artifacts, request):
    """A page in its own browser context (its own Gradio session); closed after the test,
    with a last screenshot `<test name>-end.png` whether it passed or not."""
    contexts = []

    def make(url: str):
        context = chromium.new_context(viewport={"width": 1400, "height": 1000})
        context.set_default_timeout(WAIT_MS)
        contexts.append(context)
        page = context.new_page()
        page.dialogs = []  # any alert() a payload managed to run
        page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
        page.goto(url, wait_until="domcontentloaded")
        page.wait_for_selector("#shopper-input textarea")
        return page

    yield make
    for i, context in enumerate(contexts):
        for page in context.pages:
            suffix = "" if i == 0 else f"-{i + 1}"
            page.screenshot(path=str(ui_artifacts / f"{request.node.name}-end{suffix}.png"),
                            full_page=True)
        context.close()

