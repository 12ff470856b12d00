"""The index's builds on the shared BuildStore: CURRENT.json, the lock, stale builds."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from retrieval.errors import ConfigError
from retrieval.index.builds import (
    CURRENT_FILE,
    BuildInfo,
    build_folder,
    build_lock,
    drop_stale_builds,
    read_current,
    start_build,
    switch_current,
)
from retrieval.index.encoder import ModelInfo
from retrieval.index.store import StoreSpec

if TYPE_CHECKING:
    from multiprocessing.synchronize import Event


def _info(build_id: str) -> BuildInfo:
    return BuildInfo(build_id=build_id, created="2026-01-01T00:00:00+00:00", store=StoreSpec(),
                     collection=f"products-{build_id}", model=ModelInfo("m", 4, "f" * 16),
                     template="{title}", count=2, fingerprint="abc")


def _hold(index_root: str, held: Event, release: Event) -> None:
    with build_lock(Path(index_root)):
        held.set()
        release.wait(60)


def test_a_pointer_written_before_the_shared_store_still_loads(tmp_path):
    info = _info("20250101T000000-abcdef")
    with (tmp_path / CURRENT_FILE).open("w") as f:  # exactly how builds.py used to write it
        json.dump(info.to_dict(), f, indent=2)
    assert read_current(tmp_path) == info


def test_switch_writes_the_whole_record_and_a_damaged_one_is_a_value_error(tmp_path):
    info = _info("b1")
    start_build(tmp_path, "b1", info.store, info.collection)
    switch_current(tmp_path, info)
    assert json.loads((tmp_path / CURRENT_FILE).read_text()) == info.to_dict()
    assert read_current(tmp_path) == info
    (tmp_path / CURRENT_FILE).write_text('{"build_id": "b1"}')  # no store, model, ...
    with pytest.raises(ValueError, match="unreadable"):
        read_current(tmp_path)


def test_switching_to_a_build_that_was_never_started_is_refused(tmp_path):
    with pytest.raises(FileNotFoundError):
        switch_current(tmp_path, _info("nowhere"))
    assert read_current(tmp_path) is None


def test_stale_builds_go_and_the_live_one_stays(tmp_path):
    for build_id in ("live", "killed"):
        start_build(tmp_path, build_id, StoreSpec(), f"products-{build_id}")
    switch_current(tmp_path, _info("live"))
    assert drop_stale_builds(tmp_path, keep="live") == ["killed"]
    assert build_folder(tmp_path, "live").is_dir() and not build_folder(tmp_path, "killed").exists()


def test_a_second_build_on_the_same_root_fails_at_once_with_a_plain_message(tmp_path):
    ctx = multiprocessing.get_context("spawn")
    held, release = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=_hold, args=(str(tmp_path), held, release))
    holder.start()
    try:
        assert held.wait(60)
        with pytest.raises(ConfigError, match="another `shopassist build` is running"), build_lock(tmp_path):
            pass
    finally:
        release.set()
        holder.join(60)
    # A build's own errors are not mistaken for the lock being held.
    with pytest.raises(KeyError), build_lock(tmp_path):
        raise KeyError("the build's own failure")
