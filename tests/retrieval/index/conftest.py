"""Fixtures for the index tests: the real shipped encoder, loaded once, and real retail titles."""

from __future__ import annotations

import json
import os

import numpy as np
import pandas as pd
import pytest

from retrieval.baskets import LINE_COLUMNS, Baskets
from retrieval.dataset import Dataset
from retrieval.index import TransformersEncoder
from retrieval.products import Catalogue

# Words that make a title about tea (TEALIGHT is a candle, not tea).
TEA_WORDS = ("TEA", "TEAPOT", "TEACUP", "TEACUPS", "TEATIME", "TEASPOON", "TEASPOONS", "TEAS")


def is_tea(title: str) -> bool:
    words = title.replace(",", " ").replace("/", " ").replace('"', " ").split()
    return any(w in TEA_WORDS for w in words)


def subset(catalogue: Catalogue, ids) -> Catalogue:
    return Catalogue(catalogue.frame.loc[list(ids)].copy())


def as_dataset(catalogue: Catalogue) -> Dataset:
    """A dataset holding only a catalogue (the index reads nothing else)."""
    return Dataset(catalogue, Baskets(pd.DataFrame(columns=list(LINE_COLUMNS))))


@pytest.fixture(scope="session")
def encoder(bundled_encoder) -> TransformersEncoder:
    """The shipped all-MiniLM-L6-v2 with the automatic precision (bf16 on this CPU), shared
    with the rest of the suite so the model loads once per run."""
    return bundled_encoder.load()


@pytest.fixture(scope="session")
def fp32_encoder() -> TransformersEncoder:
    return TransformersEncoder(precision="fp32").load()


@pytest.fixture(scope="session")
def retail(bundled_dataset) -> Catalogue:
    return bundled_dataset.catalogue


@pytest.fixture(scope="session")
def small_catalogue(retail) -> Catalogue:
    """Every RETROSPOT and tea product plus 300 others: ~470 real products."""
    titles = retail.frame["title"].astype(str)
    themed = titles.str.contains("RETROSPOT") | titles.map(is_tea)
    rng = np.random.default_rng(0)
    others = rng.choice(titles.index[~themed].to_numpy(), 300, replace=False)
    return subset(retail, sorted({*titles.index[themed], *others}))


@pytest.fixture(scope="session")
def plumbing_catalogue(retail) -> Catalogue:
    """150 real products: enough to exercise builds, small enough to embed in a blink."""
    rng = np.random.default_rng(1)
    return subset(retail, sorted(rng.choice(retail.frame.index.to_numpy(), 150, replace=False)))


@pytest.fixture(scope="session")
def other_model_dir(tmp_path_factory):
    """A genuinely different local model: MiniLM cut to its first 3 layers (no download)."""
    from retrieval.index.transformers_encoder import default_model_path

    source = default_model_path()
    target = tmp_path_factory.mktemp("models") / "minilm-3-layers"
    target.mkdir()
    for item in source.iterdir():
        if item.name != "config.json":
            os.symlink(item, target / item.name)
    config = json.loads((source / "config.json").read_text())
    config["num_hidden_layers"] = 3
    (target / "config.json").write_text(json.dumps(config))
    return target
