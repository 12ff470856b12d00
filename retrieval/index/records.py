"""What the index stores per product: id, text, content hash and Chroma-safe metadata."""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..products import Catalogue
from ..storage import write_atomic
from .text import TextTemplate, content_hash

RECORDS_FILE = "records.parquet"

# Metadata keys the index owns; an attribute column with one of these names is left out.
RESERVED_KEYS = frozenset({"title", "category", "price", "popularity", "content_hash"})


@dataclass(frozen=True)
class IndexRecords:
    ids: list[str]
    texts: list[str]
    hashes: list[str]  # content_hash(text, encoder.document_key) per product
    metadatas: list[dict[str, str | int | float | bool]]

    def __len__(self) -> int:
        return len(self.ids)

    def fingerprint(self) -> str:
        """Changes when any id, text, model or metadata value changes (order-independent)."""
        h = hashlib.sha256()
        for i in sorted(range(len(self.ids)), key=self.ids.__getitem__):
            h.update(json.dumps([self.ids[i], self.hashes[i], self.metadatas[i]], sort_keys=True).encode())
        return h.hexdigest()[:24]


def catalogue_records(catalogue: Catalogue, template: TextTemplate, key: str) -> IndexRecords:
    frame = catalogue.frame
    template.check_fields(["product_id", *frame.columns])
    attributes = [c for c in catalogue.attribute_columns if c not in RESERVED_KEYS]
    ids, texts, hashes, metadatas = [], [], [], []
    for product_id, row in zip(frame.index, frame.to_dict("records"), strict=True):
        pid = str(product_id)
        text = template.render({"product_id": pid, **row})
        digest = content_hash(text, key)
        meta: dict[str, str | int | float | bool] = {
            "title": _scalar(row["title"]) or "",
            "category": _scalar(row["category"]) or "",
            "popularity": int(_scalar(row["popularity"]) or 0),
            "content_hash": digest,
        }
        price = _scalar(row["price"])
        if price is not None:
            meta["price"] = float(price)
        for column in attributes:
            value = _scalar(row[column])
            if value is not None and value != "":
                meta[column] = value
        ids.append(pid)
        texts.append(text)
        hashes.append(digest)
        metadatas.append(meta)
    return IndexRecords(ids, texts, hashes, metadatas)


def _scalar(value: object) -> str | int | float | bool | None:
    """A plain Python value Chroma accepts, or None (Chroma metadata cannot hold None)."""
    if value is None:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else value
    try:
        if value != value:  # pandas NA, NaT
            return None
    except (TypeError, ValueError):
        return None
    return str(value)


def save_records(records: IndexRecords, folder: Path) -> None:
    """Ids, texts, content hashes and metadata as columns, row-aligned with the mirror.

    The next build reads the hashes from here rather than from the live Chroma folder
    (Chroma rewrites its files whenever a process opens it), and exact filtered search
    can read the metadata columns without Chroma.
    """
    frame = pd.DataFrame(records.metadatas)
    frame.insert(0, "product_id", records.ids)
    frame["content_hash"] = records.hashes
    frame["text"] = records.texts
    write_atomic(folder / RECORDS_FILE, lambda tmp: frame.to_parquet(tmp, index=False))


def load_records(folder: Path) -> pd.DataFrame:
    """A saved build's records: one row per product, in mirror order."""
    return pd.read_parquet(folder / RECORDS_FILE)
