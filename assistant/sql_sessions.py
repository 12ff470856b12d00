"""Sessions in SQL (SQLAlchemy 2): embedded SQLite by default, PostgreSQL for several processes.

Why SQLAlchemy rather than LangGraph's checkpointers: a session here is one small document
(turns, basket, the list shown) that the shells read and change outside any graph run (the
basket buttons, `DELETE /v1/sessions/{id}`, the console), with an expiry by age and a scope
per role; the checkpointers store graph-state histories per thread, with none of those.

One row per (scope, session id) holds the session as JSON and when it last changed. A
change holds a lock on that session for the whole turn, so two messages of one session
never interleave: in PostgreSQL a transaction-scoped advisory lock (released by the commit
that stores the change), in SQLite an exclusive lock on a per-session lock file (SQLite has
no row locks, and holding its database write lock for a turn would stop every other
session). Threads of one process first take an in-process lock, so they queue without a
database connection each.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import (
    Column,
    Float,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    event,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

from retrieval.config import data_root
from retrieval.errors import ConfigError

from .session import Session
from .session_store import DEFAULT_TTL, Opened

log = logging.getLogger(__name__)

_metadata = MetaData()
SESSIONS = Table(
    "shopassist_sessions", _metadata,
    Column("scope", String(32), primary_key=True),
    Column("session_id", String(256), primary_key=True),
    Column("data", Text, nullable=False),
    Column("updated_at", Float, nullable=False, index=True),  # unix seconds: portable, compared as numbers
)
# Each running turn holds a connection (PostgreSQL's advisory lock lives in its transaction):
# room for every request thread of a server (FastAPI runs 40) before one has to wait.
POOL_SIZE, POOL_OVERFLOW = 10, 40
PURGE_EVERY = 600.0  # seconds between sweeps of expired rows (by whichever process is due)


class _Shared:
    """What every scope's store over one database shares: the engine and the thread locks."""

    def __init__(self, engine: Engine, lock_dir: Path | None) -> None:
        self.engine, self.lock_dir = engine, lock_dir
        self.guard = threading.Lock()
        self.locks: dict[tuple[str, str], threading.Lock] = {}
        self.last_purge = 0.0

    def thread_lock(self, key: tuple[str, str]) -> threading.Lock:
        with self.guard:
            return self.locks.setdefault(key, threading.Lock())


class SqlSessions:
    def __init__(self, url: str | None = None, scope: str = "shopper", ttl: float = DEFAULT_TTL, *,
                 _shared: _Shared | None = None) -> None:
        self.scope, self.ttl = scope, float(ttl)
        self._shared = _shared or _connect(url or "")
        self.url = str(self._shared.engine.url.render_as_string(hide_password=True))

    @classmethod
    def sqlite_under(cls, home: str | os.PathLike[str] | None = None, scope: str = "shopper",
                     ttl: float = DEFAULT_TTL) -> SqlSessions:
        folder = data_root(home) / "sessions"
        folder.mkdir(parents=True, exist_ok=True)
        return cls(f"sqlite:///{folder / 'sessions.sqlite3'}", scope=scope, ttl=ttl)

    def with_scope(self, scope: str) -> SqlSessions:
        return SqlSessions(scope=scope, ttl=self.ttl, _shared=self._shared)

    # -- the interface ----------------------------------------------------------------------
    @contextmanager
    def transaction(self, session_id: str, customer_id: str | None = None) -> Iterator[Opened]:
        shared = self._shared
        with shared.thread_lock((self.scope, session_id)), self._locked(session_id) as conn:
            opened = self._load(conn, session_id)
            if customer_id:
                opened.session.customer_id = customer_id
            yield opened
            self._save(conn, opened.session)
        self._maybe_purge()

    def read(self, session_id: str) -> Session | None:
        with self._shared.engine.connect() as conn:
            opened = self._load(conn, session_id)
        return opened.session if opened.status == "resumed" else None

    def delete(self, session_id: str) -> bool:
        shared = self._shared
        with shared.thread_lock((self.scope, session_id)), self._locked(session_id) as conn:
            gone = conn.execute(delete(SESSIONS).where(*self._row(session_id))).rowcount > 0
        with shared.guard:
            shared.locks.pop((self.scope, session_id), None)
        return gone

    def ids(self) -> Iterator[str]:
        with self._shared.engine.connect() as conn:
            rows = conn.execute(select(SESSIONS.c.session_id).where(
                SESSIONS.c.scope == self.scope, SESSIONS.c.updated_at >= time.time() - self.ttl))
            yield from (r.session_id for r in rows)

    # -- inside a transaction ---------------------------------------------------------------
    def _row(self, session_id: str):
        return SESSIONS.c.scope == self.scope, SESSIONS.c.session_id == session_id

    def _load(self, conn: Connection, session_id: str) -> Opened:
        row = conn.execute(select(SESSIONS.c.data, SESSIONS.c.updated_at).where(*self._row(session_id))).first()
        if row is None:
            return Opened(Session(session_id), "new")
        if row.updated_at < time.time() - self.ttl:
            return Opened(Session(session_id), "expired")
        return Opened(Session.from_dict(json.loads(row.data)), "resumed")

    def _save(self, conn: Connection, session: Session) -> None:
        values = {"data": json.dumps(session.to_dict(), ensure_ascii=False), "updated_at": time.time()}
        # The session's lock is held: nobody else can insert this row between the two statements.
        if conn.execute(update(SESSIONS).where(*self._row(session.session_id)).values(**values)).rowcount == 0:
            conn.execute(SESSIONS.insert().values(scope=self.scope, session_id=session.session_id, **values))

    @contextmanager
    def _locked(self, session_id: str) -> Iterator[Connection]:
        """A connection in a transaction that commits on exit, holding this session's lock."""
        shared = self._shared
        key = f"{self.scope}\x00{session_id}"
        if shared.engine.dialect.name == "postgresql":
            with shared.engine.begin() as conn:
                number = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": number})
                yield conn
            return
        if shared.lock_dir is None:  # an in-memory database lives in this process only
            with shared.engine.begin() as conn:
                yield conn
            return
        path = shared.lock_dir / (hashlib.sha256(key.encode()).hexdigest()[:32] + ".lock")
        with open(path, "a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file is closed, or the process dies
            with shared.engine.begin() as conn:
                yield conn

    def _maybe_purge(self) -> None:
        shared = self._shared
        now = time.time()
        with shared.guard:
            if now - shared.last_purge < PURGE_EVERY:
                return
            shared.last_purge = now
        with shared.engine.begin() as conn:
            gone = conn.execute(delete(SESSIONS).where(SESSIONS.c.updated_at < now - self.ttl)).rowcount
        if gone:
            log.info("removed %d expired sessions", gone)


def _connect(url: str) -> _Shared:
    if not url:
        raise ConfigError("a session store needs a database URL (sqlite:///PATH or postgresql://...).")
    try:
        parsed = make_url(url)
    except Exception as exc:  # SQLAlchemy's ArgumentError for anything unparseable
        raise ConfigError(f"the sessions URL {url!r} is not a database URL ({exc}).") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")  # psycopg 3, not the default psycopg2
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(parsed, connect_args={"timeout": 60, "check_same_thread": False},
                               pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW)
        event.listen(engine, "connect", _sqlite_pragmas)
        lock_dir = None
        if parsed.database and parsed.database != ":memory:":
            lock_dir = Path(parsed.database).parent / "locks"
            lock_dir.mkdir(parents=True, exist_ok=True)
    elif parsed.get_backend_name() == "postgresql":
        engine = create_engine(parsed, pool_pre_ping=True, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW)
        lock_dir = None
    else:
        raise ConfigError(f"sessions can live in SQLite or PostgreSQL, not {parsed.get_backend_name()!r} ({url}).")
    _create_table(engine)
    log.info("sessions in %s", parsed.render_as_string(hide_password=True))
    return _Shared(engine, lock_dir)


def _create_table(engine: Engine) -> None:
    """Create the table if missing. Two processes starting on an empty database may both try;
    the loser's error is only that the other one won, so it checks once more."""
    try:
        _metadata.create_all(engine)
    except (ProgrammingError, IntegrityError, OperationalError):
        _metadata.create_all(engine)  # the table is there now; a real failure raises again


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001 - SQLAlchemy's event signature
    cursor = dbapi_connection.cursor()
    # WAL lets readers go on while one writer commits; FULL syncs every commit, so a change
    # answered is on disk even if the process is killed the next instant.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=60000")
    cursor.close()
