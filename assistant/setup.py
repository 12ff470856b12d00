"""Prepare a data root from the bundled data: what `make run` does before serving."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from retrieval.config import dataset_dir
from retrieval.dataset import Dataset
from retrieval.ingest import load_online_retail

log = logging.getLogger(__name__)


@dataclass
class PrepareSummary:
    dataset: Dataset
    steps: list[str] = field(default_factory=list)

    def render(self) -> str:
        ds = self.dataset
        lines = [*self.steps, ""]
        if ds.report is not None:
            lines.append(ds.report.render())
        top = ds.catalogue.frame.sort_values("popularity", ascending=False).head(5)
        lines.append("")
        lines.append("Most popular products:")
        for pid, row in top.iterrows():
            lines.append(f"  {pid:<8} {row['title']:<40} £{row['price']:.2f}  in {row['popularity']:,} baskets")
        return "\n".join(lines)


def prepare(home: str | None = None, rebuild: bool = False) -> PrepareSummary:
    """Ingest the bundled data into the data root unless it is already there."""
    folder = dataset_dir(home)
    steps = []
    if rebuild or not (folder / "products.parquet").exists():
        dataset = load_online_retail()
        dataset.save(folder)
        steps.append(f"ingested the bundled data into {folder}")
    else:
        dataset = Dataset.load(folder)
        steps.append(f"using the cleaned data in {folder}")
    return PrepareSummary(dataset, steps)
