"""Fixtures for the load and fault tests: a small real data root made by `shopassist build`.

SHOPASSIST_RELIABILITY=full (what `make check-reliability` sets) runs the full sizes: 50
sessions for 60 s of load, at least 10 kills of a build, every damaged index repaired (about 7
minutes on 2 busy cores), 20 kills of the server after a basket change (about 5 more) and two
server processes on one PostgreSQL for 30 s. Unset, the short sizes (10 sessions for 10 s, 3
kills of each, 3 repairs, two processes for 6 s) keep this folder to about three minutes on
the same machine, for CI.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from retrieval.baskets import Baskets
from retrieval.config import REPO_ROOT
from retrieval.dataset import Dataset
from retrieval.products import Catalogue

FULL = os.environ.get("SHOPASSIST_RELIABILITY", "short") == "full"
# Builds the tests make themselves skip the automatic precision choice, which encodes a probe
# twice to compare bf16 with fp32 (half of a small build's time); what they test is the same.
FAST_ENCODER = ("--precision", "fp32")
# Everything the load conversations and the checks ask about, so every one finds products.
THEMES = "LUNCH BAG|TEA|CAKE STAND|CAKESTAND|CANDLE HOLDER|T-LIGHT HOLDER"


def sized(short, full):
    return full if FULL else short


def shopassist() -> list[str]:
    """The installed `shopassist` command (the real CLI a person runs)."""
    script = Path(sys.executable).with_name("shopassist")
    return [str(script)] if script.exists() else [sys.executable, "-m", "assistant.cli"]


def cli(*args: str, home: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run `shopassist ARGS --home HOME` in its own process; fail the test if it fails."""
    done = subprocess.run(
        [*shopassist(), *args, "--home", str(home)],
        capture_output=True, text=True, cwd=REPO_ROOT, timeout=timeout, env=child_env(home),
    )
    if done.returncode != 0:
        pytest.fail(f"shopassist {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return done


def child_env(home: Path) -> dict[str, str]:
    return {**os.environ, "SHOPASSIST_HOME": str(home), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}


@dataclass(frozen=True)
class SmallData:
    a: Path  # a saved dataset
    b: Path  # the next catalogue: some products gone, some renamed, baskets changed
    n_a: int
    n_b: int


@pytest.fixture(scope="session")
def small_data(bundled_dataset, tmp_path_factory) -> SmallData:
    """Two real catalogues of ~300 bundled products (every themed one, the most bought, a few
    others) with their baskets: small enough that a whole build takes seconds."""
    frame = bundled_dataset.catalogue.frame
    titles = frame["title"].astype(str)
    themed = titles.str.contains(THEMES)
    popular = bundled_dataset.baskets.item_popularity().index[:120]
    rng = np.random.default_rng(8)
    others = rng.choice(titles.index[~themed].to_numpy(), 60, replace=False)
    ids = sorted({*titles.index[themed], *popular, *others})
    lines = bundled_dataset.baskets.lines
    a = _dataset(frame.loc[ids].copy(), lines)

    plain = [pid for pid in ids if not themed[pid]]
    gone = set(rng.choice(plain, 10, replace=False))
    renamed = rng.choice([pid for pid in plain if pid not in gone], 15, replace=False)
    b_frame = frame.loc[[pid for pid in ids if pid not in gone]].copy()
    b_frame.loc[renamed, "title"] = b_frame.loc[renamed, "title"].astype(str) + " GIFT SET"
    b = _dataset(b_frame, lines)
    root = tmp_path_factory.mktemp("small-data")
    return SmallData(a.save(root / "a"), b.save(root / "b"), len(a.catalogue), len(b.catalogue))


def _dataset(frame: pd.DataFrame, lines: pd.DataFrame) -> Dataset:
    kept = lines[lines["product_id"].isin(frame.index)].reset_index(drop=True)
    return Dataset(Catalogue(frame), Baskets(kept))


@dataclass(frozen=True)
class PreparedHome:
    path: Path
    build_seconds: float  # one whole `shopassist build` of a fresh root: dataset, index, rules
    count: int  # products in its index

    def copy(self, target: Path) -> Path:
        """A private copy: tests damage, rebuild and serve their own."""
        shutil.copytree(self.path, target)
        return target


@pytest.fixture(scope="session")
def prepared_home(small_data, tmp_path_factory) -> PreparedHome:
    """A data root made by the real `shopassist build` over dataset A. Never served or
    changed itself (Chroma rewrites files when a collection is opened): tests copy it."""
    home = tmp_path_factory.mktemp("prepared") / "home"
    started = time.monotonic()
    cli("build", "--no-ranker", "--dataset", str(small_data.a), *FAST_ENCODER, home=home)
    return PreparedHome(home, time.monotonic() - started, small_data.n_a)


def answers(home: Path, probe: str, *, fresh: bool = False) -> dict:
    """The data root's answers (see probe.py); fails the test if it cannot answer.

    `fresh`: from a new process, so no cache in this one can hide damage on disk. In this
    process Chroma's client cache is dropped first, which is what such a cache would be.
    """
    import json

    if fresh:
        done = subprocess.run(
            [sys.executable, "-m", "tests.reliability.probe", str(home), probe],
            capture_output=True, text=True, cwd=REPO_ROOT, timeout=300, env=child_env(home),
        )
        if done.returncode != 0:
            pytest.fail(f"the data root {home} does not answer:\n{done.stderr[-3000:]}")
        got = json.loads(done.stdout.strip().splitlines()[-1])
    else:
        from chromadb.api.shared_system_client import SharedSystemClient

        from .probe import ask

        SharedSystemClient.clear_system_cache()
        got = ask(str(home), probe)
    assert got["products"] and "LUNCH BAG" in got["text"], got["text"]
    assert len(got["similar"]) == 5 and probe not in got["similar"]
    assert got["rules"] > 0
    return got


@pytest.fixture(scope="session")
def probe(small_data) -> str:
    """A product in both catalogues whose neighbours the checks ask for."""
    from retrieval.dataset import Dataset

    return str(Dataset.load(small_data.b).catalogue.frame.index[0])


_FIGURES: list[str] = []


@pytest.fixture()
def figures():
    """Lines a test reports (load percentiles, kill outcomes) to show after the run."""
    return _FIGURES.append


def pytest_terminal_summary(terminalreporter):
    if _FIGURES:
        terminalreporter.section(f"reliability figures ({'full' if FULL else 'short'} sizes)")
        for line in _FIGURES:
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def chroma(tmp_path_factory):
    """One real Chroma server for the session; a test that stops it starts it again."""
    from .chroma import ChromaServer

    server = ChromaServer(tmp_path_factory.mktemp("chroma")).start()
    yield server
    server.stop()


@dataclass(frozen=True)
class Served:
    home: Path
    url: str
    chroma: object  # ChromaServer


@pytest.fixture(scope="session")
def served(prepared_home, chroma, tmp_path_factory):
    """The real app server in its own process, over a copy of the prepared root whose vectors
    `shopassist build --chroma-host` moved onto the Chroma server. It also serves the broken
    chat (`bench.load.MIXED_PATH`) that the leak check is tried on. Short: the HTTP API alone
    (importing and building the Gradio app at / is a third of a start and no part of a chat
    turn; the browser tests serve it); full: the whole app `shopassist run` serves."""
    from bench import servers

    root = tmp_path_factory.mktemp("served")
    home = prepared_home.copy(root / "home")
    cli("build", "--no-ranker", "--chroma-host", chroma.host, "--chroma-port", str(chroma.port), home=home)
    server = servers.ServerProcess(home, root / "server.log", mixed_sessions=True, api_only=not FULL)
    try:
        yield Served(home, server.launch().ready().url, chroma)
    finally:
        server.stop()


def assert_clean_load(result, what: str, figures) -> None:
    """Record a load run's figures and check it: no errors, no leak, every basket as its
    session left it, and something seen to check (whole conversations, adds)."""
    figures(f"{what}: {result.requests} requests, "
            f"p50 {result.percentile(50) * 1000:.0f} ms, p99 {result.percentile(99) * 1000:.0f} ms, "
            f"{len(result.errors)} errors, {len(result.leaks)} canary leaks, "
            f"{result.baskets_checked} baskets checked, {len(result.basket_errors)} wrong")
    assert result.errors == [], result.errors[:10]
    assert result.leaks == [], result.leaks[:10]
    assert result.basket_errors == [] and result.baskets_checked == len(result.rounds), result.basket_errors[:10]
    assert all(n >= 1 for n in result.rounds.values()), result.rounds
    assert all(result.baskets.values()), "a session's adds added nothing: the basket check proves nothing"
