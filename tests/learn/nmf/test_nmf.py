"""NMF: initialisation, solvers, reproducibility and accuracy on CL1."""

from __future__ import annotations

import time
import warnings

import numpy as np
import pytest

from emunmix.learn.decomposition.pipeline import decompose
from emunmix.learn.decomposition.poisson import poisson_weights
from emunmix.learn.linalg.matrix_view import MatrixView
from emunmix.learn.linalg.svd import svd
from emunmix.learn.metrics import mean_matched_correlation
from emunmix.learn.nmf.core import (
    NMFConvergenceWarning,
    kl_divergence,
    nmf,
    nndsvda,
    scale_factors,
)
from emunmix.learn.nmf.hals import _PairMove, objective


def _scores(W, F, lr):
    """Matched |correlations| of loadings W (m x k) and factors F (n x k) to the truth."""
    return (mean_matched_correlation(W.T, lr.W.T), mean_matched_correlation(F.T, lr.H))


def test_nndsvd_is_non_negative_and_close_to_svd(low_rank):
    X = low_rank.X.astype(np.float64)
    sv = svd(X, 3)
    W, H = nndsvda(sv, 3)
    assert (W >= 0).all() and (H >= 0).all()
    assert np.linalg.norm(X - W @ H) < 0.5 * np.linalg.norm(X)
    Wf, Hf = nndsvda(sv, 3, fill=True)
    assert (Wf > 0).all() and (Hf > 0).all()
    Wr, _ = nndsvda(sv, 3, fill=True, random_state=0)
    assert not np.array_equal(Wr, Wf)


@pytest.mark.parametrize("kw, good", [({}, 0.96), ({"loss": "kl"}, 0.96),
                                      ({"sparsity": 0}, 0.85),
                                      ({"solver": "mu", "max_iter": 300}, 0.85),
                                      ({"solver": "sklearn", "max_iter": 400}, 0.85)])
def test_solvers_recover_low_rank(low_rank, kw, good):
    """All solvers fit; the sparse-map default also resolves the NMF ambiguity."""
    X = low_rank.X
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NMFConvergenceWarning)
        r = nmf(X, 3, random_state=0, **kw)
    W, H = r.loadings.astype(float), r.factors.astype(float)
    assert (W >= 0).all() and (H >= 0).all()
    np.testing.assert_allclose(H.max(axis=0), 1.0, rtol=1e-6)  # unit-max factors
    rel = np.linalg.norm(W @ H.T - low_rank.mean) / np.linalg.norm(low_rank.mean)
    assert rel < 0.05, kw
    maps, spectra = _scores(W, H, low_rank)
    assert maps > good and spectra > good, (kw, maps, spectra)


def test_input_untouched_and_reproducible(low_rank):
    X = low_rank.X
    before = X.copy()
    a = nmf(X, 3, random_state=4, n_restarts=3)
    b = nmf(X, 3, random_state=4, n_restarts=3)
    np.testing.assert_array_equal(X, before)
    np.testing.assert_array_equal(a.factors, b.factors)
    np.testing.assert_array_equal(a.loadings, b.loadings)


def test_restarts_keep_the_best_objective(low_rank):
    one = nmf(low_rank.X, 3, random_state=0)
    three = nmf(low_rank.X, 3, random_state=0, n_restarts=3)
    assert three.objective <= one.objective + 1e-12 * abs(one.objective)


def test_kl_polish_lowers_the_divergence(low_rank):
    X = low_rank.X
    w = poisson_weights(X)
    view = MatrixView(X, row_scale=w.root_aG, col_scale=w.root_bH)
    ls = nmf(view, 3, normalise_factors=None)
    kl = nmf(view, 3, loss="kullback-leibler", normalise_factors=None)
    def raw(r):
        return r.loadings * w.root_aG[:, None], (r.factors * w.root_bH[:, None]).T
    assert kl_divergence(X, *raw(kl)) < kl_divergence(X, *raw(ls))


def test_pair_move_objective_is_exact(rng):
    m, n, r, k = 40, 25, 6, 3
    L = rng.normal(size=(m, r))
    F = np.linalg.qr(rng.normal(size=(n, r)))[0]
    W = rng.uniform(0, 1, (m, k))
    H = rng.uniform(0, 1, (k, n))
    H /= np.linalg.norm(H, axis=1)[:, None]
    Wt, LL, lam = W.T.copy(), float(np.sum(L * L)), 0.2
    XHt, HHt, G = (H @ F) @ L.T, H @ H.T, Wt @ Wt.T
    f0 = objective(L, F, LL, W, H, lam)
    for i, j, t in ((0, 1, 0.4), (2, 0, 2.0)):
        move = _PairMove(XHt, HHt, G, Wt, lam, i, j, f0)
        Wt2, H2 = Wt.copy(), H.copy()
        _PairMove(XHt, HHt, G, Wt2, lam, i, j, f0).apply(H2, t)
        assert move(t) == pytest.approx(objective(L, F, LL, Wt2.T, H2, lam), rel=1e-12)


def test_scale_factors():
    F = np.array([[1.0, 0.0], [4.0, 2.0]])
    L = np.array([[1.0, 1.0]])
    F2, L2 = scale_factors(F, L, "max")
    np.testing.assert_allclose(F2.max(axis=0), 1.0)
    np.testing.assert_allclose(L2 @ F2.T, L @ F.T)
    F3, L3 = scale_factors(F, L, "sum")
    np.testing.assert_allclose(F3.sum(axis=0), 1.0)
    with pytest.raises(ValueError, match="normalise_factors"):
        scale_factors(F, L, "l2")


def test_bad_arguments(low_rank):
    X = low_rank.X
    with pytest.raises(ValueError, match="loss"):
        nmf(X, 2, loss="itakura")
    with pytest.raises(ValueError, match="solver"):
        nmf(X, 2, solver="als")
    with pytest.raises(ValueError, match="n_components"):
        nmf(X, 0)
    with pytest.raises(ValueError, match="uncentred"):
        nmf(MatrixView(X, col_mean=np.ones(60)), 2)
    with pytest.warns(NMFConvergenceWarning, match="max_iter"):
        nmf(X, 3, max_iter=5, tol=0)


def test_cl1_nmf_recovers_truth_fast(cl1):
    """Issue 3: NMF(4) on Poisson-normalised CL1 >= 0.99 for maps and spectra."""
    X = cl1.data.reshape(-1, cl1.data.shape[-1])
    t0 = time.perf_counter()
    out = decompose(X, "NMF", output_dimension=4, normalize_poissonian_noise=True)
    elapsed = time.perf_counter() - t0
    k = len(cl1.truth.spectra)
    maps = mean_matched_correlation(out.loadings.T.reshape(k, 64, 64), cl1.truth.maps)
    spectra = mean_matched_correlation(out.factors.T, cl1.truth.spectra)
    assert maps >= 0.99 and spectra >= 0.99, (maps, spectra)
    assert elapsed < 15  # about 1 s on an idle 2-core machine; generous for CI


def test_hard_cl1_spectra_beat_plain_nmf(cl1_hard):
    """Hard variant: the sparse-map solution recovers the spectra (>= 0.95), far better
    than plain least-squares NMF (HyperSpy's default: about 0.45)."""
    X = cl1_hard.data.reshape(-1, cl1_hard.data.shape[-1])
    k = len(cl1_hard.truth.spectra)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NMFConvergenceWarning)
        out = decompose(X, "NMF", output_dimension=k, normalize_poissonian_noise=True)
    spectra = mean_matched_correlation(out.factors.T, cl1_hard.truth.spectra)
    maps = mean_matched_correlation(out.loadings.T.reshape(k, 64, 64), cl1_hard.truth.maps)
    assert spectra >= 0.95, spectra
    assert maps >= 0.75, maps


def test_hard_cl1_bss_start_regression_floor(cl1_hard):
    """Hard CL1 (7 phases, no zeros in maps or spectra): the default BSS start gives
    maps 0.926 / spectra 0.992 (the NNDSVD + sparsity start: 0.797 / 0.990; HyperSpy's
    default NMF 0.84 / 0.48). About 0.5 s."""
    X = cl1_hard.data.reshape(-1, cl1_hard.data.shape[-1])
    k = len(cl1_hard.truth.spectra)
    t0 = time.perf_counter()
    out = decompose(X, "NMF", output_dimension=k, normalize_poissonian_noise=True)
    elapsed = time.perf_counter() - t0
    spectra = mean_matched_correlation(out.factors.T, cl1_hard.truth.spectra)
    maps = mean_matched_correlation(out.loadings.T.reshape(k, 64, 64), cl1_hard.truth.maps)
    assert maps >= 0.915 and spectra >= 0.985, (maps, spectra)
    assert elapsed < 15


def test_init_options(low_rank):
    X = low_rank.X
    a = nmf(X, 3, init="nndsvd", random_state=0)
    assert a.sparsity == 0.1  # the sparse-map start keeps its penalty
    b = nmf(X, 3, init="bss", random_state=0)
    assert b.sparsity == 0.0
    c = nmf(X, 3, init=(b.loadings, b.factors.T), random_state=0)
    np.testing.assert_allclose(c.loadings @ c.factors.T, b.loadings @ b.factors.T,
                               rtol=0.05, atol=1e-3 * X.max())
    d = nmf(X, 1, random_state=0)  # one component: NNDSVD (BSS needs two)
    assert d.factors.shape == (X.shape[1], 1)
    with pytest.raises(ValueError, match="init"):
        nmf(X, 3, init="magic")
    with pytest.raises(ValueError, match="shapes"):
        nmf(X, 3, init=(np.ones((2, 3)), np.ones((3, 2))))
