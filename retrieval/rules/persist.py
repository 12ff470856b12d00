"""Mined rules on disk beside the vector index: atomic saves, versioned builds, metadata.

Layout under ``rules_dir(root)``::

    CURRENT                  name of the build readers should open (replaced atomically)
    build.lock               held while a save runs, so two saves take turns
    <build>/rules.parquet    one row per rule: antecedent list<string>, consequent, counts, measures
    <build>/itemsets.parquet items list<string>, count, support
    <build>/meta.json        RulesMeta: params, basket fingerprint, n baskets, engine, created

A save (retrieval.storage's BuildStore.publish) writes a new build folder under a temporary
name, fsyncs it, renames it, then swaps CURRENT, so a reader sees the old rules or the new
ones, never a mix. The build before the current one is kept (a reader may have just read the
old pointer); older ones, and folders of saves that were killed, are deleted.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ..config import rules_dir
from ..errors import IndexNotFoundError
from ..storage import BuildLayout, BuildStore, new_build_id
from .model import RULE_COLUMNS
from .ruleset import RuleSet

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
POINTER = "CURRENT"
LOCK_FILE = "build.lock"
LAYOUT = BuildLayout(pointer=POINTER, lock=LOCK_FILE)
NOT_BUILT = "no association rules in {where}. Run `shopassist rules --save` (or `shopassist build`)."


@dataclass(frozen=True)
class RulesMeta:
    build: str
    created: str  # ISO 8601, UTC
    engine: str
    params: dict
    n_baskets: int
    min_count: int
    n_rules: int
    n_itemsets: int
    fingerprint: str | None  # Dataset.fingerprint() of the baskets mined, if known
    format_version: int = FORMAT_VERSION

    @classmethod
    def from_dict(cls, data: dict) -> RulesMeta:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


def save_rules(ruleset: RuleSet, root: str | os.PathLike[str] | None = None,
               fingerprint: str | None = None) -> Path:
    """Persist `ruleset` as the current rules; returns the build folder."""
    store = rules_store(rules_dir(root))
    build = new_build_id(tail_bytes=4)
    meta = make_meta(ruleset, build, fingerprint)

    def write(folder: Path) -> None:
        pq.write_table(rules_table(ruleset), folder / "rules.parquet")
        pq.write_table(_itemsets_table(ruleset), folder / "itemsets.parquet")
        (folder / "meta.json").write_text(json.dumps(asdict(meta), indent=2))

    # Waits for a concurrent save (`shopassist rules --save` beside `shopassist build`) rather
    # than failing: both asked for rules to be saved, the later one ends up current.
    folder = store.publish(write, build, keep_previous=True)
    log.info("saved %d rules to %s", len(ruleset.rules), folder)
    return folder


def make_meta(ruleset: RuleSet, build: str, fingerprint: str | None = None) -> RulesMeta:
    return RulesMeta(
        build=build, created=datetime.now(UTC).isoformat(timespec="seconds"),
        engine=ruleset.engine, params=ruleset.params.to_dict(), n_baskets=ruleset.n_baskets,
        min_count=ruleset.min_count, n_rules=len(ruleset.rules),
        n_itemsets=len(ruleset.itemsets), fingerprint=fingerprint,
    )


def rules_store(base: Path) -> BuildStore:
    """The rules' builds: CURRENT (a bare build name) beside the build folders."""
    return BuildStore(base, LAYOUT)


def current_build(base: Path) -> str | None:
    return rules_store(base).current()


def open_build(root: str | os.PathLike[str] | None = None) -> tuple[Path, RulesMeta]:
    base = rules_dir(root)
    folder = rules_store(base).current_folder()
    if folder is None or not (folder / "meta.json").exists():
        raise IndexNotFoundError(NOT_BUILT.format(where=base))
    return folder, RulesMeta.from_dict(json.loads((folder / "meta.json").read_text()))


def rules_table(ruleset: RuleSet) -> pa.Table:
    frame = ruleset.rules
    arrays = {"antecedent": pa.array(frame["antecedent"].map(list).tolist(), pa.list_(pa.string())),
              "consequent": pa.array(frame["consequent"].tolist(), pa.string())}
    for col in RULE_COLUMNS[2:]:
        arrays[col] = pa.array(frame[col].to_numpy())
    return pa.table(arrays)


def _itemsets_table(ruleset: RuleSet) -> pa.Table:
    frame = ruleset.itemsets
    return pa.table({
        "items": pa.array(frame["items"].map(list).tolist(), pa.list_(pa.string())),
        "count": pa.array(frame["count"].to_numpy()),
        "support": pa.array(frame["support"].to_numpy()),
    })
