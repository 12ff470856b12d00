"""`shopassist build` and `shopassist similar`, run through the real CLI entry point."""

from __future__ import annotations

import pytest

from assistant.cli import main
from retrieval.index import open_index

from .conftest import as_dataset, subset


@pytest.fixture()
def dataset_dir(plumbing_catalogue, tmp_path):
    return as_dataset(subset(plumbing_catalogue, plumbing_catalogue.ids[:40])).save(tmp_path / "dataset")


def test_build_then_similar(dataset_dir, capsys):
    assert main(["build", "--no-ranker", "--dataset", str(dataset_dir), "--device", "cpu", "--batch-size", "16"]) == 0
    out = capsys.readouterr().out
    assert "index built: 40 products (embedded 40, reused 0, deleted 0)" in out
    assert "all-MiniLM-L6-v2" in out and "embedded Chroma" in out

    assert main(["build", "--no-ranker", "--dataset", str(dataset_dir)]) == 0
    assert "index up to date: 40 products, nothing embedded" in capsys.readouterr().out

    pid = open_index().ids[3]
    assert main(["similar", pid.lower(), "-k", "3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"Products like {pid}")
    assert len(lines) == 4 and lines[1].lstrip().startswith("1. ")


def test_similar_without_an_index_or_product_says_what_to_do(dataset_dir, capsys):
    assert main(["similar", "85123A"]) == 2
    assert "shopassist build" in capsys.readouterr().err
    main(["build", "--no-ranker", "--dataset", str(dataset_dir)])
    assert main(["similar", "NO-SUCH-ID"]) == 2
    assert "NO-SUCH-ID" in capsys.readouterr().err


def test_bad_options_are_messages_not_tracebacks(dataset_dir, tmp_path, capsys):
    assert main(["build", "--no-ranker", "--dataset", str(dataset_dir), "--model", str(tmp_path)]) == 2
    assert "config.json" in capsys.readouterr().err
    assert main(["build", "--no-ranker", "--dataset", str(dataset_dir), "--template", "{nope}"]) == 2
    assert "nope" in capsys.readouterr().err
    assert main(["build", "--no-ranker", "--dataset", str(dataset_dir), "--device", "cuda:7"]) == 2


def test_another_model_needs_full(dataset_dir, other_model_dir, capsys):
    assert main(["build", "--no-ranker", "--dataset", str(dataset_dir)]) == 0
    capsys.readouterr()
    assert main(["build", "--no-ranker", "--dataset", str(dataset_dir), "--model", str(other_model_dir)]) == 2
    assert "--full" in capsys.readouterr().err
    assert main(["build", "--no-ranker", "--dataset", str(dataset_dir), "--model", str(other_model_dir), "--full"]) == 0
    assert "minilm-3-layers" in capsys.readouterr().out
