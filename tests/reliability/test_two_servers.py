"""Two server processes on one PostgreSQL: every session's messages alternate between them.

Each turn is answered by the other process than the one before (a round has four messages,
so "show me cheaper ones" always goes to the process that did not run the search), so it can
only continue the conversation from what the database holds.
"""

from __future__ import annotations

import pytest

from bench import load, servers

from .conftest import FULL, assert_clean_load, sized

pytestmark = [pytest.mark.reliability, pytest.mark.slow]

SESSIONS = sized(4, 20)
SECONDS = sized(6, 30)


def test_two_processes_on_one_postgresql_keep_every_session(prepared_home, postgres_url, tmp_path, figures):
    home = prepared_home.copy(tmp_path / "home")
    # Short: the HTTP API alone (the Gradio app at / is a third of each start and no part of
    # a chat turn); full: the whole app `shopassist run` serves.
    with servers.running_servers(home, 2, log_dir=tmp_path, env=servers.shared_sessions(postgres_url),
                                 api_only=not FULL) as urls:
        result = load.run_load(urls, SESSIONS, SECONDS)
    assert_clean_load(result, f"two processes on one PostgreSQL, {SESSIONS} sessions x {SECONDS} s", figures)
    assert result.baskets_checked == SESSIONS
    # Every session's own word came back from the state the other process stored.
    assert all(n >= 1 for n in result.state_echoes.values()), result.state_echoes
