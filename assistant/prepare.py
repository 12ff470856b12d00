"""Prepare a data root from its saved dataset, else the bundled data: what `make run` does before serving.

Each step runs only when its output is missing or stale: the cleaned dataset, the product
index (incremental: nothing is embedded when nothing changed) and the rules (re-mined when
the baskets' fingerprint differs from the one they were mined from).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from retrieval.config import dataset_dir
from retrieval.dataset import Dataset
from retrieval.datasets import DatasetSource, resolve_dataset
from retrieval.errors import DataError, IndexNotFoundError
from retrieval.index import build_index
from retrieval.rules import MiningParams, RuleStore, load_rules, mine_and_store

log = logging.getLogger(__name__)

@dataclass
class PrepareSummary:
    dataset: Dataset
    steps: list[str] = field(default_factory=list)

    def render(self) -> str:
        lines = list(self.steps)
        if self.dataset.report is not None:
            lines += ["", self.dataset.report.render()]
        return "\n".join(lines)


def prepare(home: str | None = None, rebuild: bool = False) -> PrepareSummary:
    """Ingest, index and mine whatever is missing or stale under the data root.

    The data is the saved dataset, else the bundled file (the one rule of
    `resolve_dataset`); `rebuild` redoes what is derived from it, and never replaces a
    retailer's saved dataset with the bundled one.
    """
    resolved = resolve_dataset(root=home)
    dataset = resolved.dataset
    steps = [resolved.describe()]
    if resolved.source is not DatasetSource.SAVED:
        folder = dataset.save(dataset_dir(home))
        steps.append(f"ingested the bundled data into {folder}")
    result = build_index(dataset.catalogue, home)
    steps.append(
        f"product index: {result.total:,} products, {result.embedded:,} embedded now"
        f" ({result.seconds:.1f} s)"
    )
    store, mined = ensure_rules(dataset, home, force=rebuild)
    steps.append(f"mined {len(store):,} association rules" if mined else "association rules up to date")
    steps.append(ensure_ranker(dataset, home, force=rebuild))
    return PrepareSummary(dataset, steps)


def ensure_ranker(dataset: Dataset, home: str | None = None, *, force: bool = False) -> str:
    """Train the learned ranker unless the saved one already fits these baskets and rules.

    Returns one line saying what happened. Needs the index (its vectors) and the rules
    (their settings) already built; without rules the fusion ranks and nothing is trained.
    """
    import time

    from retrieval.index.product_index import open_index
    from retrieval.ranking.serving import can_rank, saved_is_current, train_served_ranker

    why_not = can_rank(dataset)
    if why_not is not None:
        return f"learned ranker skipped: {why_not}"
    try:
        params = MiningParams.from_dict(load_rules(home).meta.params)
    except IndexNotFoundError:
        return "learned ranker skipped: no association rules (the ranker reads them)"
    if not force and saved_is_current(dataset, params, home):
        return "learned ranker up to date (same baskets, same rule settings)"
    index = open_index(home)
    started = time.perf_counter()
    try:
        model = train_served_ranker(dataset, index.mirror, params, home)
    except ImportError as exc:  # lightgbm or the co-purchase source's `implicit` not installed
        return f"learned ranker skipped: {exc} (pip install 'shopassist[eval]')"
    except DataError as exc:  # no shopper's next basket was reachable by the candidates
        return f"learned ranker skipped: {exc}; the fusion ranks personal recommendations"
    modes = ", ".join(f"{m}: {r['shoppers']:,} shoppers, candidate recall {r['candidate_recall']:.0%}"
                      for m, r in model.report.items() if isinstance(r, dict) and "shoppers" in r)
    return f"learned ranker trained in {time.perf_counter() - started:.0f} s ({modes})"


def ensure_rules(
    dataset: Dataset,
    home: str | None = None,
    params: MiningParams | None = None,
    *,
    force: bool = False,
    engine: str = "local",
    spark_master: str | None = None,
) -> tuple[RuleStore, bool]:
    """The saved rules if they came from these baskets with these parameters, else mine them now.

    Returns the store and whether it was mined by this call.
    """
    params = params or MiningParams()
    if not force:
        try:
            saved = load_rules(home)
            if saved.meta.fingerprint == dataset.fingerprint() and saved.meta.params == params.to_dict():
                return saved, False
        except IndexNotFoundError:
            pass
    return mine_and_store(dataset, home, params, engine=engine, spark_master=spark_master), True
