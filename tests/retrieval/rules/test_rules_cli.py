"""`shopassist rules`, run in-process through the real CLI entry point."""

from __future__ import annotations

import pandas as pd
import pytest

from assistant.cli import main
from retrieval.baskets import Baskets
from retrieval.config import BUNDLED_ONLINE_RETAIL
from retrieval.dataset import Dataset
from retrieval.rules import load_rules


@pytest.fixture(scope="module")
def dataset_dir(bundled_dataset, tmp_path_factory):
    return bundled_dataset.save(tmp_path_factory.mktemp("dataset"))


def test_default_mines_the_bundled_data_and_prints_titles(capsys, bundled_dataset):
    assert main(["rules", "--min-support", "0.02", "--top", "5"]) == 0
    out = capsys.readouterr().out
    used, first, header, *rows = out.strip().splitlines()
    assert used.startswith(f"dataset: bundled file {BUNDLED_ONLINE_RETAIL} ")
    assert f"rules from {len(bundled_dataset.baskets)} baskets" in first
    assert "min support" in first and "engine local" in first
    assert header.split()[:2] == ["#", "if"] and len(rows) == 5
    titles = set(bundled_dataset.catalogue.frame["title"])
    assert any(t in rows[0] for t in titles)


def test_item_filter_csv_and_save(capsys, dataset_dir, bundled_dataset, tmp_path):
    csv = tmp_path / "rules.csv"
    code = main(["rules", "--dataset", str(dataset_dir), "--min-support", "100", "--item", "lunch bag",
                 "--sort-by", "lift", "--top", "3", "--csv", str(csv), "--save"])
    assert code == 0
    out = capsys.readouterr().out
    assert "rules mention 'lunch bag'" in out and "LUNCH BAG" in out
    written = pd.read_csv(csv)
    assert len(written) > 3 and written["lift"].is_monotonic_decreasing
    mentions = written["antecedent_titles"].str.contains("LUNCH BAG") | written["consequent_title"].str.contains("LUNCH BAG")
    assert mentions.all()
    store = load_rules()  # --save wrote under the (test) data root
    assert store.meta.fingerprint == bundled_dataset.fingerprint()
    assert store.meta.min_count == 100 and len(store) >= len(written)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--min-confidence", "2"], "min_confidence"),
        (["--top", "0"], "--top"),
        (["--item", "no product is called this"], "no product id or title"),
    ],
)
def test_bad_values_exit_2_with_a_message(capsys, dataset_dir, args, message):
    assert main(["rules", "--dataset", str(dataset_dir), *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and message in err


@pytest.mark.parametrize(
    "args",
    [["--min-support", "abc"], ["--min-support", "1.5"], ["--min-support", "0"], ["--engine", "dask"],
     ["--sort-by", "size"]],
)
def test_unparseable_arguments_exit_2(capsys, args):
    with pytest.raises(SystemExit) as exc:
        main(["rules", *args])
    assert exc.value.code == 2
    assert "shopassist rules: error:" in capsys.readouterr().err


def test_missing_dataset_folder_exits_2(capsys, tmp_path):
    assert main(["rules", "--dataset", str(tmp_path / "nothing")]) == 2
    assert f"no cleaned dataset or export at {tmp_path / 'nothing'}" in capsys.readouterr().err


@pytest.mark.spark
@pytest.mark.slow
def test_spark_engine_from_the_cli(capsys, bundled_dataset, tmp_path, spark):
    # A 1,500-invoice slice keeps the Spark run to seconds.
    lines = bundled_dataset.baskets.lines
    first = lines["basket_id"].drop_duplicates().iloc[:1500]
    small = Dataset(bundled_dataset.catalogue, Baskets(lines[lines["basket_id"].isin(first)]))
    folder = small.save(tmp_path / "small")
    args = ["rules", "--dataset", str(folder), "--min-support", "0.03", "--top", "3"]
    assert main([*args, "--engine", "spark"]) == 0
    spark_out = capsys.readouterr().out
    assert "engine spark" in spark_out and "rules from 1500 baskets" in spark_out
    assert main(args) == 0
    local_out = capsys.readouterr().out
    assert spark_out.splitlines()[2:] == local_out.splitlines()[2:]  # the same table (after dataset, summary)
