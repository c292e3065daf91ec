"""NMF with a spatial prior (``spatial_smoothness``): graph, updates, accuracy, errors."""

from __future__ import annotations

import numpy as np
import pytest

from emunmix.learn.decomposition.pipeline import decompose
from emunmix.learn.metrics import mean_matched_correlation
from emunmix.learn.nmf.core import nmf
from emunmix.learn.nmf.hals import hals_step, objective
from emunmix.learn.nmf.spatial import SpatialPrior, auto_smoothness, pixel_graph
from emunmix.signal import Signal1D


def _line_scan(n=300, seed=0, dose=1.0):
    """Two phases alternating smoothly along a line, at low counts."""
    rng = np.random.default_rng(seed)
    x = np.linspace(0, 1, n)
    a = np.clip(1.5 * np.sin(3 * np.pi * x), 0, 1)
    maps = np.stack([a, 1 - a])
    e = np.linspace(0, 1, 80)
    spectra = np.stack([np.exp(-((e - 0.3) / 0.08) ** 2), np.exp(-((e - 0.6) / 0.08) ** 2)])
    counts = rng.poisson(dose * maps.T @ spectra)
    return counts, maps, spectra


def test_pixel_graph_grid_line_and_mask():
    g = pixel_graph((3, 4))
    assert g.n_edges == 3 * 3 + 2 * 4
    assert g.degree.reshape(3, 4)[1, 1] == 4 and g.degree[0] == 2
    for colour in g.colours:  # no two pixels of one colour are neighbours
        assert g.adjacency[colour][:, colour].nnz == 0
    line = pixel_graph((5,))
    assert line.n_edges == 4 and line.degree.tolist() == [1, 2, 2, 2, 1]
    rows = np.array([0, 1, 3, 4])  # pixel 2 masked: the line breaks in two
    cut = pixel_graph((5,), rows)
    assert cut.n_edges == 2 and cut.degree.tolist() == [1, 1, 1, 1]


def test_penalty_invariant_along_the_valley_and_updates_descend(rng):
    m_shape, k, r = (12, 10), 3, 6
    m = int(np.prod(m_shape))
    prior = SpatialPrior(pixel_graph(m_shape), 0.7)
    W = rng.uniform(0.1, 1, (m, k))
    H = rng.uniform(0.1, 1, (k, 20))
    Q = np.eye(k) + 0.1 * rng.uniform(size=(k, k))
    a = prior.penalty(W.T, H)
    b = prior.penalty((W @ Q).T, np.linalg.solve(Q, H))
    assert a > 0 and b == pytest.approx(a, rel=1e-10)
    # HALS sweeps with the prior never raise the penalised objective
    L = rng.uniform(0, 1, (m, r))
    F = np.linalg.qr(rng.normal(size=(20, r)))[0]
    Lt, Wt, H = L.T.copy(), W.T.copy(), np.abs(F[:, :k].T) + 0.1
    H /= np.linalg.norm(H, axis=1)[:, None]
    LL = float(np.sum(L * L))
    prev = objective(L, F, LL, Wt.T, H, 0.0) + prior.penalty(Wt, H)
    for _ in range(20):
        hals_step(Lt, F, Wt, H, 0.0, prior)
        obj = objective(L, F, LL, Wt.T, H, 0.0) + prior.penalty(Wt, H)
        assert obj <= prev * (1 + 1e-12)
        prev = obj


def test_zero_or_none_is_the_default_bit_for_bit(low_rank):
    X = low_rank.X
    base = nmf(X, 3, random_state=0)
    for value in (0, 0.0, None):
        r = nmf(X, 3, random_state=0, spatial_smoothness=value, navigation_shape=(20, 20))
        assert np.array_equal(r.loadings, base.loadings)
        assert np.array_equal(r.factors, base.factors)
        assert r.spatial_smoothness == 0.0


def test_hard_cl1_maps_improve_against_the_truth(cl1_hard):
    """Measured: default 0.926 / 0.992, "auto" (beta 0.78) 0.959 / 0.994."""
    X = cl1_hard.data.reshape(-1, cl1_hard.data.shape[-1])
    k = len(cl1_hard.truth.spectra)
    scores = {}
    for value in (None, "auto"):
        out = decompose(X, "NMF", output_dimension=k, normalize_poissonian_noise=True,
                        random_state=0, navigation_shape=(64, 64), spatial_smoothness=value)
        scores[value] = (
            mean_matched_correlation(out.loadings.T.reshape(k, 64, 64), cl1_hard.truth.maps),
            mean_matched_correlation(out.factors.T, cl1_hard.truth.spectra),
        )
    assert 0.5 < out.info["spatial_smoothness"] < 1.5
    assert scores["auto"][0] >= scores[None][0] + 0.025
    assert scores["auto"][0] >= 0.955
    assert scores["auto"][1] >= scores[None][1] - 0.002


def test_line_scan_through_the_signal_layer():
    counts, maps, spectra = _line_scan()
    truth = []
    for value in (None, "auto"):
        s = Signal1D(counts)
        s.decomposition(True, algorithm="NMF", output_dimension=2, random_state=0,
                        print_info=False, spatial_smoothness=value)
        truth.append(mean_matched_correlation(np.asarray(s.learning_results.loadings).T, maps))
    assert truth[1] > truth[0] + 0.02, truth


def test_masked_pixels_are_left_out(cl1):
    data = cl1.data[:32, :32]
    mask = np.zeros((32, 32), dtype=bool)
    mask[10:14, :] = True  # a band of bad rows: no pixel gets neighbours across it
    s = Signal1D(data)
    s.decomposition(True, algorithm="NMF", output_dimension=4, random_state=0,
                    print_info=False, navigation_mask=mask, spatial_smoothness=0.5)
    L = np.asarray(s.learning_results.loadings).reshape(32, 32, 4)
    assert np.isnan(L[mask]).all() and np.isfinite(L[~mask]).all()
    g = pixel_graph((32, 32), np.flatnonzero(~mask.ravel()))
    assert g.n_edges == 28 * 31 + (9 + 17) * 32  # none into or across the band


def test_lazy_input_matches_in_memory(low_rank):
    da = pytest.importorskip("dask.array")
    X = low_rank.X
    args = dict(output_dimension=3, random_state=0, navigation_shape=(20, 20),
                spatial_smoothness=0.5, svd_solver="gram")
    eager = decompose(X, "NMF", **args)
    lazy = decompose(da.from_array(X, chunks=(100, 60)), "NMF", **args)
    np.testing.assert_allclose(lazy.loadings, eager.loadings, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("value", [-0.1, np.nan, np.inf, "smooth", True, [1.0]])
def test_bad_values_raise(low_rank, value):
    with pytest.raises(ValueError, match="spatial_smoothness"):
        nmf(low_rank.X, 3, spatial_smoothness=value, navigation_shape=(20, 20))


def test_unsupported_combinations_raise(low_rank):
    X = low_rank.X
    with pytest.raises(ValueError, match="navigation_shape"):
        nmf(X, 3, spatial_smoothness=0.5)
    with pytest.raises(ValueError, match="navigation_shape"):
        nmf(X, 3, spatial_smoothness=0.5, navigation_shape=(10, 10))
    for kw in ({"solver": "mu"}, {"solver": "sklearn"}, {"loss": "kl"}):
        with pytest.raises(ValueError, match="solver='hals'"):
            nmf(X, 3, spatial_smoothness=0.5, navigation_shape=(20, 20), **kw)


def test_auto_is_small_on_clean_data():
    g = pixel_graph((20, 20))
    rng = np.random.default_rng(0)
    smooth = np.cumsum(np.cumsum(rng.normal(size=(20, 20, 3)), 0), 1).reshape(400, 3)
    assert auto_smoothness(g, smooth, sigma=1e-3) < 1e-3
    # noise only (neighbour differences no larger than the noise's): the cap
    assert auto_smoothness(g, rng.normal(size=(400, 3)), sigma=1.1) == 100.0
