"""A build killed at any moment must leave the previous index answering exactly as before."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from retrieval.config import REPO_ROOT, index_dir
from retrieval.index import build_index
from retrieval.products import Catalogue

from .conftest import as_dataset

# The build a person (or a cron job) runs, one row per write so the kill lands mid-write.
BUILD = """
import logging, sys
logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(message)s")
from retrieval.dataset import Dataset
from retrieval.index import build_index
from retrieval.index import StoreSpec
store = StoreSpec(ef_search=int(sys.argv[4])) if len(sys.argv) > 4 else None
build_index(Dataset.load(sys.argv[1]).catalogue, sys.argv[2], store=store, write_batch_size=int(sys.argv[3]))
"""

# Answers read by a fresh process, so no in-process Chroma cache can hide damage on disk.
ANSWERS = """
import json, sys
from retrieval.index import open_index
index = open_index(sys.argv[1])
out = {pid: [[n.product_id, n.score] for n in index.similar_items(pid, k=10)] for pid in sys.argv[2:]}
print(json.dumps({"build": index.info.build_id, "count": len(index), "neighbours": out}))
"""


def _answers(root: Path, probes: list[str]) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", ANSWERS, str(root), *probes],
        capture_output=True, text=True, cwd=REPO_ROOT, timeout=120, check=True,
    )
    return json.loads(done.stdout)


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(f.relative_to(folder)): hashlib.sha256(f.read_bytes()).hexdigest()
        for f in sorted(folder.rglob("*"))
        if f.is_file()
    }


def _kill_when(command: list[str], ready, log: Path, env: dict) -> subprocess.Popen:
    """Start a build and return it as soon as `ready(log_text)` holds (the moment to kill)."""
    deadline = time.monotonic() + 120
    with log.open("w") as err:
        proc = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=err, stderr=err)
        while not ready(log.read_text()):
            if proc.poll() is not None:
                pytest.fail(f"the build ended (rc {proc.returncode}) before the moment to kill it")
            if time.monotonic() > deadline:
                proc.kill()
                pytest.fail("the build never reached the moment to kill it")
            time.sleep(0.005)
        return proc


def _killed(proc: subprocess.Popen, delay: float) -> None:
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()


@pytest.mark.slow
@pytest.mark.reliability  # kills aimed at chosen phases; tests/reliability kills the CLI at random ones
def test_killed_builds_leave_the_old_index_answering_identically(tmp_path, retail, plumbing_catalogue, encoder):
    root = tmp_path / "home"
    live = build_index(plumbing_catalogue, root, encoder=encoder)
    probes = plumbing_catalogue.ids[50:55]  # kept, unchanged products
    before = _answers(root, probes)
    # Taken after a reader: Chroma rewrites its files whenever a process opens a collection.
    live_files = _digest(live.folder)
    pointer = index_dir(root) / "CURRENT.json"
    pointer_bytes = pointer.read_bytes()

    # Next catalogue: 40 titles changed, 10 products added, 10 removed.
    frame = plumbing_catalogue.frame.iloc[10:].copy()
    frame.iloc[:40, frame.columns.get_loc("title")] = frame["title"].iloc[:40].astype(str) + " GIFT SET"
    extra = [pid for pid in retail.ids if pid not in plumbing_catalogue.frame.index][:10]
    changed = Catalogue(pd.concat([frame, retail.frame.loc[extra]]))
    dataset_dir = as_dataset(changed).save(tmp_path / "dataset")
    builds = index_dir(root) / "builds"
    env = {**os.environ, "SHOPASSIST_HOME": str(root)}

    # (how the build is run, when to kill it). "copy" rebuilds copy the live collection and
    # upsert the changes; "fresh" ones (a new ef_search) write a whole new collection.
    plans = [
        ("copy", "embedding", 0.0),
        ("copy", "writing", 0.0),
        ("copy", "writing", 0.3),
        ("fresh", "writing", 0.1),
        ("cli", "writing", 0.0),
    ]
    for n, (how, phase, delay) in enumerate(plans):
        command = [sys.executable, "-c", BUILD, str(dataset_dir), str(root), "1"]
        if how == "fresh":
            command.append("500")
        elif how == "cli":
            command = [sys.executable, "-m", "assistant.cli", "build", "--no-ranker", "--dataset", str(dataset_dir)]
        log = tmp_path / f"build-{how}-{phase}-{delay}.log"
        proc = _kill_when(command, lambda text, phase=phase: phase in text, log, env)
        _killed(proc, delay)
        what = f"{how}/{phase}/{delay}"
        assert pointer.read_bytes() == pointer_bytes, f"{what}: switched before the kill"
        assert _digest(live.folder) == live_files, f"{what}: the build touched the live build's files"
        if n in (0, len(plans) - 1):  # identical files answer identically; ask twice to be sure
            assert _answers(root, probes) == before, f"{what}: the old index changed"
            live_files = _digest(live.folder)

    # The next build completes and clears what the killed ones left behind.
    result = build_index(changed, root, encoder=encoder)
    assert (result.embedded, result.deleted, result.total) == (50, 10, 150)
    assert [p.name for p in builds.iterdir()] == [result.build_id]
    after = _answers(root, probes)
    assert after["build"] == result.build_id and after["count"] == len(changed)
