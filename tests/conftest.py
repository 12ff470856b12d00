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
