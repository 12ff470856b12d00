"""kill -9 of the real server the instant a basket change was answered: after a restart the
basket is there, with the right quantity.

The store commits a change before the reply is sent, so a 200 means the line is on disk; a
server that answered first and stored later (or kept sessions in memory) loses it here. Every
other change goes to a session the trial before created (an update of a stored row, not only
an insert), and after each restart every basket made so far is read back, not only the last.
"""

from __future__ import annotations

import os
import random

import httpx
import pytest

from bench import servers
from retrieval.dataset import Dataset

from .conftest import FULL, sized

pytestmark = [pytest.mark.reliability, pytest.mark.slow, pytest.mark.timeout(sized(300, 1200))]

KILLS = sized(3, 20)


def _lines(body: dict) -> dict[str, int]:
    return {line["product_id"]: line["quantity"] for line in body["basket"]}


def test_kill_9_right_after_a_basket_change_loses_no_basket(prepared_home, small_data, tmp_path, figures):
    home = prepared_home.copy(tmp_path / "home")
    seed = int(os.environ.get("SHOPASSIST_KILL_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    print(f"kill seed {seed}")
    products = list(map(str, Dataset.load(small_data.a).catalogue.frame.index))
    expected: dict[str, dict[str, int]] = {}
    log = tmp_path / "server.log"  # every start appends to it

    def start() -> servers.ServerProcess:
        # Each start is this test's cost: no warm-up search (a basket change needs no encoder),
        # and in the short run the HTTP API alone (the Gradio app at / is a third of a start
        # and no part of a basket change); the full run kills the whole `shopassist run` app.
        return servers.ServerProcess(home, log, api_only=not FULL).launch().ready(warm_up=False)

    server = start()
    try:
        for trial in range(KILLS):
            sid = f"kill-{trial // 2:03d}"
            if trial % 2 == 0:  # odd trials add the same product again: the stored quantity must add up
                product = rng.choice(products)
            quantity = rng.randint(1, 9)
            response = httpx.post(f"{server.url}/v1/sessions/{sid}/basket",
                                  json={"product_id": product, "quantity": quantity}, timeout=60)
            server.kill()  # the moment the answer is in, before anything else runs
            moment = f"kill {trial + 1} (seed {seed})"
            assert response.status_code == 200, f"{moment}: {response.text[:500]}"
            basket = expected.setdefault(sid, {})
            basket[product] = basket.get(product, 0) + quantity
            assert _lines(response.json()) == basket, f"{moment}: the answer itself was wrong"

            server = start()
            for stored, lines in expected.items():
                got = httpx.get(f"{server.url}/v1/sessions/{stored}/basket", timeout=60)
                assert got.status_code == 200, f"{moment}: {got.text[:500]}"
                assert _lines(got.json()) == lines, f"{moment}: session {stored}'s basket after the restart"
    finally:
        server.stop()
    figures(f"kill -9 right after a basket change was answered: {KILLS} kills, 0 baskets lost "
            f"({len(expected)} sessions, every basket read back after each restart); seed {seed}")
