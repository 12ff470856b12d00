"""The real shipped encoder: vectors, precision, entry points and device choice."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.errors import ConfigError
from retrieval.index import DEFAULT_MODEL_NAME, TransformersEncoder
from retrieval.index.device import cpu_has_fast_bf16, resolve_device
from retrieval.index.transformers_encoder import MIN_AGREEMENT


@pytest.fixture(scope="module")
def titles(small_catalogue) -> list[str]:
    return small_catalogue.frame["title"].astype(str).tolist()[:300]


def test_vectors_are_unit_float32_rows_in_input_order(encoder, titles):
    vectors = encoder.encode_documents(titles)
    assert vectors.shape == (len(titles), 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    # Length sorting must not scramble rows: each text alone gives (nearly) its own row back.
    for i in (0, 17, 150, 299):
        alone = encoder.encode_documents([titles[i]])[0]
        assert float(alone @ vectors[i]) > 0.999


def test_fp32_matches_the_published_all_minilm_values(fp32_encoder):
    vector = fp32_encoder.encode_query("This is an example sentence")
    np.testing.assert_allclose(vector[:5], [0.0677, 0.0635, 0.0487, 0.0793, 0.0374], atol=2e-4)


def test_automatic_precision_is_bf16_on_a_cpu_with_native_bf16(encoder):
    if encoder.device != "cpu" or not cpu_has_fast_bf16():
        pytest.skip("needs a CPU with native bf16")
    assert encoder.precision == "bf16"
    assert encoder.agreement is not None and encoder.agreement >= MIN_AGREEMENT


def test_bf16_agrees_with_fp32_on_real_titles(encoder, fp32_encoder, titles):
    if encoder.precision != "bf16":
        pytest.skip(f"bf16 not chosen here ({encoder.precision})")
    cosines = np.sum(encoder.encode_documents(titles) * fp32_encoder.encode_documents(titles), axis=1)
    assert cosines.mean() >= 0.9999
    assert cosines.min() >= MIN_AGREEMENT


def test_explicit_fp32_stays_fp32(fp32_encoder):
    assert fp32_encoder.precision == "fp32" and fp32_encoder.agreement is None


def test_queries_and_documents_take_their_own_prefixes(encoder, monkeypatch):
    # MiniLM has no prefixes: both entry points agree.
    np.testing.assert_array_equal(encoder.encode_queries(["tea"]), encoder.encode_documents(["tea"]))
    key = encoder.document_key
    monkeypatch.setattr(encoder, "query_prefix", "query: ")
    monkeypatch.setattr(encoder, "document_prefix", "passage: ")
    query, document = encoder.encode_query("tea"), encoder.encode_documents(["tea"])[0]
    np.testing.assert_allclose(query, encoder.encode(["query: tea"])[0], atol=1e-6)
    np.testing.assert_allclose(document, encoder.encode(["passage: tea"])[0], atol=1e-6)
    assert float(query @ document) < 0.999
    assert encoder.document_key != key  # a new document prefix means new vectors


def test_counters_record_what_was_embedded(encoder):
    before = encoder.texts_encoded
    encoder.encode_documents(["a", "b", "c"])
    encoder.encode_documents([])
    assert encoder.texts_encoded == before + 3


def test_model_info_without_loading_weights():
    fresh = TransformersEncoder()
    info = fresh.info
    assert (info.name, info.dimension) == (DEFAULT_MODEL_NAME, 384)
    assert len(info.fingerprint) == 64 and fresh.precision is None  # nothing loaded yet
    assert info.same_model(TransformersEncoder(info.path).info)


def test_another_local_model_folder_is_another_model(other_model_dir, encoder):
    other = TransformersEncoder(other_model_dir)
    assert other.info.name == "minilm-3-layers"
    assert not other.info.same_model(encoder.info)
    assert other.encode_query("tea").shape == (384,)


def test_not_a_model_folder(tmp_path):
    with pytest.raises(ConfigError, match="config.json"):
        TransformersEncoder(tmp_path)


def test_device_override():
    assert TransformersEncoder(device="cpu").device == "cpu"
    assert resolve_device("auto") in ("cuda", "mps", "cpu")
    with pytest.raises(ConfigError):
        resolve_device("tpu")
    import torch

    if not torch.cuda.is_available():
        with pytest.raises(ConfigError, match="CUDA"):
            TransformersEncoder(device="cuda").device  # noqa: B018 - resolving is the test


def test_cpu_override_encodes(encoder):
    cpu = TransformersEncoder(device="cpu", precision="fp32", batch_size=2)
    vectors = cpu.encode_documents(["RED MUG", "BLUE MUG", "GREEN MUG"])
    assert cpu.device == "cpu" and cpu.batches_encoded == 2
    assert np.all(np.sum(vectors * encoder.encode_documents(["RED MUG", "BLUE MUG", "GREEN MUG"]), 1) > 0.999)


def test_bad_options_are_config_errors():
    with pytest.raises(ConfigError):
        TransformersEncoder(precision="int3")
    with pytest.raises(ConfigError):
        TransformersEncoder(batch_size=0)
    with pytest.raises(TypeError):
        TransformersEncoder().encode("one string")
