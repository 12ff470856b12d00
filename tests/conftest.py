"""Shared fixtures. Every test runs offline with its own data root."""

from __future__ import annotations

import os

# A stray hub name must fail fast instead of trying the network.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    """Nothing a test writes lands in the user's real data root."""
    home = tmp_path / "shopassist-home"
    monkeypatch.setenv("SHOPASSIST_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def bundled_dataset():
    """The bundled Online Retail data, cleaned once per test run."""
    from retrieval.ingest import load_online_retail

    return load_online_retail()


@pytest.fixture(scope="session")
def bundled_vectors(bundled_dataset, tmp_path_factory):
    """Real all-MiniLM-L6-v2 vectors of the whole bundled catalogue, embedded once per run."""
    from retrieval.evaluation.hybrid import catalogue_vectors

    home = tmp_path_factory.mktemp("vectors-home")
    return catalogue_vectors(bundled_dataset.catalogue, home)


@pytest.fixture(scope="session")
def bundled_encoder():
    from retrieval.index.transformers_encoder import TransformersEncoder

    return TransformersEncoder(progress=False)


@pytest.fixture(scope="session")
def bundled_retriever(bundled_dataset, bundled_vectors, bundled_encoder):
    """A real retriever over the bundled data: real vectors, rules and co-purchase, default weights."""
    from retrieval.recommend.assemble import RetrieverParts, assemble_retriever
    from retrieval.recommend.copurchase import CopurchaseModel
    from retrieval.rules import RuleStore, mine_rules

    return assemble_retriever(RetrieverParts(
        bundled_dataset.catalogue,
        bundled_vectors,
        n_baskets=len(bundled_dataset.baskets),
        rules=RuleStore.from_ruleset(mine_rules(bundled_dataset.baskets)),
        copurchase=CopurchaseModel(bundled_dataset.catalogue.ids, bundled_dataset.baskets),
        encode_query=bundled_encoder.encode_query,
        shop=bundled_dataset.shop,
    ))


@pytest.fixture(scope="session")
def postgres_url():
    """A real PostgreSQL server of this run's own (`bench.postgres`: initdb + pg_ctl on a free
    loopback port, run as the `postgres` user when we are root), stopped and removed at the end.
    Skips where the PostgreSQL binaries are not installed."""
    from bench.postgres import PostgresMissing, PostgresServer

    try:
        server = PostgresServer()
    except PostgresMissing as exc:
        pytest.skip(str(exc))
    try:
        yield server.start().url
    finally:
        server.stop()
