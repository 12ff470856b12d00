"""Many concurrent chat sessions against the real server: no errors, no session sees another's words."""

from __future__ import annotations

import pytest

from bench import load

from .conftest import assert_clean_load, sized

pytestmark = [pytest.mark.reliability, pytest.mark.slow]

SESSIONS = sized(10, 50)
SECONDS = sized(10, 60)


def test_concurrent_sessions_get_their_own_answers_without_errors(served, figures):
    result = load.run_load(served.url, SESSIONS, SECONDS)
    assert_clean_load(result, f"load {SESSIONS} sessions x {SECONDS} s", figures)
    assert result.baskets_checked == SESSIONS
    assert all(n >= 1 for n in result.state_echoes.values()), result.state_echoes
    assert result.percentile(99) < 30, "sanity bound only; figures go to bench/RESULTS.md"


def test_the_leak_check_catches_a_server_that_mixes_up_sessions(served):
    """The same load against a deliberately broken chat (one session for everybody) must
    report leaks and state errors, or the check above proves nothing."""
    result = load.run_load(served.url, 4, 4, path=load.MIXED_PATH)
    assert result.leaks, "a server sharing one session between users went unnoticed"
    assert any("second product shown" in e for e in result.errors), result.errors[:5]


def test_leaked_finds_other_sessions_words_only():
    own, other = load.canary(1), load.canary(12)
    assert load.leaked(f"found for “a lunch bag for {own}”", own) == set()
    assert load.leaked(f"“{other} tea”, and {own}", own) == {other}


def test_the_basket_check_catches_a_turn_that_lost_an_earlier_add():
    """What each "add" reply is held to: its basket must be every add of the session so far."""
    from collections import Counter

    def add(pid: str, basket: dict[str, int]) -> dict:
        lines = [{"product_id": p, "quantity": q} for p, q in basket.items()]
        return {"tool_calls": [{"name": "add_to_basket", "result": {"added": {"product_id": pid, "quantity": 1},
                                                                   "basket": lines}}]}

    counted: Counter = Counter()
    assert load._count_added(add("A", {"A": 1}), counted) is None
    assert load._count_added(add("B", {"A": 1, "B": 1}), counted) is None
    # A turn that loaded the session from before the first add (another process's stale copy):
    assert "adds make" in load._count_added(add("C", {"B": 1, "C": 1}), counted)
    assert counted == {"A": 1, "B": 1, "C": 1}
