"""Which session store a process opens, and for how long sessions live, from the environment.

Apart from `session_store` (the interface) so that the implementation can import the
interface's types without the interface importing its implementation back.
"""

from __future__ import annotations

import os

from retrieval.config import positive_env

from .session_store import DEFAULT_TTL, SessionStore

ENV_URL = "SHOPASSIST_SESSIONS_URL"
ENV_TTL = "SHOPASSIST_SESSION_TTL"


def ttl_from_env() -> float:
    """$SHOPASSIST_SESSION_TTL (seconds), else DEFAULT_TTL."""
    ttl = positive_env(ENV_TTL, float)
    return DEFAULT_TTL if ttl is None else float(ttl)


def open_sessions(home: str | os.PathLike[str] | None = None, scope: str = "shopper",
                  url: str | None = None) -> SessionStore:
    """The session store: `url` (or $SHOPASSIST_SESSIONS_URL, e.g. postgresql://...) if
    given, else SQLite in the data root's sessions folder."""
    from .sql_sessions import SqlSessions  # SQLAlchemy loads when a store is opened, not on import

    url, ttl = url or os.environ.get(ENV_URL), ttl_from_env()
    if url:
        return SqlSessions(url, scope=scope, ttl=ttl)
    return SqlSessions.sqlite_under(home, scope=scope, ttl=ttl)
