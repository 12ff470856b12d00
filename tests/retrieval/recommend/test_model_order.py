"""A model fitted in another item order scores in the catalogue's order."""

import numpy as np

from retrieval.recommend.model_order import ModelOrder


def test_reordered_model_maps_back_and_unknown_items_score_zero():
    order = ModelOrder({"b": 0, "a": 1, "gone": 2}, ["a", "b", "new"])
    assert not order.same
    np.testing.assert_array_equal(order.to_catalogue(np.array([2.0, 1.0, 9.0])), [1.0, 2.0, 0.0])
    assert order.to_catalogue_row == {1: 0, 0: 1}


def test_same_order_is_a_float64_copy():
    order = ModelOrder({"a": 0, "b": 1}, ["a", "b"])
    scores = np.array([1.5, 0.5], dtype=np.float32)
    out = order.to_catalogue(scores)
    assert order.same and out.dtype == np.float64 and out is not scores
    np.testing.assert_array_equal(out, [1.5, 0.5])
