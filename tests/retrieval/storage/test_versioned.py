"""BuildStore: builds aside, an atomic pointer, one writer at a time across processes."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from retrieval.config import REPO_ROOT
from retrieval.storage import BuildLayout, BuildStore, LockHeldError, PointerError

BARE = BuildLayout(pointer="CURRENT")  # as the rules: builds beside a bare-id pointer
RECORD = BuildLayout(pointer="CURRENT.json", builds="builds", json_pointer=True)  # as the index
if TYPE_CHECKING:
    from multiprocessing.synchronize import Event

PARTS = 4  # files per test build; a complete build has all of them, each naming the build
PART_SIZE = 50_000


class WriterFailed(RuntimeError):
    pass


def _write_parts(build_id: str, delay: float = 0.0) -> Callable[[Path], None]:
    def write(folder: Path) -> None:
        for part in range(PARTS):
            (folder / f"part{part}").write_text(build_id * (PART_SIZE // len(build_id)))
            time.sleep(delay)
    return write


def _complete(folder: Path, build_id: str) -> bool:
    return all((folder / f"part{p}").read_text() == build_id * (PART_SIZE // len(build_id)) for p in range(PARTS))


def _publish_slowly(root: str, name: str, log: str) -> None:
    """One process's build: logs when it holds the lock and when it lets go."""
    store = BuildStore(Path(root), BARE)

    def write(folder: Path) -> None:
        with open(log, "a") as f:
            f.write(f"start {name} {time.monotonic()}\n")
        time.sleep(0.5)  # long enough that an unserialised second build would overlap
        _write_parts(name)(folder)
        with open(log, "a") as f:
            f.write(f"end {name} {time.monotonic()}\n")

    store.publish(write, name)


def _hold_lock(root: str, held: Event, release: Event) -> None:
    with BuildStore(Path(root), RECORD).lock():
        held.set()
        release.wait(60)


def test_publish_switches_the_pointer_and_keeps_one_previous_build(tmp_path):
    store = BuildStore(tmp_path, BARE)
    assert store.current() is None
    ids = ["20260101T000000-a", "20260101T000001-b", "20260101T000002-c"]
    for build_id in ids:
        folder = store.publish(_write_parts(build_id), build_id)
        assert folder == tmp_path / build_id and _complete(folder, build_id)
    assert (tmp_path / "CURRENT").read_text() == ids[-1]  # the bare id, as rules pointers always were
    assert store.current() == ids[-1] and store.builds() == ids[-2:]
    assert store.current_folder() == tmp_path / ids[-1]
    store.publish(_write_parts("d"), "d", keep_previous=False)
    assert store.builds() == ["d"]


def test_a_writer_that_raises_leaves_the_pointer_and_builds_and_no_staging(tmp_path):
    store = BuildStore(tmp_path, BARE)
    store.publish(_write_parts("old"), "old")

    def half_then_fail(folder: Path) -> None:
        (folder / "part0").write_text("half")
        raise WriterFailed("mid-build")

    with pytest.raises(WriterFailed):
        store.publish(half_then_fail, "new")
    assert store.current() == "old" and _complete(tmp_path / "old", "old")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["CURRENT", "build.lock", "old"]


def test_json_pointer_holds_the_record_and_must_name_the_build(tmp_path):
    store = BuildStore(tmp_path, RECORD)
    with store.lock(wait=False):
        folder = store.new_build("b1")
        assert folder == tmp_path / "builds" / "b1"
        with pytest.raises(FileExistsError):
            store.new_build("b1")  # a reused id must not mix two builds in one folder
        with pytest.raises(ValueError, match="must name build b1"):
            store.commit("b1", {"build_id": "b0", "count": 3})
        assert store.current() is None
        store.commit("b1", {"build_id": "b1", "count": 3})
    assert json.loads((tmp_path / "CURRENT.json").read_text()) == {"build_id": "b1", "count": 3}
    assert store.current() == "b1" and store.current_document() == {"build_id": "b1", "count": 3}


@pytest.mark.parametrize("text", ["{not json", "[1, 2]", '{"count": 3}'])
def test_a_damaged_json_pointer_is_a_pointer_error(tmp_path, text):
    (tmp_path / "CURRENT.json").write_text(text)
    with pytest.raises(PointerError, match="CURRENT.json is unreadable"):
        BuildStore(tmp_path, RECORD).current()


def test_existing_bare_pointers_with_a_newline_still_load(tmp_path):
    (tmp_path / "CURRENT").write_text("20250101T000000-abcdef12\n")
    assert BuildStore(tmp_path, BARE).current() == "20250101T000000-abcdef12"
    assert BuildStore(tmp_path, BARE).current_folder() is None  # named, but its folder is gone
    (tmp_path / "20250101T000000-abcdef12").mkdir()
    assert BuildStore(tmp_path, BARE).current_folder() == tmp_path / "20250101T000000-abcdef12"
    (tmp_path / "CURRENT").write_text("")
    assert BuildStore(tmp_path, BARE).current() is None


def test_prune_removes_killed_builds_staging_folders_and_calls_the_dropper(tmp_path):
    store = BuildStore(tmp_path, RECORD)
    for name in ("live", "killed", ".tmp-killed2"):
        (tmp_path / "builds" / name).mkdir(parents=True)
    dropped: list[str] = []
    with store.lock():
        gone = store.prune(keep={"live", None}, drop=lambda b: (dropped.append(b), store.folder(b).rmdir()))
    assert gone == dropped == [".tmp-killed2", "killed"]
    assert store.builds() == ["live"]


def test_the_lock_serialises_two_processes_building_at_once(tmp_path):
    ctx = multiprocessing.get_context("spawn")  # a clean interpreter, like a second CLI run
    log = tmp_path / "lock.log"
    procs = [ctx.Process(target=_publish_slowly, args=(str(tmp_path / "rules"), name, str(log)))
             for name in ("first", "second")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    events = [line.split() for line in log.read_text().splitlines()]
    assert [e[0] for e in events] == ["start", "end", "start", "end"]  # never start, start
    assert events[0][1] == events[1][1] and events[2][1] == events[3][1] != events[0][1]
    assert float(events[2][2]) >= float(events[1][2])
    store = BuildStore(tmp_path / "rules", BARE)
    assert store.current() == events[3][1]
    assert store.builds() == sorted(["first", "second"])  # the later one live, the earlier kept
    assert all(_complete(store.folder(b), b) for b in store.builds())


def test_a_writer_that_must_not_wait_is_refused_while_another_process_builds(tmp_path):
    ctx = multiprocessing.get_context("spawn")
    held, release = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=_hold_lock, args=(str(tmp_path), held, release))
    holder.start()
    try:
        assert held.wait(60)
        with pytest.raises(LockHeldError), BuildStore(tmp_path, RECORD).lock(wait=False):
            pass
    finally:
        release.set()
        holder.join(60)
    with BuildStore(tmp_path, RECORD).lock(wait=False):  # free again once the holder is done
        pass


def test_the_pointer_never_names_a_half_written_build(tmp_path):
    """A reader process follows the pointer while a writer publishes builds part by part."""
    root = tmp_path / "store"
    BuildStore(root, BARE).publish(_write_parts("b000"), "b000")
    reader = subprocess.Popen([sys.executable, "-c", READER, str(root)], stdout=subprocess.PIPE, text=True,
                              cwd=REPO_ROOT, env={**os.environ, "PYTHONPATH": str(REPO_ROOT)})
    store = BuildStore(root, BARE)
    for n in range(1, 31):
        store.publish(_write_parts(f"b{n:03d}", delay=0.002), f"b{n:03d}")
    (tmp_path / "stop").write_text("")
    out, _ = reader.communicate(timeout=60)
    report = json.loads(out)
    assert report["half"] == [] and len(report["seen"]) >= 2, report


def test_a_build_killed_mid_write_leaves_the_live_build_and_is_pruned_next_time(tmp_path):
    root = tmp_path / "store"
    store = BuildStore(root, BARE)
    store.publish(_write_parts("live"), "live")
    proc = subprocess.Popen([sys.executable, "-c", HANGING_BUILD, str(root)], stdout=subprocess.PIPE, text=True,
                            cwd=REPO_ROOT, env={**os.environ, "PYTHONPATH": str(REPO_ROOT)})
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "writing"
        assert (root / ".tmp-killed" / "part0").exists()
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert store.current() == "live" and _complete(root / "live", "live")
    store.publish(_write_parts("next"), "next")  # the OS dropped the dead build's lock
    assert store.builds() == ["live", "next"] and not (root / ".tmp-killed").exists()


READER = f"""
import json, sys
from pathlib import Path
from retrieval.storage import BuildLayout, BuildStore
root = Path(sys.argv[1]); stop = root.parent / "stop"
store = BuildStore(root, BuildLayout(pointer="CURRENT"))
seen, half = set(), []
while not stop.exists():
    build = store.current()
    seen.add(build)
    try:
        texts = [(root / build / f"part{{p}}").read_text() for p in range({PARTS})]
    except FileNotFoundError:
        if store.current() == build:  # a live build lacks a file: half written
            half.append(build)
        continue  # else pruned since the pointer was read: a reader retries with the new one
    if texts != [build * ({PART_SIZE} // len(build))] * {PARTS}:
        half.append(build)
print(json.dumps({{"seen": sorted(seen), "half": half}}))
"""

HANGING_BUILD = """
import sys, time
from pathlib import Path
from retrieval.storage import BuildLayout, BuildStore

def write(folder):
    (folder / "part0").write_text("half")
    print("writing", flush=True)
    time.sleep(600)

BuildStore(Path(sys.argv[1]), BuildLayout(pointer="CURRENT")).publish(write, "killed")
"""
