"""Many concurrent chat sessions against the real server: no errors, no session sees another's words."""

from __future__ import annotations

import pytest

from bench import load

from .conftest import sized

pytestmark = [pytest.mark.reliability, pytest.mark.slow]

SESSIONS = sized(10, 50)
SECONDS = sized(10, 60)


def test_concurrent_sessions_get_their_own_answers_without_errors(served, figures):
    result = load.run_load(served.url, SESSIONS, SECONDS)
    figures(f"load {SESSIONS} sessions x {SECONDS} s: {result.requests} requests, "
            f"p50 {result.percentile(50) * 1000:.0f} ms, p99 {result.percentile(99) * 1000:.0f} ms, "
            f"{len(result.errors)} errors, {len(result.leaks)} canary leaks")
    assert result.errors == [], result.errors[:10]
    assert result.leaks == [], result.leaks[:10]
    # Every session got through whole conversations, and its own word came back to it, also
    # from the server's memory of the session (the "cheaper" follow-up never holds the word):
    # a leak of the same kind would have been seen.
    assert all(n >= 1 for n in result.rounds.values()), result.rounds
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
