"""Atomic writes: a failed or killed write leaves the old file whole and no temp file behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from retrieval.config import REPO_ROOT
from retrieval.storage import (
    is_temp_name,
    write_atomic,
    write_bytes_atomic,
    write_files_atomic,
    write_json_atomic,
    write_text_atomic,
)

# Starts replacing argv[1] with a large file, reports that it is mid-write, then hangs there.
HANGING_WRITER = """
import sys, time
from pathlib import Path
from retrieval.storage import write_atomic

def write(tmp: Path) -> None:
    with tmp.open("wb") as f:
        f.write(b"half of the new content")
        f.flush()
        print("writing", flush=True)
        time.sleep(600)

write_atomic(Path(sys.argv[1]), write)
"""


class WriterFailed(RuntimeError):
    pass


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_writer_that_raises_leaves_the_old_file_and_no_temp(tmp_path):
    target = tmp_path / "model.json"
    write_text_atomic(target, "old")

    def half_then_fail(tmp: Path) -> None:
        tmp.write_text("new but incomplete")
        raise WriterFailed("disk full, say")

    with pytest.raises(WriterFailed):
        write_atomic(target, half_then_fail)
    assert target.read_text() == "old"
    assert _names(tmp_path) == ["model.json"]


def test_a_writer_that_raises_before_creating_anything_leaves_no_target(tmp_path):
    def fail(tmp: Path) -> None:
        raise WriterFailed("before any byte")

    with pytest.raises(WriterFailed):
        write_atomic(tmp_path / "new.parquet", fail)
    assert _names(tmp_path) == []


def test_bytes_text_and_json_round_trip_and_replace(tmp_path):
    write_bytes_atomic(tmp_path / "b.bin", b"\x00\x01")
    write_bytes_atomic(tmp_path / "b.bin", b"\x02")
    write_text_atomic(tmp_path / "t.txt", "h\u00e9")
    write_json_atomic(tmp_path / "j.json", {"a": [1, 2]})
    assert (tmp_path / "b.bin").read_bytes() == b"\x02"
    assert (tmp_path / "t.txt").read_text(encoding="utf-8") == "h\u00e9"
    assert json.loads((tmp_path / "j.json").read_text()) == {"a": [1, 2]}
    assert (tmp_path / "j.json").read_text().startswith("{\n  ")  # indent 2, as CURRENT.json was
    assert _names(tmp_path) == ["b.bin", "j.json", "t.txt"]


def test_json_that_cannot_be_encoded_changes_nothing(tmp_path):
    target = tmp_path / "CURRENT.json"
    write_json_atomic(target, {"build_id": "a"})
    with pytest.raises(TypeError):
        write_json_atomic(target, {"build_id": object()})
    assert json.loads(target.read_text()) == {"build_id": "a"}
    assert _names(tmp_path) == ["CURRENT.json"]


def test_library_writers_that_add_suffixes_write_exactly_the_temp_path(tmp_path):
    # np.save adds .npy and np.savez adds .npz to a path without them: the temp keeps the suffix.
    vectors = np.arange(6, dtype=np.float32).reshape(2, 3)
    write_atomic(tmp_path / "vectors.npy", lambda tmp: np.save(tmp, vectors))
    write_atomic(tmp_path / "graph-abc.npz", lambda tmp: np.savez(tmp, v=vectors))
    assert _names(tmp_path) == ["graph-abc.npz", "vectors.npy"]
    np.testing.assert_array_equal(np.load(tmp_path / "vectors.npy"), vectors)
    np.testing.assert_array_equal(np.load(tmp_path / "graph-abc.npz")["v"], vectors)


def test_a_failure_in_any_file_of_a_group_changes_none_of_them(tmp_path):
    write_files_atomic(tmp_path, {"products.parquet": lambda t: t.write_text("old products"),
                                  "lines.parquet": lambda t: t.write_text("old lines")})

    def fail(tmp: Path) -> None:
        tmp.write_text("new lines, half")
        raise WriterFailed("lines could not be written")

    with pytest.raises(WriterFailed):
        write_files_atomic(tmp_path, {"products.parquet": lambda t: t.write_text("new products"),
                                      "lines.parquet": fail})
    assert (tmp_path / "products.parquet").read_text() == "old products"
    assert (tmp_path / "lines.parquet").read_text() == "old lines"
    assert _names(tmp_path) == ["lines.parquet", "products.parquet"]


def test_kill_9_mid_write_leaves_the_old_file_and_the_next_write_sweeps_the_litter(tmp_path):
    target = tmp_path / "ranker.json"
    write_text_atomic(target, "old model")
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", HANGING_WRITER, str(target)], cwd=REPO_ROOT, env=env,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "writing"
        litter = [n for n in _names(tmp_path) if n != "ranker.json"]
        assert len(litter) == 1 and is_temp_name(litter[0]) and str(proc.pid) in litter[0]
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert target.read_text() == "old model"
    # A live writer's temp file must survive a sweep: only the dead process's goes.
    live = tmp_path / f".ranker.json.tmp-{os.getppid()}-0000.json"
    live.write_text("someone alive is writing this")
    write_text_atomic(target, "new model")
    assert target.read_text() == "new model"
    assert _names(tmp_path) == sorted(["ranker.json", live.name])


def test_readers_never_see_a_partial_file(tmp_path):
    """A reader process polling the file while it is replaced 200 times sees only whole versions."""
    target = tmp_path / "doc.json"
    write_json_atomic(target, {"n": 0, "pad": "x" * 200_000})
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(target)], stdout=subprocess.PIPE, text=True, cwd=REPO_ROOT,
    )
    for n in range(1, 201):
        write_json_atomic(target, {"n": n, "pad": "x" * 200_000})
    time.sleep(0.05)
    (tmp_path / "stop").write_text("")
    out, _ = reader.communicate(timeout=60)
    reads, bad = map(int, out.split())
    assert bad == 0 and reads > 0


READER = """
import json, sys
from pathlib import Path
target = Path(sys.argv[1]); stop = target.with_name("stop")
reads = bad = 0
while not stop.exists():
    try:
        doc = json.loads(target.read_text())
        bad += len(doc["pad"]) != 200_000
    except ValueError:
        bad += 1
    reads += 1
print(reads, bad)
"""
