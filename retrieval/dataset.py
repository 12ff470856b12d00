"""A cleaned dataset: the catalogue, the baskets and the report that produced them.

Saved as Parquet plus JSON under a folder so a later command reloads it exactly.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa

from .baskets import Baskets
from .errors import IndexNotFoundError
from .products import Catalogue
from .report import IngestReport
from .shop import ShopProfile, profile_beside
from .storage import write_files_atomic

log = logging.getLogger(__name__)


@dataclass
class Dataset:
    catalogue: Catalogue
    baskets: Baskets
    report: IngestReport | None = None
    shop: ShopProfile = ShopProfile()

    def fingerprint(self) -> str:
        """A short hash of the baskets' content, so derived artefacts (rules) know their source."""
        lines = self.baskets.lines
        h = hashlib.sha256()
        h.update(pd.util.hash_pandas_object(lines[["basket_id", "product_id"]], index=False).values)
        return h.hexdigest()[:16]

    def save(self, folder: str | os.PathLike[str]) -> Path:
        folder = Path(folder)
        meta = json.dumps({"report": self.report.to_dict() if self.report else None, "shop": self.shop.to_dict()},
                          indent=2)
        # All three are written aside before any is renamed into place, so a save that fails
        # or is killed while writing leaves the previous dataset whole.
        write_files_atomic(folder, {
            "products.parquet": lambda tmp: self.catalogue.frame.to_parquet(tmp),
            "lines.parquet": lambda tmp: self.baskets.lines.to_parquet(tmp, index=False),
            "meta.json": lambda tmp: tmp.write_text(meta),
        })
        log.info("saved dataset to %s", folder)
        return folder

    @classmethod
    def load(cls, folder: str | os.PathLike[str]) -> Dataset:
        folder = Path(folder)
        if not (folder / "products.parquet").exists():
            raise IndexNotFoundError(
                f"no cleaned dataset in {folder}. Run `shopassist ingest --save` (or `shopassist build`)."
            )
        try:
            frame = _as_nullable_strings(pd.read_parquet(folder / "products.parquet"))
            lines = _as_nullable_strings(pd.read_parquet(folder / "lines.parquet"))
            meta = json.loads((folder / "meta.json").read_text())
        except (OSError, ValueError, pa.ArrowException) as exc:  # truncated, garbage, missing part
            raise IndexNotFoundError(
                f"the cleaned dataset in {folder} is damaged ({type(exc).__name__}: {exc}). "
                "Run `shopassist ingest --save` (or `shopassist build`) to write it again."
            ) from exc
        report = IngestReport.from_dict(meta["report"]) if meta.get("report") else None
        # A dataset saved before profiles existed takes the one beside its source, if any.
        shop = (ShopProfile.from_dict(meta["shop"], source=str(folder / "meta.json")) if meta.get("shop")
                else profile_beside(report.source if report else None))
        return cls(Catalogue(frame), Baskets(lines), report, shop)


def _as_nullable_strings(frame: pd.DataFrame) -> pd.DataFrame:
    """Parquet hands text back as pandas' default `str`; ingest works in nullable `string`."""
    for column in frame.columns:
        if pd.api.types.is_string_dtype(frame[column]):
            frame[column] = frame[column].astype("string")
    if pd.api.types.is_string_dtype(frame.index):
        frame.index = frame.index.astype("string")
    return frame
