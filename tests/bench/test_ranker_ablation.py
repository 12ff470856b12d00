"""bench.ranker_ablation's extra columns: what each one reads from a shopper's history."""

from __future__ import annotations

import numpy as np

from bench.ranker_ablation import Extras, labels_from


def test_graded_labels_keep_the_next_basket_above_the_later_ones():
    y = np.array([1, 0, 0, 0], np.float32)
    later = [{"a"}, {"b", "a"}, {"c"}]
    assert labels_from(["a", "b", "c", "d"], later, y).tolist() == [2, 1, 1, 0]
    assert labels_from(["a", "b"], later[:1], y[:2]).tolist() == [2, 0]  # no later baskets


def test_own_carry_counts_next_basket_repeats_and_recent_baskets():
    history = [(0, ["a", "b"]), (1, ["a"]), (2, ["b", "c"]), (3, ["a", "c"])]
    out = Extras.own_carry(["a", "b", "c", "z"], history)
    # a: in baskets 0, 1, 3; of 0 and 1 (those with a next basket) only 0 is followed by a.
    assert out[0, 0] == 0.5
    assert out[1, 0] == 0.0  # b: 0 -> 1 lacks b, 2 -> 3 lacks b
    assert out[2, 0] == 1.0  # c: 2 -> 3 holds c
    assert np.isnan(out[3, 0])  # never bought
    # Overall carry-over: 1/2 (a of a, b), 0/1, 1/2 (c of b, c) -> mean 1/3.
    assert np.allclose(out[:, 1], 1 / 3)
    assert out[0, 2:].tolist() == [1, 2, 3] and out[3, 2:].tolist() == [0, 0, 0]
