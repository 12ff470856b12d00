"""`shopassist eval` in-process."""

from __future__ import annotations

import json

from assistant.cli import main

from .conftest import synthetic_dataset


def test_eval_writes_table_json_and_png(tmp_path, capsys):
    folder = synthetic_dataset().save(tmp_path / "ds")
    out = tmp_path / "r.json"
    png = tmp_path / "r.png"
    code = main(
        [
            "eval",
            "--dataset",
            str(folder),
            "--k",
            "5",
            "10",
            "--only",
            "popularity",
            "repeat",
            "--json",
            str(out),
            "--png",
            str(png),
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "popularity" in printed and "repeat" in printed and "@10" in printed
    data = json.loads(out.read_text())
    assert data["ks"] == [5, 10]
    assert {r["recommender"] for r in data["rows"]} == {"popularity", "repeat"}
    assert {r["mode"] for r in data["rows"]} == {"all", "new"}
    assert png.read_bytes()[:4] == b"\x89PNG"


def test_eval_defaults_write_under_the_data_root(tmp_path, _isolated_home):
    folder = synthetic_dataset().save(tmp_path / "ds")
    assert main(["eval", "--dataset", str(folder), "--only", "popularity"]) == 0
    assert (_isolated_home / "eval" / "results.json").exists()
    assert (_isolated_home / "eval" / "results.png").exists()
    assert (
        main(["eval", "--dataset", str(folder), "--only", "popularity", "--split", "validation"])
        == 0
    )
    data = json.loads((_isolated_home / "eval" / "results-validation.json").read_text())
    assert data["split"]["name"] == "validation"


def test_eval_reports_bad_input_as_a_message(tmp_path, capsys):
    folder = synthetic_dataset().save(tmp_path / "ds")
    assert main(["eval", "--dataset", str(folder), "--only", "nope"]) == 2
    assert "unknown recommender" in capsys.readouterr().err
    assert main(["eval", "--dataset", str(tmp_path / "missing")]) == 2
