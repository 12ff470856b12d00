"""A real Chroma server on a loopback port that a test can stop, freeze and bring back."""

from __future__ import annotations

import contextlib
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from bench.load import free_port


def chroma_binary() -> str:
    found = Path(sys.executable).with_name("chroma")
    if found.exists():
        return str(found)
    return shutil.which("chroma") or pytest.skip("the chroma command is not installed")


class ChromaServer:
    """`chroma run` on a free port over `folder`; `start` again after `stop` serves the same data."""

    def __init__(self, folder: Path, port: int | None = None) -> None:
        self.folder = folder
        self.port = port or free_port()
        self.host = "127.0.0.1"
        self.proc: subprocess.Popen | None = None
        folder.mkdir(parents=True, exist_ok=True)

    def start(self, timeout: float = 60) -> ChromaServer:
        log = (self.folder / "server.log").open("a")
        self.proc = subprocess.Popen(
            [chroma_binary(), "run", "--host", self.host, "--port", str(self.port), "--path", str(self.folder / "db")],
            stdout=log, stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while not self.answers():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"chroma server did not start: {(self.folder / 'server.log').read_text()[-2000:]}")
            time.sleep(0.1)
        return self

    def answers(self) -> bool:
        with contextlib.suppress(OSError):
            urllib.request.urlopen(f"http://{self.host}:{self.port}/api/v2/heartbeat", timeout=1).read()
            return True
        return False

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)  # a frozen server cannot act on SIGTERM
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def freeze(self) -> None:
        """Still listening, never answering: what a hung or overloaded server looks like."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGCONT)
