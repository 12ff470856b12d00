"""Reading a few CSR rows with numpy gives scipy's answer."""

import numpy as np
import pytest
from scipy import sparse

from retrieval.sparse_rows import row_entries, value_at, weighted_row_sum


@pytest.fixture
def matrix():
    rng = np.random.default_rng(3)
    dense = sparse.random(60, 40, density=0.1, random_state=rng, dtype=np.float32).toarray()
    dense[5] = 0  # an empty row
    return sparse.csr_matrix(dense)


@pytest.mark.parametrize("rows", [[0], [5], [3, 5, 7, 59], [2, 2, 9], []])
def test_weighted_row_sum_equals_scipy(matrix, rows):
    weights = np.linspace(0.5, 2.0, len(rows))
    want = (sparse.csr_matrix(weights[None, :]) @ matrix[rows]).toarray().ravel() if rows else np.zeros(40)
    np.testing.assert_allclose(weighted_row_sum(matrix, np.array(rows, dtype=np.int64), weights), want, rtol=1e-6)


def test_row_entries_name_their_row_and_column(matrix):
    rows = np.array([7, 3, 7])
    got = row_entries(matrix, rows)
    rebuilt = np.zeros((3, 40))
    np.add.at(rebuilt, (got.which, got.cols), got.values)
    np.testing.assert_array_equal(rebuilt, matrix[rows].toarray())
    assert len(got.cols) == matrix[rows].nnz


def test_value_at_reads_stored_and_missing_entries(matrix):
    dense = matrix.toarray()
    for row in (0, 5, 17, 59):
        for col in range(40):
            assert value_at(matrix, row, col) == dense[row, col]
