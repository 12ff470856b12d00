"""A throwaway PostgreSQL server for the tests and the two-process load check.

    with throwaway_postgres() as url:   # postgresql://shopassist@127.0.0.1:PORT/shopassist
        ...

It runs Debian's (or any) PostgreSQL binaries on a free loopback port over a fresh data
folder, with trust authentication, and removes everything when it stops. PostgreSQL refuses
to run as root (initdb and postgres both exit), so as root the server runs as the `postgres`
user (or `nobody` where there is none), over a folder that user owns, made directly in the
system temp folder: pytest's own temp folders are private to root, and the server could not
reach a folder inside them.
"""

from __future__ import annotations

import contextlib
import glob
import importlib.util
import logging
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

log = logging.getLogger(__name__)

USER = DATABASE = "shopassist"
START_TIMEOUT = 60  # seconds pg_ctl waits for the server to accept connections
ACCOUNTS = ("postgres", "nobody")  # who runs the server when we are root, first that exists


class PostgresMissing(RuntimeError):
    """No PostgreSQL binaries on this machine."""


def binaries() -> Path:
    """The folder holding initdb and pg_ctl: on PATH, else the newest /usr/lib/postgresql/*/bin
    (Debian does not put the server binaries on PATH)."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(os.path.realpath(found)).parent
    def version(folder: str) -> int:
        name = Path(folder).parent.name
        return int(name) if name.isdigit() else 0

    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version, reverse=True):
        if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    raise PostgresMissing("PostgreSQL's initdb and pg_ctl were not found (on PATH or in "
                          "/usr/lib/postgresql/*/bin): install Debian's postgresql package")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _account() -> pwd.struct_passwd | None:
    """The unprivileged account to run the server as; None when we are not root."""
    if os.geteuid() != 0:
        return None
    for name in ACCOUNTS:
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    raise PostgresMissing(f"running as root, and none of the users {ACCOUNTS} exists to run PostgreSQL as")


class PostgresServer:
    """`durable`: fsync as a real server does (what a benchmark of commits should pay); off by
    default, since a test's database is thrown away and fsync only slows the tests."""

    def __init__(self, durable: bool = False) -> None:
        if importlib.util.find_spec("psycopg") is None:  # what makes the database, and what the store speaks
            raise PostgresMissing("psycopg is not installed: pip install -e '.[postgres]'")
        self.durable = durable
        self.bin = binaries()
        self.account = _account()
        self.root = Path(tempfile.mkdtemp(prefix="shopassist-pg-"))
        self.data, self.sockets, self.log_path = self.root / "data", self.root / "sock", self.root / "server.log"
        self.port = 0

    @property
    def url(self) -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{DATABASE}"

    def _run(self, *args: str) -> None:
        user = {}
        if self.account is not None:
            user = {"user": self.account.pw_uid, "group": self.account.pw_gid, "extra_groups": []}
        env = {**os.environ, "LC_ALL": "C"}
        if self.account is not None:
            env["HOME"] = str(self.root)  # root's home is not the server account's to read
        done = subprocess.run([str(self.bin / args[0]), *args[1:]], cwd=self.root, env=env,
                              capture_output=True, text=True, timeout=START_TIMEOUT + 30, **user)
        if done.returncode != 0:
            server_log = self.log_path.read_text()[-2000:] if self.log_path.exists() else ""
            raise RuntimeError(f"{args[0]} failed ({done.returncode}): {done.stderr[-2000:]}{server_log}")

    def start(self) -> PostgresServer:
        self.sockets.mkdir()
        if self.account is not None:
            for path in (self.root, self.sockets):
                os.chown(path, self.account.pw_uid, self.account.pw_gid)
        # -N: no fsync while the cluster is made; it is thrown away after the run anyway.
        self._run("initdb", "-D", str(self.data), "-U", USER, "--auth=trust", "-E", "UTF8",
                  "--locale=C", "-N")
        # Another program may take the port between choosing and binding it: try a few.
        for attempt in range(3):
            self.port = _free_port()
            # Sockets in our folder rather than /var/run; -F: no fsync.
            options = f"-k {self.sockets} -h 127.0.0.1 -p {self.port} -c max_connections=200"
            options += "" if self.durable else " -F"
            try:
                self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log_path), "-o", options,
                          "-w", "-t", str(START_TIMEOUT), "start")
                break
            except RuntimeError:
                if attempt == 2:
                    raise
                log.warning("PostgreSQL did not start on port %d; trying another", self.port)
        self._create_database()
        log.info("PostgreSQL %s in %s", self.url, self.root)
        return self

    def _create_database(self) -> None:
        import psycopg

        with psycopg.connect(f"postgresql://{USER}@127.0.0.1:{self.port}/postgres", autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {DATABASE}")

    def stop(self) -> None:
        try:
            if self.port and (self.data / "postmaster.pid").exists():
                self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


@contextlib.contextmanager
def throwaway_postgres(durable: bool = False) -> Iterator[str]:
    """A fresh PostgreSQL server for the block; its URL. Raises PostgresMissing without one."""
    server = PostgresServer(durable)
    try:
        server.start()
        yield server.url
    finally:
        server.stop()
