"""Rules saves through the shared BuildStore: locked, fsynced, killed saves cleaned up."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from retrieval.config import rules_dir
from retrieval.rules import MiningParams, load_rules, mine_rules, save_rules
from retrieval.rules.persist import POINTER, current_build

BASKETS = [["a", "b"], ["a", "b"], ["a", "c"], ["b", "c"]]


def _params(min_support: int) -> MiningParams:
    return MiningParams(min_support=min_support, min_confidence=0, min_lift=0)


def _save_in_another_process(root: str, min_support: int, out: str) -> None:
    folder = save_rules(mine_rules(BASKETS, _params(min_support)), root)
    Path(out).write_text(folder.name)


def test_two_processes_saving_at_once_both_finish_and_one_is_current(tmp_path):
    ctx = multiprocessing.get_context("spawn")
    outs = [tmp_path / "out1", tmp_path / "out2"]
    procs = [ctx.Process(target=_save_in_another_process, args=(str(tmp_path), support, str(out)))
             for support, out in zip((1, 2), outs, strict=True)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    saved = sorted(out.read_text() for out in outs)
    base = rules_dir(tmp_path)
    assert current_build(base) in saved
    assert sorted(p.name for p in base.iterdir() if p.is_dir()) == saved  # current + previous, no staging
    store = load_rules(tmp_path)
    assert store.meta.build == current_build(base) and len(store) == store.meta.n_rules > 0


def test_a_killed_saves_staging_folder_is_removed_by_the_next_save(tmp_path):
    first = save_rules(mine_rules(BASKETS, _params(1)), tmp_path)
    base = rules_dir(tmp_path)
    killed = base / ".tmp-20260101T000000-deadbeef"  # what a save killed mid-write leaves
    killed.mkdir()
    (killed / "rules.parquet").write_bytes(b"PAR1 half")
    second = save_rules(mine_rules(BASKETS, _params(2)), tmp_path)
    assert not killed.exists()
    assert (base / POINTER).read_text() == second.name  # the bare build name, as before
    assert sorted(p.name for p in base.iterdir() if p.is_dir()) == sorted([first.name, second.name])
    store = load_rules(tmp_path)
    assert store.meta.build == second.name and len(store) == len(mine_rules(BASKETS, _params(2))) > 0
