"""The app over an index on a Chroma server, while the server goes away and comes back.

Serving reads only the exact numpy mirror of the vectors (retrieval/recommend/vectors.py),
so a running app keeps answering chats with the server gone. What does read the server (opening
the index, hence starting the app; `shopassist similar`; builds) fails with a plain
StoreUnavailableError naming the server after retrying, and works again once it is back,
without restarting anything.
"""

from __future__ import annotations

import httpx
import pytest

from assistant import ShoppingAssistant
from assistant.cli import main
from bench.load import CHAT_PATH, HEALTH_PATH
from retrieval.errors import StoreUnavailableError

pytestmark = [pytest.mark.reliability, pytest.mark.slow]


def _chat(url: str, session: str, message: str) -> dict:
    response = httpx.post(url + CHAT_PATH, json={"session_id": session, "message": message}, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_app_outlives_its_chroma_server(served, probe, capsys, monkeypatch):
    from retrieval.index import store

    monkeypatch.setattr(store, "RETRY_DELAYS", (0.05, 0.1))  # in this process; tries are tested elsewhere
    where = f"{served.chroma.host}:{served.chroma.port}"
    assert _chat(served.url, "outage", "a lunch bag under £2")["products"]
    served.chroma.stop()
    try:
        # The running app: still up, still answering, its sessions intact.
        assert httpx.get(served.url + HEALTH_PATH, timeout=10).status_code == 200
        cheaper = _chat(served.url, "outage", "show me cheaper ones")
        assert cheaper["products"] and "lunch bag" in cheaper["text"]
        assert _chat(served.url, "outage-new", "a tea set under £5")["products"]

        # Starting the app again needs the server: a plain error naming it and how to start it.
        with pytest.raises(StoreUnavailableError, match=where) as caught:
            ShoppingAssistant.open(served.home)
        assert "chroma run" in str(caught.value) and "tries" in str(caught.value)
        assert main(["similar", probe, "-k", "3", "--home", str(served.home)]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"error: cannot reach the Chroma server at {where}") and "Traceback" not in err
    finally:
        served.chroma.start()

    # Back: the same app answers, and what needed the server works with no restart.
    assert _chat(served.url, "outage", "add the second one to my basket")["products"]
    assert main(["similar", probe, "-k", "3", "--home", str(served.home)]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 4
    reopened = ShoppingAssistant.open(served.home)
    assert reopened.chat("after", "a lunch bag under £2").products
