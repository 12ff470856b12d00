"""bench.eval_tables: the hybrid's ratio to the best peer, with the interval the run saved."""

from __future__ import annotations

import json

from bench.eval_tables import tables


def _row(name, mode, value):
    keys = ("ndcg@10", "recall@10", "precision@10", "map@10", "hit@10")
    return {"recommender": name, "mode": mode, "users": 100, "metrics": dict.fromkeys(keys, value)}


def test_ratios_name_the_best_peer_skip_own_variants_and_quote_the_interval(tmp_path):
    data = {
        "split": {"cut": "2011-09-09T00:00:00", "train_baskets": 1000, "test_customers": 100,
                  "test_customers_with_new_items": 90},
        "catalogue_size": 50,
        "timings": [],
        "rows": [_row("repeat", "all", 0.25), _row("fusion", "all", 0.40), _row("hybrid", "all", 0.30),
                 _row("ease", "new", 0.08), _row("hybrid", "new", 0.09)],
        "comparisons": [{"mode": "all", "metric": "ndcg@10", "low": 1.11, "high": 1.29}],
    }
    path = tmp_path / "r.json"
    path.write_text(json.dumps(data))
    text, ratios = tables(path, "shop")
    assert "**hybrid**" in text
    assert ratios[0] == "| shop | all | ndcg@10 | 0.3000 | repeat 0.2500 | 1.20x | 1.11-1.29x |"
    assert ratios[1].endswith("| 1.20x | not saved |")
    assert "ease 0.0800 | 1.12x" in ratios[2]


def test_a_several_cut_run_lists_its_cuts_and_each_cuts_own_ratio(tmp_path):
    cut = {"train_baskets": 900, "test_customers": 80, "test_customers_with_new_items": 70}
    data = {
        "split": {"cut": "2011-09-09T00:00:00", "train_baskets": 1000, "test_customers": 180,
                  "test_customers_with_new_items": 160, "customers": 120,
                  "cuts": [{**cut, "cut": "2011-09-09T00:00:00"}, {**cut, "cut": "2011-08-09T00:00:00"}]},
        "catalogue_size": 50,
        "timings": [],
        "rows": [_row("repeat", "all", 0.25), _row("hybrid", "all", 0.30),
                 _row("ease", "new", 0.08), _row("hybrid", "new", 0.09)],
        "comparisons": [],
        "cut_comparisons": [{"cut": "2011-08-09", "mode": "all", "metric": "ndcg@10", "ours_value": 0.31,
                             "peer": "repeat", "peer_value": 0.25, "ratio": 1.24, "low": 1.1, "high": 1.4}],
    }
    path = tmp_path / "r.json"
    path.write_text(json.dumps(data))
    text, _ = tables(path, "shop")
    assert "at 2 cuts a month apart, pooled: cut 2011-09-09" in text and "cut 2011-08-09, 900 train" in text
    assert "(180 next baskets of 120 customers, 160 with new items)" in text
    assert "| 2011-08-09 | all | ndcg@10 | 0.3100 | repeat 0.2500 | 1.24x | 1.10-1.40x |" in text
