"""A few rows of a CSR matrix, read straight from its arrays.

A request touches a handful of rows of a large sparse model (a shopper's items in the
co-purchase similarity, their customers in the TIFU user matrix). scipy's row slicing and
products pay ~0.1-0.3 ms of index checks and format conversions per call, several times a
source; gathering the rows' entries with numpy costs a few microseconds plus the entries.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse


@dataclass(frozen=True)
class RowEntries:
    """The stored entries of some rows: entry j sits in column `cols[j]` of row `rows[which[j]]`."""

    which: np.ndarray  # position in the `rows` asked for
    cols: np.ndarray
    values: np.ndarray


def row_entries(m: sparse.csr_matrix, rows: np.ndarray) -> RowEntries:
    """Every stored entry of `rows` (a row may be asked for twice; it is then read twice)."""
    rows = np.asarray(rows, dtype=np.int64)
    starts, ends = m.indptr[rows], m.indptr[rows + 1]
    lengths = (ends - starts).astype(np.int64)
    total = int(lengths.sum())
    # Entry offsets: each row's start repeated over its length, plus a running count within it.
    first = np.cumsum(lengths) - lengths
    at = np.repeat(starts - first, lengths) + np.arange(total)
    return RowEntries(np.repeat(np.arange(len(rows)), lengths), m.indices[at], m.data[at])


def weighted_row_sum(m: sparse.csr_matrix, rows: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """sum_i weights[i] * m[rows[i]], dense over m's columns (float64 accumulation)."""
    got = row_entries(m, rows)
    return np.bincount(got.cols, weights=got.values * np.asarray(weights, dtype=np.float64)[got.which],
                       minlength=m.shape[1])


def value_at(m: sparse.csr_matrix, row: int, col: int) -> float:
    """m[row, col] (0 where nothing is stored), without scipy's ~20 µs of indexing checks."""
    a, b = m.indptr[row], m.indptr[row + 1]
    hit = np.flatnonzero(m.indices[a:b] == col)  # sorted or not: a CSR row holds a column once
    return float(m.data[a + hit[0]]) if len(hit) else 0.0
