"""A missing or damaged index is a plain error that names a command, and that command fixes it."""

from __future__ import annotations

import json
import re
import shlex
import shutil
from pathlib import Path

import pytest

from assistant.cli import main
from retrieval.config import index_dir

from .conftest import FULL, answers

pytestmark = [pytest.mark.reliability, pytest.mark.slow]


def _live(home: Path) -> Path:
    build = json.loads((index_dir(home) / "CURRENT.json").read_text())["build_id"]
    return index_dir(home) / "builds" / build


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _rename_build(home: Path) -> None:
    pointer = index_dir(home) / "CURRENT.json"
    pointer.write_text(json.dumps({**json.loads(pointer.read_text()), "build_id": "20260101T000000-000000"}))


DAMAGE = {
    "no index": lambda home: shutil.rmtree(index_dir(home)),
    "pointer deleted": lambda home: (index_dir(home) / "CURRENT.json").unlink(),
    "pointer garbage": lambda home: (index_dir(home) / "CURRENT.json").write_bytes(b"\x00\xffnot json"),
    "pointer truncated": lambda home: _truncate(index_dir(home) / "CURRENT.json"),
    "pointer names a missing build": _rename_build,
    "build folder deleted": lambda home: shutil.rmtree(_live(home)),
    "vectors truncated": lambda home: _truncate(_live(home) / "vectors.npy"),
    "vectors garbage": lambda home: (_live(home) / "vectors.npy").write_bytes(b"garbage" * 100),
    "vectors deleted": lambda home: (_live(home) / "vectors.npy").unlink(),
    "ids garbage": lambda home: (_live(home) / "ids.json").write_text('["23206", '),
    "chroma database garbage": lambda home: (_live(home) / "chroma" / "chroma.sqlite3").write_bytes(b"x" * 4096),
    "chroma database truncated": lambda home: _truncate(_live(home) / "chroma" / "chroma.sqlite3"),
    "chroma folder deleted": lambda home: shutil.rmtree(_live(home) / "chroma"),
}
# The short run repairs one of each kind of damage (pointer, mirror, Chroma); the full run all.
REPAIRED_IN_SHORT = {"pointer truncated", "vectors truncated", "chroma database truncated"}


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_index_names_the_command_that_repairs_it(damage, prepared_home, probe, tmp_path, capsys):
    home = prepared_home.copy(tmp_path / "home")
    DAMAGE[damage](home)

    # What a person sees: one line naming the fix, exit code 2, no traceback.
    assert main(["ask", "a lunch bag under £2", "--home", str(home)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err, err
    fix = re.search(r"`(shopassist build[^`]*)`", err)
    assert fix, f"{damage}: no command to fix it in {err!r}"

    if FULL or damage in REPAIRED_IN_SHORT:
        # The command it names, as named, repairs the data root. (`--no-ranker`: the prepared
        # root has no learned ranker, and training one is not part of repairing an index.)
        repair = [*shlex.split(fix.group(1))[1:], "--home", str(home), "--no-ranker"]
        assert main(repair) == 0, capsys.readouterr().err
        got = answers(home, probe)
        assert got["count"] == prepared_home.count
