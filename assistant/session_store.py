"""Where sessions live: one small interface, kept in a real database.

A chat turn or a basket change runs inside `SessionStore.transaction`: the session is
locked (no other message of it runs meanwhile, in this process or another), loaded, changed,
and committed before the caller answers, so a reply is never sent for a change that is not
stored. Sessions expire by age (`SHOPASSIST_SESSION_TTL`, seconds), never by count; an
expired or unknown id opens a new, empty session and the `Opened.status` says so.

Each role has its own scope: a shopper's session id can never open a service session.
The implementation is `sql_sessions.SqlSessions` (SQLAlchemy 2); `session_setup.open_sessions`
picks the database: embedded SQLite under the data root by default, PostgreSQL given by
`SHOPASSIST_SESSIONS_URL` for several processes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Literal, Protocol

from .session import Session

DEFAULT_TTL = 30 * 24 * 3600.0  # a month: long enough for a basket left overnight, or a week away

Status = Literal["new", "resumed", "expired"]


@dataclass
class Opened:
    """A session opened for change, and whether it was new, resumed or expired (then new)."""

    session: Session
    status: Status


class SessionStore(Protocol):
    scope: str

    def transaction(self, session_id: str, customer_id: str | None = None) -> AbstractContextManager[Opened]:
        """The session, locked; committed when the block ends without an exception."""
        ...

    def read(self, session_id: str) -> Session | None:
        """The stored session as it is now (None: unknown or expired); nothing is locked."""
        ...

    def delete(self, session_id: str) -> bool:
        """Remove the session's turns and basket; whether there was one."""
        ...

    def with_scope(self, scope: str) -> SessionStore:
        """The same database, another role's sessions."""
        ...

    def ids(self) -> Iterator[str]:
        """The ids of this scope's live sessions."""
        ...
