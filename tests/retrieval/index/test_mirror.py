"""The one vector class: exact masked top-k with one tie-break rule, and its saved files."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.errors import NotFoundError
from retrieval.vectors import ExactVectors, top_k


def test_ties_come_back_lower_row_first_even_at_the_cut():
    # Ten rows tie for the best score; a partition alone may keep any three of them.
    scores = np.array([0.1, 0.9, 0.9, 0.5, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9], dtype=np.float32)
    for k in (1, 3, 5):
        rows, values = top_k(scores, k)
        assert rows.tolist() == [1, 2, 4, 5, 6][:k]
        assert values.tolist() == pytest.approx([0.9] * k)
    rows, _ = top_k(scores, 12)
    assert rows.tolist() == [1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 3, 0]


def test_masked_and_non_finite_rows_never_come_back():
    scores = np.array([0.3, np.nan, 0.8, 0.8, -np.inf, 0.1])
    mask = np.array([True, True, False, True, True, True])
    rows, values = top_k(scores, 10, mask)
    assert rows.tolist() == [3, 0, 5]
    assert values.tolist() == pytest.approx([0.8, 0.3, 0.1])
    assert top_k(scores, 0)[0].size == 0


def test_search_uses_the_same_rule_and_exclusions():
    # Rows are not in id order: the rule is by row, so "b" (row 0) beats "a" (row 1) on a tie.
    matrix = np.array([[1, 0], [1, 0], [0, 1], [0.6, 0.8]], dtype=np.float32)
    vectors = ExactVectors(["b", "a", "c", "d"], matrix)
    found = vectors.search(np.array([1, 0], dtype=np.float32), 3)
    assert [p.product_id for p in found] == ["b", "a", "d"]
    assert [p.score for p in found] == pytest.approx([1.0, 1.0, 0.6])
    found = vectors.search(np.array([1, 0], dtype=np.float32), 3, exclude=["b"],
                           allowed=np.array([True, True, False, True]))
    assert [p.product_id for p in found] == ["a", "d"]


def test_position_vector_and_alignment():
    vectors = ExactVectors(["x", "y"], np.eye(2, dtype=np.float32))
    assert vectors.position("y") == 1 and "y" in vectors and "z" not in vectors
    with pytest.raises(NotFoundError):
        vectors.position("z")
    assert vectors.vector("z") is None
    aligned = vectors.aligned_to(["y", "z", "x"])
    np.testing.assert_array_equal(aligned.matrix, [[0, 1], [0, 0], [1, 0]])
    with pytest.raises(ValueError):
        ExactVectors(["x"], np.eye(2, dtype=np.float32))


def test_saved_and_loaded_memory_mapped(tmp_path):
    vectors = ExactVectors(["p1", "p2", "p3"], np.random.default_rng(0).random((3, 4), dtype=np.float32))
    vectors.save(tmp_path)
    loaded = ExactVectors.load(tmp_path)
    assert loaded.ids == vectors.ids
    assert not loaded.matrix.flags.writeable  # still the read-only mapped file, not a copy
    np.testing.assert_array_equal(loaded.matrix, vectors.matrix)
    assert not list(tmp_path.glob("*.tmp"))
