"""The neighbour table: each product's nearest products, and the sources that read it
answering exactly what a scan of the whole matrix answers."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.recommend.item_neighbours import NeighbourTable, neighbour_table
from retrieval.recommend.sources import Context, NeighbourSource
from retrieval.vectors import ExactVectors, StaticRanking, top_k


def _vectors(n: int = 600, d: int = 16, seed: int = 3, empty: int = 5) -> ExactVectors:
    rng = np.random.default_rng(seed)
    # Clusters, so that neighbours are meaningful and some cosines tie exactly (duplicates).
    centres = rng.normal(size=(12, d))
    m = centres[rng.integers(0, 12, n)] + 0.4 * rng.normal(size=(n, d))
    m[10] = m[11]  # two identical products
    m /= np.linalg.norm(m, axis=1, keepdims=True)
    m[-empty:] = 0.0  # products without a vector
    return ExactVectors([f"P{i:04d}" for i in range(n)], m.astype(np.float32))


def test_the_table_holds_each_rows_nearest_others_nearest_first():
    v = _vectors()
    table = NeighbourTable.build(v.matrix, depth=20, block=64)  # several blocks
    sims = v.matrix @ v.matrix.T
    np.fill_diagonal(sims, -np.inf)
    sims[:, -5:] = -np.inf
    for r in (0, 10, 11, 99, 593):
        want, _ = top_k(sims[r], 20)
        assert table.rows[r].tolist() == want.tolist()
        np.testing.assert_allclose(table.sims[r], sims[r][want], rtol=1e-5)
    assert table.rows[10][0] == 11 and 10 not in table.rows[10]  # its twin is nearest; itself never
    assert np.isneginf(table.sims[-1]).all()  # no vector: no neighbours
    assert not np.isin(table.rows[:-5][np.isfinite(table.sims[:-5])], np.arange(595, 600)).any()


def _context(v: ExactVectors, history: list[str], mask: np.ndarray | None = None) -> Context:
    return Context(ids=v.ids, titles={}, mask=np.ones(len(v), dtype=bool) if mask is None else mask,
                   history=history)


@pytest.mark.parametrize("seed", range(6))
def test_neighbours_from_the_table_are_the_scans_answer(seed, monkeypatch):
    v = _vectors()
    scans = []
    original = NeighbourSource._scan
    monkeypatch.setattr(NeighbourSource, "_scan", lambda self, *a: scans.append(self.table) or original(self, *a))
    table = NeighbourTable.build(v.matrix, depth=40)
    rng = np.random.default_rng(seed)
    history = [v.ids[i] for i in rng.choice(595, size=int(rng.integers(1, 25)))]
    masks = [None, rng.random(len(v)) < 0.5, rng.random(len(v)) < 0.03]  # none, half, nearly all filtered
    for mask in masks:
        ctx = _context(v, history, mask)
        with_table = NeighbourSource(v, table=table).candidates(ctx, 20)
        scanned = NeighbourSource(v).candidates(ctx, 20)
        assert [(s.product_id, s.evidence.related_to) for s in with_table] == \
               [(s.product_id, s.evidence.related_to) for s in scanned]
        np.testing.assert_allclose([s.score for s in with_table], [s.score for s in scanned], rtol=1e-5)
        if mask is None:  # unfiltered, the table alone answered
            assert scans == [None]
        scans.clear()


def test_a_table_too_short_for_the_filters_falls_back_to_the_scan(monkeypatch):
    v = _vectors()
    table = NeighbourTable.build(v.matrix, depth=5)
    scans = []
    original = NeighbourSource._scan
    monkeypatch.setattr(NeighbourSource, "_scan", lambda self, *a: scans.append(1) or original(self, *a))
    got = NeighbourSource(v, table=table).candidates(_context(v, ["P0001"]), 20)
    assert len(got) == 20 and scans == [1]


def test_the_table_is_kept_per_vectors_and_saved_under_the_root(tmp_path, monkeypatch):
    v = _vectors(n=80)
    first = neighbour_table(v, tmp_path, saved=True)
    assert len(list((tmp_path / "models").glob("neighbours-*.npz"))) == 1
    from retrieval.recommend import item_neighbours

    item_neighbours._memo.clear()
    monkeypatch.setattr(NeighbourTable, "build", lambda *a, **k: pytest.fail("computed again"))
    loaded = neighbour_table(v, tmp_path, saved=True)
    np.testing.assert_array_equal(loaded.rows, first.rows)
    assert neighbour_table(v) is loaded  # the memo: no file read, no build
    other = tmp_path / "elsewhere"
    assert neighbour_table(v, other, saved=True) is loaded  # known here, saved there too
    assert len(list((other / "models").glob("neighbours-*.npz"))) == 1


@pytest.mark.parametrize("seed", range(4))
def test_a_static_ranking_gives_top_ks_answer_under_any_mask(seed):
    rng = np.random.default_rng(seed)
    scores = rng.integers(0, 30, 5000).astype(float)  # many ties
    scores[rng.random(5000) < 0.1] = -np.inf
    ranking = StaticRanking(scores)
    for density in (1.0, 0.5, 0.01, 0.0005):
        mask = rng.random(5000) < density
        for k in (1, 10, 50):
            want = top_k(scores, k, mask)
            got = ranking.top(k, mask)
            assert got[0].tolist() == want[0].tolist()
            assert got[1].tolist() == want[1].tolist()
    assert ranking.top(7)[0].tolist() == top_k(scores, 7)[0].tolist()
