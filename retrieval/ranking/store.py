"""The served ranker on disk: one model file beside the index, replaced atomically.

`shopassist build` trains the model for the saved dataset and the saved rules' settings and
writes it with that fingerprint. `load_ranker` hands it out only when the fingerprint and
the feature names match what this retriever would compute; otherwise it logs why and
returns None, and the fusion answers. A model fitted on other baskets, other rule
settings or other candidate sources is never used.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import data_root
from ..storage import write_atomic
from .model import RankerModel

if TYPE_CHECKING:  # imported where used at run time (recommend is heavy to import)
    from ..recommend.graph import GraphModel

log = logging.getLogger(__name__)

RANKER_FILE = "ranker.json"


def ranker_path(root: str | os.PathLike[str] | None = None) -> Path:
    return data_root(root) / RANKER_FILE


def graph_path(root, fingerprint: str) -> Path:
    """The graph model trained with the ranker of this fingerprint (one file per model)."""
    return data_root(root) / f"graph-{fingerprint}.npz"


def save_graph(graph: GraphModel, root: str | os.PathLike[str] | None, fingerprint: str) -> Path:
    # The temp path keeps the .npz suffix, so np.savez writes exactly the file it is given.
    return write_atomic(graph_path(root, fingerprint), graph.save)


def load_graph(root, fingerprint: str):
    """The saved graph model for this fingerprint, or None (the ranker is then refused too)."""
    from ..recommend.graph import GraphModel

    path = graph_path(root, fingerprint)
    if not path.exists():
        return None
    try:
        return GraphModel.load(path)
    except (OSError, ValueError, KeyError) as exc:
        log.warning("the graph model %s is unreadable (%s)", path, exc)
        return None


def drop_other_graphs(root, fingerprint: str) -> None:
    """After a switch: graph files of other models are never read again."""
    keep = graph_path(root, fingerprint)
    for old in data_root(root).glob("graph-*.npz"):
        if old != keep:
            old.unlink(missing_ok=True)


def save_ranker(model: RankerModel, root: str | os.PathLike[str] | None = None) -> Path:
    return model.save(ranker_path(root))  # atomic: a reader sees the old model or the new one


def load_ranker(
    root: str | os.PathLike[str] | None, fingerprint: str, feature_names: list[str]
) -> RankerModel | None:
    path = ranker_path(root)
    if not path.exists():
        log.info("no learned ranker in %s; the fusion ranks personal recommendations", path.parent)
        return None
    try:
        model = RankerModel.load(path)
    except (OSError, ValueError, KeyError, ImportError) as exc:
        log.warning("the learned ranker in %s is unreadable (%s); the fusion answers instead", path, exc)
        return None
    if model.fingerprint != fingerprint:
        log.warning("the learned ranker in %s was trained on other data or settings (fingerprint %s, "
                    "expected %s); the fusion answers instead. Run `shopassist build` to retrain it.",
                    path, model.fingerprint, fingerprint)
        return None
    if model.feature_names != feature_names:
        log.warning("the learned ranker in %s expects other features; the fusion answers instead", path)
        return None
    return model
