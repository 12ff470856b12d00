"""The pruned search gives the full scan's top k, ties and filters included, scoring fewer rows."""

import numpy as np
import pytest

from retrieval.pruned_search import PrunedSearch
from retrieval.recommend import sources as sources_mod
from retrieval.recommend.sources import Context, ProfileSource
from retrieval.vectors import ExactVectors, top_k


def _matrix(n: int = 3000, d: int = 48, seed: int = 5) -> np.ndarray:
    rng = np.random.default_rng(seed)
    # Clustered like product embeddings, with exact duplicates (ties) and empty rows.
    centres = rng.normal(size=(20, d))
    m = centres[rng.integers(0, 20, n)] + 0.5 * rng.normal(size=(n, d))
    m[100:110] = m[99]
    m /= np.linalg.norm(m, axis=1, keepdims=True)
    m[-4:] = 0.0
    return m.astype(np.float32)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("keep", [1.0, 0.3, 0.01])
def test_pruned_top_k_is_the_scans(seed, keep):
    m = _matrix()
    search = PrunedSearch(m, dims=8, max_scored=None)
    rng = np.random.default_rng(seed)
    mask = rng.random(len(m)) < keep
    query = m[rng.integers(0, 50, 6)].sum(axis=0) * 1.7  # a mean of items, not unit length
    if seed == 0:
        query = m[99] * 2  # ten duplicates tie for first place
    for k in (1, 10, 50):
        want_rows, want = top_k(m @ query, k, mask)
        rows, got = search.top_k(query, k, mask)
        assert rows.tolist() == want_rows.tolist()
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_it_scores_only_what_the_bound_cannot_rule_out(monkeypatch):
    m = _matrix(n=20000, d=64)
    search = PrunedSearch(m, dims=32)
    scored = []
    search.matrix = _Counting(m, scored)
    search.top_k(m[:5].mean(axis=0), 20)
    assert sum(scored) < len(m) / 4


def test_a_crowded_top_is_capped_at_the_best_upper_bounds():
    m = _matrix(n=6000, d=64)
    query = m[:40].mean(axis=0)
    exact, proven = PrunedSearch(m, dims=4, max_scored=None).shortlist(query, 20)
    capped, capped_proven = PrunedSearch(m, dims=4, max_scored=300).shortlist(query, 20)
    assert proven and len(exact) > 300  # four dimensions leave wide margins
    assert not capped_proven and len(capped) == 300 and set(capped) <= set(exact)
    rows, _ = PrunedSearch(m, dims=4, max_scored=300).top_k(query, 20)
    assert len(rows) == 20 and set(rows) <= set(capped)


class _Counting(np.ndarray):
    """The matrix, counting the rows each exact product reads."""

    def __new__(cls, m, log):
        out = m.view(cls)
        out.log = log
        return out

    def __getitem__(self, rows):
        part = np.asarray(self).__getitem__(rows)
        self.log.append(len(part))
        return part

    def __matmul__(self, other):  # a full scan would read every row
        self.log.append(len(self))
        return np.asarray(self) @ other


def test_the_profile_of_a_large_catalogue_is_pruned_but_the_same(monkeypatch):
    m = _matrix(n=2500)
    v = ExactVectors([f"P{i:04d}" for i in range(len(m))], m)
    history = ["P0003", "P0040", "P0041", "P0300", "P0003"]
    ctx = Context(ids=v.ids, titles={}, mask=np.ones(len(v), dtype=bool), history=history)
    scanned = ProfileSource(v)
    assert scanned.search is None
    monkeypatch.setattr(sources_mod, "PROFILE_SCAN_ROWS", 1000)
    pruned = ProfileSource(v)
    assert pruned.search is not None
    got, want = pruned.candidates(ctx, 15), scanned.candidates(ctx, 15)
    assert [s.product_id for s in got] == [s.product_id for s in want]
    np.testing.assert_allclose([s.score for s in got], [s.score for s in want], rtol=1e-5)
    assert not {s.product_id for s in got} & set(history)
