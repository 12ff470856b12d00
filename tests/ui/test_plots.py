"""The rule pictures and the evaluation chart lookup (matplotlib, no browser)."""

from __future__ import annotations

import tempfile

from ui.evaluation import evaluation_chart, evaluation_summary
from ui.plots import lift_band, rule_network, scatter_frame

RULES = [
    {"antecedent": ["A"], "consequent": "B", "support": 0.01, "confidence": 0.6, "lift": 25.0,
     "text": "A then B"},
    {"antecedent": ["A", "C"], "consequent": "D", "support": 0.02, "confidence": 0.3, "lift": 1.5,
     "text": "A and C then D"},
]


def test_lift_bands_cover_every_lift():
    assert [lift_band(x) for x in (0.5, 1.0, 3, 10, 20, 1e9)] == [
        "lift < 1", "lift 1–2", "lift 2–5", "lift 5–20", "lift ≥ 20", "lift ≥ 20"]


def test_scatter_frame_has_a_row_per_rule_with_its_band():
    frame = scatter_frame(RULES)
    assert list(frame["lift band"]) == ["lift ≥ 20", "lift 1–2"]
    assert list(frame.columns) == ["support", "confidence", "lift", "lift band", "rule"]
    assert scatter_frame([]).empty


def test_rule_network_draws_an_arrow_per_antecedent_item_and_keeps_dollars_literal():
    titles = {"A": "MUG $5 $OFF$", "B": "PLATE", "C": "CUP", "D": "SAUCER"}
    fig = rule_network("A", RULES, titles.get)
    ax = fig.axes[0]
    arrows = [c for c in ax.texts if getattr(c, "arrow_patch", None) is not None]
    assert len(arrows) == 3  # A->B, A->D, C->D
    labels = [t.get_text() for t in ax.texts if t.get_text()]
    assert "MUG $5 $OFF$" in labels and "SAUCER" in labels
    fig.canvas.draw()  # mathtext would fail or eat the dollars; parse_math=False keeps them


def test_rule_network_without_rules_says_so():
    ax = rule_network("A", [], lambda pid: pid).axes[0]
    assert "no rules" in ax.texts[0].get_text()


def test_evaluation_chart_only_when_results_exist(tmp_path, monkeypatch):
    from retrieval.evaluation.results import EvalResults, ModeResult

    scratch = tmp_path / "scratch"  # where a redraw may draw: empty again afterwards
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))

    assert evaluation_chart(tmp_path) is None
    EvalResults(split={"name": "test", "cut": "2011-09-09"}, ks=(10,), catalogue_size=10,
                users={"all": 5},
                rows=[ModeResult("popular", "all", 5, {"ndcg@10": 0.2, "recall@10": 0.1})]
                ).save_json(tmp_path / "eval" / "results.json")
    image = evaluation_chart(tmp_path)  # no PNG saved: redrawn from the JSON
    assert image is not None and image.size[0] > 300
    assert list(scratch.iterdir()) == [], "the redraw left its folder behind"
    assert not (tmp_path / "eval" / "results.png").exists()  # the data root is only read
    (tmp_path / "eval" / "results.json").write_text("{broken")
    assert evaluation_chart(tmp_path) is None


def test_evaluation_summary_lists_each_saved_ratio_with_its_interval(tmp_path):
    from retrieval.evaluation.compare import PeerComparison
    from retrieval.evaluation.results import EvalResults, ModeResult

    assert evaluation_summary(tmp_path) == ""  # nothing saved
    saved = EvalResults(split={"name": "test", "cut": "2011-09-09"}, ks=(10,), catalogue_size=10,
                        users={"new": 7}, rows=[ModeResult("popular", "new", 7, {"ndcg@10": 0.1})])
    path = saved.save_json(tmp_path / "eval" / "results.json")
    assert evaluation_summary(tmp_path) == ""  # results without comparisons: nothing to say
    saved.comparisons = [PeerComparison("new", "recall@10", "hybrid", 0.06, "ease", 0.05, 1.2, 0.9, 1.5, 7)]
    saved.save_json(path)
    text = evaluation_summary(tmp_path)
    assert text.splitlines()[-1] == ("- hybrid / best peer, new recall@10: 0.0600 / ease 0.0500 = 1.200x "
                                     "(95% interval 0.900-1.500x, 7 customers)")
    path.write_text('{"split": {}}')  # a results file missing its fields
    assert evaluation_summary(tmp_path) == ""
