"""Builds: incremental (embed only what changed), atomic switch, model checks, Chroma limits."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from retrieval.config import index_dir
from retrieval.errors import IndexNotFoundError, ModelMismatchError
from retrieval.index import StoreSpec, TransformersEncoder, build_index, open_index
from retrieval.index.store import connect, create_collection, write_batches
from retrieval.products import Catalogue

from .conftest import subset

# Chroma warns when reading back a collection configuration made without an embedding function.
pytestmark = pytest.mark.filterwarnings("ignore:legacy embedding function config")


def _files(root) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != "build.lock"
    }


def _builds(root) -> list[str]:
    return sorted(p.name for p in (index_dir(root) / "builds").iterdir())


def test_first_build_embeds_everything_and_opens(plumbing_catalogue, encoder):
    result = build_index(plumbing_catalogue, encoder=encoder)
    assert (result.changed, result.total, result.embedded, result.reused, result.deleted) == (
        True, 150, 150, 0, 0)
    index = open_index(encoder=encoder)
    assert len(index) == 150 and index.collection.count() == 150
    assert set(index.ids) == set(plumbing_catalogue.ids)
    assert index.info.model.same_model(encoder.info) and index.info.store == StoreSpec()
    meta = index.collection.metadata
    assert (meta["model"], meta["dimension"], meta["template"]) == (
        encoder.info.name, 384, "{title}. {category}. {description}")
    assert index.collection.configuration["hnsw"]["ef_search"] == 400


def test_rebuild_with_nothing_changed_embeds_and_writes_nothing(plumbing_catalogue, encoder, _isolated_home):
    first = build_index(plumbing_catalogue, encoder=encoder)
    before_files, before_count = _files(_isolated_home), encoder.texts_encoded
    again = build_index(plumbing_catalogue, encoder=encoder)
    assert (again.changed, again.embedded, again.build_id) == (False, 0, first.build_id)
    assert encoder.texts_encoded == before_count
    assert _files(_isolated_home) == before_files


def test_only_changed_added_and_removed_products_are_touched(retail, plumbing_catalogue, encoder):
    first = build_index(plumbing_catalogue, encoder=encoder)
    frame = plumbing_catalogue.frame.copy()
    changed, removed = list(frame.index[:2]), list(frame.index[2:6])
    frame.loc[changed, "title"] = ["BLUE POLKADOT TEAPOT", "GIANT GARDEN GNOME"]
    repriced = frame.index[10]
    frame.loc[repriced, "price"] = 99.0  # metadata only: no re-embedding
    added = [pid for pid in retail.ids if pid not in frame.index][:3]
    frame = pd.concat([frame.drop(removed), retail.frame.loc[added]])
    counted = encoder.texts_encoded

    result = build_index(Catalogue(frame), encoder=encoder)

    assert (result.embedded, result.deleted, result.reused, result.total) == (5, 4, 144, 149)
    assert encoder.texts_encoded - counted == 5
    assert _builds(None) == [result.build_id] and result.build_id != first.build_id
    index = open_index(encoder=encoder)
    assert set(index.ids) == set(frame.index) and index.collection.count() == 149
    assert not set(removed) & set(index.collection.get(ids=removed)["ids"])
    fresh = encoder.encode_documents(["BLUE POLKADOT TEAPOT"])[0]
    assert float(index.vector(changed[0]) @ fresh) > 0.9999
    assert index.metadata(repriced)["price"] == 99.0


def test_metadata_only_change_rewrites_without_embedding(plumbing_catalogue, encoder):
    build_index(plumbing_catalogue, encoder=encoder)
    frame = plumbing_catalogue.frame.copy()
    frame["popularity"] += 1
    counted = encoder.texts_encoded
    result = build_index(Catalogue(frame), encoder=encoder)
    assert result.changed and result.embedded == 0 and encoder.texts_encoded == counted
    pid = frame.index[0]
    assert open_index().metadata(pid)["popularity"] == int(frame.loc[pid, "popularity"])


def test_a_new_template_re_embeds_everything(plumbing_catalogue, encoder):
    build_index(plumbing_catalogue, encoder=encoder)
    # Exactly 0, never 150: the bundled Online Retail data has titles only (category and
    # description are empty for every product), and an empty field vanishes with the text
    # around it, so "{title} ({category})" renders each product as its bare title, the same
    # text the default "{title}. {category}. {description}" gives. A vector is keyed by its
    # text and the model, so every one is reused; only the template recorded changes.
    assert (plumbing_catalogue.frame[["category", "description"]] == "").all().all()
    result = build_index(plumbing_catalogue, encoder=encoder, template="{title} ({category})")
    assert (result.changed, result.embedded, result.reused) == (True, 0, 150)
    result = build_index(plumbing_catalogue, encoder=encoder, template="Gift: {title}")
    assert result.embedded == 150
    assert open_index().info.template == "Gift: {title}"


def test_new_ef_search_rebuilds_the_collection_without_embedding(plumbing_catalogue, encoder):
    build_index(plumbing_catalogue, encoder=encoder)
    result = build_index(plumbing_catalogue, encoder=encoder, store=StoreSpec(ef_search=800))
    assert result.changed and result.embedded == 0
    assert open_index().collection.configuration["hnsw"]["ef_search"] == 800


def test_another_model_is_refused_unless_full(plumbing_catalogue, encoder, other_model_dir):
    small = subset(plumbing_catalogue, plumbing_catalogue.ids[:20])
    build_index(small, encoder=encoder)
    other = TransformersEncoder(other_model_dir)
    with pytest.raises(ModelMismatchError, match="minilm-3-layers.*--full"):
        build_index(small, encoder=other)
    with pytest.raises(ModelMismatchError, match="all-MiniLM-L6-v2"):
        open_index(encoder=other)
    result = build_index(small, encoder=other, full=True)
    assert result.embedded == 20
    with pytest.raises(ModelMismatchError):
        open_index(encoder=encoder)
    assert open_index(encoder=other).info.model.name == "minilm-3-layers"


def test_without_an_encoder_the_live_model_is_kept(plumbing_catalogue, encoder):
    small = subset(plumbing_catalogue, plumbing_catalogue.ids[:10])
    build_index(small, encoder=encoder)
    again = build_index(small)  # loads nothing: nothing changed
    assert not again.changed and again.model.same_model(encoder.info)


def test_small_write_batches_and_upserted_ids(plumbing_catalogue, encoder):
    build_index(plumbing_catalogue, encoder=encoder, write_batch_size=7)
    index = open_index()
    got = index.collection.get(include=["embeddings"])
    assert sorted(got["ids"]) == sorted(plumbing_catalogue.ids)  # upserts, no duplicates
    order = [index.mirror.position(pid) for pid in got["ids"]]
    np.testing.assert_allclose(np.asarray(got["embeddings"]), index.mirror.matrix[order], atol=1e-6)


def test_writes_are_split_under_chromas_batch_limit(tmp_path):
    client = connect(StoreSpec(), tmp_path / "chroma")
    limit = client.get_max_batch_size()
    n = limit + 100
    vectors = np.random.default_rng(0).normal(size=(n, 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    collection = create_collection(client, "products", StoreSpec(), {"model": "test"})
    ids = [f"p{i}" for i in range(n)]
    write_batches(client, collection, ids, vectors, [{"i": i} for i in range(n)], ids)
    assert collection.count() == n


def test_missing_or_damaged_index_names_the_build_command(plumbing_catalogue, encoder):
    with pytest.raises(IndexNotFoundError, match="shopassist build"):
        open_index()
    small = subset(plumbing_catalogue, plumbing_catalogue.ids[:5])
    result = build_index(small, encoder=encoder)
    (result.folder / "vectors.npy").unlink()
    with pytest.raises(IndexNotFoundError, match="shopassist build"):
        open_index()
    (index_dir() / "CURRENT.json").write_text("{not json")
    with pytest.raises(IndexNotFoundError, match="shopassist build"):
        open_index()
    rebuilt = build_index(small, encoder=encoder)  # a damaged pointer means a fresh build
    assert rebuilt.embedded == 5 and _builds(None) == [rebuilt.build_id]
    assert json.loads((index_dir() / "CURRENT.json").read_text())["build_id"] == rebuilt.build_id


def test_a_damaged_live_build_is_rebuilt_not_trusted(plumbing_catalogue, encoder):
    small = subset(plumbing_catalogue, plumbing_catalogue.ids[:5])
    result = build_index(small, encoder=encoder)
    (result.folder / "vectors.npy").unlink()
    again = build_index(small, encoder=encoder)
    assert again.changed and again.embedded == 0  # vectors copied from Chroma, the store of record
    assert len(open_index()) == 5


def test_full_rebuild_re_embeds_everything_and_counts_removals(plumbing_catalogue, encoder):
    build_index(plumbing_catalogue, encoder=encoder)
    fewer = subset(plumbing_catalogue, plumbing_catalogue.ids[:140])
    result = build_index(fewer, encoder=encoder, full=True)
    assert (result.embedded, result.reused, result.deleted, result.total) == (140, 0, 10, 140)
    assert _builds(None) == [result.build_id]


def test_records_file_lines_up_with_the_mirror(plumbing_catalogue, encoder):
    from retrieval.index.records import load_records

    result = build_index(plumbing_catalogue, encoder=encoder)
    index = open_index()
    saved = load_records(result.folder)
    assert list(saved["product_id"]) == index.ids
    row = saved.iloc[7]
    meta = index.metadata(row["product_id"])
    assert (row["title"], row["content_hash"]) == (meta["title"], meta["content_hash"])
