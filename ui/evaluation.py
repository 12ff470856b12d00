"""The evaluation chart, when `shopassist eval` has saved one under the data root."""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from retrieval.config import data_root

log = logging.getLogger(__name__)


def evaluation_chart(home: str | os.PathLike[str] | None = None) -> Any | None:
    """The chart as a PIL image, or None when no evaluation results exist.

    `shopassist eval` writes ``<home>/eval/results.json`` and a PNG beside it; the PNG is shown
    as is, and redrawn from the JSON when only that is there. Loaded as an image (not a path)
    so Gradio serves a copy and the data root never becomes a served folder.
    """
    from PIL import Image

    folder = data_root(home) / "eval"
    results, png = folder / "results.json", folder / "results.png"
    if not results.is_file():
        return None
    try:
        if png.is_file():
            with Image.open(png) as img:
                return img.copy()
        # Drawn into a folder of its own that is gone once the image is in memory (a
        # folder left per page load would pile up in /tmp for the life of the server).
        with (tempfile.TemporaryDirectory(prefix="shopassist-eval-") as tmp,
              Image.open(_redraw(results, Path(tmp))) as img):
            return img.copy()
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("cannot show the evaluation chart from %s: %s", folder, exc)
        return None


def evaluation_summary(home: str | os.PathLike[str] | None = None) -> str:
    """The saved hybrid / best-peer ratios with their 95% intervals as Markdown lines, or ""
    when there are none: on the chart they are a caption too small to read in the console."""
    from retrieval.evaluation.results import EvalResults

    results = data_root(home) / "eval" / "results.json"
    if not results.is_file():
        return ""
    try:
        found = EvalResults.from_dict(json.loads(results.read_text())).comparisons
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("cannot read the evaluation results %s: %s", results, exc)
        return ""
    if not found:
        return ""
    return "\n".join(["**Against the best peer of the same run** (95% paired bootstrap interval "
                      "over the test customers):", "", *(f"- {c.line}" for c in found)])


def _redraw(results: Path, folder: Path) -> Path:
    from retrieval.evaluation.results import EvalResults

    data = EvalResults.from_dict(json.loads(results.read_text()))
    k = 10 if 10 in data.ks else max(data.ks)
    out = folder / "results.png"
    return data.plot(out, keys=(f"ndcg@{k}", f"recall@{k}"))
