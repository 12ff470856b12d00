"""Top-k inner-product search over a large matrix, pruned by a low-dimensional copy.

Every product vector v splits into its part in a p-dimensional subspace (orthonormal basis
B) and a residual: q.v = (Bᵀq).(Bᵀv) + r_q.r_v, and |r_q.r_v| <= |r_q| |r_v|. So a scan of
the n x p copy gives every product's score up to a known margin. The top k of that scan,
scored exactly, give a floor for the k-th exact score; only products whose upper bound
reaches that floor can be in the answer, and only those are scored exactly. Then the answer
is the full scan's, ties included (a tied product's bound reaches the floor too), up to
float32 rounding: BLAS may round a row's score a last bit differently in a product over
fewer rows, so two products scoring within ~1e-7 (duplicate vectors) may swap places.

When more than `max_scored` products reach the floor (a catalogue of near-duplicates, whose
top scores crowd together), the `max_scored` with the highest upper bounds are scored
instead, so one request never costs more than the copy's scan plus that many rows. The
answer is then not proven. Measured (bench/RESULTS.md, "Taste profile search on large
catalogues"): on the grocery catalogue 182 of 200 profiles were proven and all 200 gave the
scan's scores; on the synthetic 100k shop of near-duplicates 195 were capped and 199 gave
the scan's scores.
"""

from __future__ import annotations

import logging

import numpy as np

from .vectors import top_k

log = logging.getLogger(__name__)

# Float32 rounding in either product could move a score by ~1e-7; the bound is widened by
# far more than that so that a product is never pruned by rounding.
ROUNDING_SLACK = 1e-5
BASIS_SAMPLE = 20_000  # rows the subspace is fitted on (its quality only changes the speed)
MAX_SCORED = 2_000  # rows scored exactly per search at most (~1 ms of gathering here)


class PrunedSearch:
    def __init__(self, matrix: np.ndarray, dims: int = 64, seed: int = 0,
                 max_scored: int | None = MAX_SCORED) -> None:
        self.matrix, self.max_scored = matrix, max_scored
        n = len(matrix)
        rng = np.random.default_rng(seed)
        sample = matrix[np.sort(rng.choice(n, BASIS_SAMPLE, replace=False))] if n > BASIS_SAMPLE else matrix
        # The top right singular vectors of the (uncentred) sample: the bound needs an
        # orthonormal basis of any subspace, and this one keeps residuals small.
        _, _, vt = np.linalg.svd(np.asarray(sample, dtype=np.float64), full_matrices=False)
        self.basis = np.ascontiguousarray(vt[: min(dims, vt.shape[0])].T, dtype=np.float32)
        self.projected = np.ascontiguousarray(matrix @ self.basis)
        norms = np.einsum("ij,ij->i", matrix, matrix, dtype=np.float64)
        kept = np.einsum("ij,ij->i", self.projected, self.projected, dtype=np.float64)
        self.residual = np.sqrt(np.maximum(norms - kept, 0.0))
        log.info("pruned search: %d x %d copy of %d x %d vectors", n, self.basis.shape[1], n, matrix.shape[1])

    def top_k(self, query: np.ndarray, k: int, mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """`vectors.top_k(matrix @ query, k, mask)`, scoring only the products that can be in it."""
        q = np.asarray(query, dtype=np.float32)
        need, _ = self.shortlist(q, k, mask)
        if need is None:  # fewer than k allowed: score them all
            return top_k(self.matrix @ q, k, mask)
        rows, scores = top_k(self.matrix[need] @ q, k)
        return need[rows], scores

    def shortlist(self, query: np.ndarray, k: int, mask: np.ndarray | None = None) -> tuple[np.ndarray | None, bool]:
        """The allowed rows to score exactly (ascending), and whether they provably hold the
        answer (False: capped at `max_scored`); (None, True) when fewer than k are allowed."""
        q = np.asarray(query, dtype=np.float32)
        small = q @ self.basis
        r_q = float(np.sqrt(max(float(q @ q) - float(small @ small), 0.0)))
        approx = self.projected @ small
        first, _ = top_k(approx, k, mask)
        if len(first) < k:
            return None, True
        floor = float((self.matrix[first] @ q).min())
        upper = approx + (r_q * self.residual + ROUNDING_SLACK)
        reach = upper >= floor
        need = np.flatnonzero(reach if mask is None else reach & mask)
        cap = self.max_scored
        if cap is None or len(need) <= max(cap, k):
            return need, True
        best = need[np.argpartition(-upper[need], max(cap, k) - 1)[: max(cap, k)]]
        return np.sort(best), False
