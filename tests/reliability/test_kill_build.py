"""kill -9 of the real `shopassist build` at random moments: the data root always answers.

Each trial starts the installed `shopassist build` on the catalogue that is not live (so it
has everything to do: save the dataset, embed every product with --full, write Chroma and the
mirror, switch, drop the old build, mine rules) and SIGKILLs it at a random moment: some
trials anywhere in a whole build's time, the others a random fraction of a second after the
build reaches a given step, so the short steps (the Chroma write, the switch, the rules)
are hit too and not only the long embedding. Then the app is opened and asked questions (from
a fresh process in the full run). If the kill came before the switch, the old build must be
untouched and answer as before; if after, the new build must be complete. The seed is printed so a failure can be replayed
(SHOPASSIST_KILL_SEED).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest

from assistant.cli import main
from retrieval.config import REPO_ROOT, index_dir

from .conftest import FAST_ENCODER, FULL, answers, child_env, shopassist, sized

# Each trial is a build and an app start; the full run's trials outlast the default timeout.
pytestmark = [pytest.mark.reliability, pytest.mark.slow, pytest.mark.timeout(sized(600, 1800))]

KILLS = sized(3, 10)
# Files of a build that nothing rewrites after it is complete (Chroma's own files change
# whenever a reader opens the collection, so they are judged by the answers instead).
SETTLED = ("manifest.json", "vectors.npy", "ids.json", "records.parquet")
# Where the aimed trials strike, in turn (None: anywhere in the whole build's time): a random
# fraction of a second after the first log line of the step.
AIMS = (None, "writing", "index built", None, "saved dataset", "embedding")
# How far a build had got, from the last of these lines in its log (in the order they come).
PHASES = (
    ("saved dataset", "dataset saved"),
    ("embedding", "embedding"),
    ("writing", "writing Chroma"),
    ("index built", "switched, mining rules"),
    ("rules mined", "done, exiting"),
)


def test_kill_9_of_shopassist_build_at_random_moments(prepared_home, small_data, probe, tmp_path, figures):
    home = prepared_home.copy(tmp_path / "home")
    seed = int(os.environ.get("SHOPASSIST_KILL_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    print(f"kill seed {seed}")
    pointer = index_dir(home) / "CURRENT.json"
    seen = {}  # build id -> its neighbours of `probe`: a build answers the same all its life
    first = answers(home, probe, fresh=FULL)
    seen[first["build"]] = first["similar"]
    outcomes: list[str] = []
    phases: Counter[str] = Counter()
    tries = 0
    whole = prepared_home.build_seconds  # how long a whole build takes; shrinks if one is quicker
    while len(outcomes) < KILLS:
        tries += 1
        assert tries <= 3 * KILLS, f"only {len(outcomes)} of {tries} builds were still running when killed"
        before = pointer.read_bytes()
        live = json.loads(before)
        settled = _digest(home, live["build_id"])
        target = small_data.b if live["count"] == small_data.n_a else small_data.a
        aim = AIMS[(tries - 1) % len(AIMS)]
        delay = rng.uniform(0.0, whole if aim is None else 0.25)  # the steps after "writing" are short
        log = tmp_path / f"build-{tries}.log"
        started = time.monotonic()
        killed = _build_and_kill(home, target, aim, delay, log)
        if not killed and aim is None:
            whole = min(whole, time.monotonic() - started)
        now = _live(pointer)
        moment = f"trial {tries} (seed {seed}, killed {delay:.2f} s after {aim or 'the start'}, {_phase(log)})"
        if now["build_id"] == live["build_id"]:
            assert pointer.read_bytes() == before, f"{moment}: the pointer changed"
            assert _digest(home, live["build_id"]) == settled, f"{moment}: the live build's files changed"
        else:  # killed after the switch: the new build must be whole
            assert now["count"] == (small_data.n_a if target == small_data.a else small_data.n_b), moment
        got = answers(home, probe, fresh=FULL)
        assert got["build"] == now["build_id"], moment
        assert got["similar"] == seen.setdefault(got["build"], got["similar"]), f"{moment}: answers changed"
        if killed:
            outcomes.append("old build" if now["build_id"] == live["build_id"] else "new build")
            phases[_phase(log)] += 1

    # The next build completes and clears whatever the killed ones left behind.
    assert main(["build", "--no-ranker", "--dataset", str(small_data.b), "--home", str(home)]) == 0
    builds = [p.name for p in (index_dir(home) / "builds").iterdir()]
    assert builds == [_live(pointer)["build_id"]]
    answers(home, probe, fresh=FULL)
    figures(f"kill -9 of `shopassist build`: {len(outcomes)} kills in {tries} builds, every one survived "
            f"({outcomes.count('old build')} left the old build live, {outcomes.count('new build')} "
            f"came after the switch); killed while: {dict(phases)}; seed {seed}")


def _build_and_kill(home: Path, dataset: Path, aim: str | None, delay: float, log: Path) -> bool:
    """Run `shopassist build`, SIGKILL it `delay` s after its log shows `aim` (or after it
    starts); False if it had already finished."""
    command = [*shopassist(), "build", "--no-ranker", "--dataset", str(dataset), "--full", *FAST_ENCODER, "--home", str(home)]
    with log.open("w") as out:
        # Unbuffered, so the log shows how far the build got when it died.
        env = {**child_env(home), "PYTHONUNBUFFERED": "1"}
        proc = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=out, stderr=out)
        try:
            while aim is not None and aim not in log.read_text():
                if proc.poll() is not None:
                    break
                time.sleep(0.01)
            proc.wait(timeout=delay)
            assert proc.returncode == 0, f"the build failed on its own: {log.read_text()[-2000:]}"
            return False
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            return True


def _live(pointer: Path) -> dict:
    return json.loads(pointer.read_text())


def _digest(home: Path, build_id: str) -> dict[str, str]:
    folder = index_dir(home) / "builds" / build_id
    return {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in SETTLED}


def _phase(log: Path) -> str:
    text = log.read_text()
    reached = [(text.rfind(mark), name) for mark, name in PHASES if mark in text]
    return max(reached)[1] if reached else "starting (imports, reading the dataset)"

