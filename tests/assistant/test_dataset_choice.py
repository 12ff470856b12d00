"""One rule for which dataset a command uses: explicit path > saved dataset > bundled file."""

from __future__ import annotations

import pytest

import retrieval.datasets as datasets
from assistant.cli import main
from retrieval.config import dataset_dir
from retrieval.datasets import DatasetSource, resolve_dataset
from retrieval.errors import ConfigError
from retrieval.rules import load_rules

HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"


def _export(path, products: dict[str, str], baskets: list[tuple[str, ...]]):
    """A tiny Online Retail-format export: one line per product of each basket."""
    rows = [
        f"{500000 + n},{code},{products[code]},1,2011-0{1 + n % 9}-01 10:00:00,1.50,{17000 + n % 5},United Kingdom\n"
        for n, basket in enumerate(baskets)
        for code in basket
    ]
    path.write_text(HEADER + "".join(rows))
    return path


GARDEN = {"G1001": "GARDEN HOSE", "G1002": "HOSE REEL", "G1003": "WATERING CAN", "G1004": "PLANT POT"}
GARDEN_BASKETS = [("G1001", "G1002")] * 10 + [("G1003", "G1004")] * 8 + [("G1001", "G1002", "G1003")] * 6
KITCHEN = {"K2001": "TEA TOWEL", "K2002": "OVEN GLOVE", "K2003": "EGG CUP"}
KITCHEN_BASKETS = [("K2001", "K2002")] * 9 + [("K2002", "K2003")] * 7


@pytest.fixture
def saved_garden(tmp_path, _isolated_home):
    """A retailer's own dataset saved under the data root, the way a user does it."""
    export = _export(tmp_path / "garden.csv", GARDEN, GARDEN_BASKETS)
    assert main(["ingest", str(export), "--save"]) == 0
    return resolve_dataset().dataset


@pytest.fixture
def kitchen_dir(tmp_path):
    export = _export(tmp_path / "kitchen.csv", KITCHEN, KITCHEN_BASKETS)
    return resolve_dataset(export).dataset.save(tmp_path / "kitchen")


def test_rules_save_mines_the_saved_dataset_not_the_bundled_file(saved_garden, capsys):
    capsys.readouterr()
    assert main(["rules", "--save", "--min-support", "3", "--top", "3"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith(f"dataset: saved dataset {dataset_dir()} (4 products, 24 baskets)")
    assert "HOSE REEL" in out and "LUNCH BAG" not in out
    store = load_rules()
    assert store.meta.fingerprint == saved_garden.fingerprint() and store.meta.n_baskets == 24


def test_an_explicit_path_wins_over_the_saved_dataset(saved_garden, kitchen_dir, capsys):
    capsys.readouterr()
    assert main(["rules", "--dataset", str(kitchen_dir), "--min-support", "3", "--save"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith(f"dataset: explicit path {kitchen_dir} (3 products, 16 baskets)")
    assert "OVEN GLOVE" in out and "HOSE REEL" not in out
    assert load_rules().meta.n_baskets == 16


def test_an_export_file_is_an_explicit_path_too(tmp_path, saved_garden):
    export = _export(tmp_path / "k.csv", KITCHEN, KITCHEN_BASKETS)
    resolved = resolve_dataset(export)
    assert resolved.source is DatasetSource.EXPLICIT and resolved.path == export
    assert set(resolved.dataset.catalogue.ids) == set(KITCHEN)


def test_with_neither_the_bundled_file_is_used(tmp_path, monkeypatch):
    # A stand-in bundled file keeps this fast; the real one is the default in test_rules_cli.
    bundled = _export(tmp_path / "bundled.csv", KITCHEN, KITCHEN_BASKETS)
    monkeypatch.setattr(datasets, "BUNDLED_ONLINE_RETAIL", bundled)
    resolved = resolve_dataset()
    assert resolved.source is DatasetSource.BUNDLED and resolved.path == bundled
    assert resolved.describe() == f"dataset: bundled file {bundled} (3 products, 16 baskets)"


def test_ingest_without_a_path_reports_the_saved_dataset(saved_garden, capsys):
    capsys.readouterr()
    assert main(["ingest"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"dataset: saved dataset {dataset_dir()}") and "garden.csv" in out


def test_a_missing_explicit_path_is_a_clear_error_naming_it(tmp_path, capsys):
    missing = tmp_path / "no-such-dataset"
    with pytest.raises(ConfigError, match="no-such-dataset: no such file or folder"):
        resolve_dataset(missing)
    for command in (["rules"], ["build", "--no-ranker"], ["eval"]):
        assert main([*command, "--dataset", str(missing)]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: no cleaned dataset or export at") and str(missing) in err


def test_missing_bundled_file_says_where_it_looked(tmp_path, monkeypatch):
    monkeypatch.setattr(datasets, "BUNDLED_ONLINE_RETAIL", tmp_path / "gone.csv.gz")
    with pytest.raises(ConfigError, match="bundled Online Retail file is not installed"):
        resolve_dataset()
