"""ORPCA and ORNMF: recovery of synthetic low-rank + sparse data against the truth, the
optimality of each pixel's projection, and streaming over lazy data one chunk at a time."""

from __future__ import annotations

import gc
import warnings
import weakref

import numpy as np
import pytest

from emunmix.exceptions import ConvergenceWarning
from emunmix.learn.decomposition import decompose
from emunmix.learn.decomposition.ornmf import ornmf
from emunmix.learn.decomposition.orpca import ORPCA_METHODS, orpca
from emunmix.learn.decomposition.rpca import soft_threshold

da = pytest.importorskip("dask.array")


def largest_angle_deg(A, B) -> float:
    """Largest principal angle between the column spaces of A and B (degrees)."""
    Qa, Qb = np.linalg.qr(A)[0], np.linalg.qr(B)[0]
    cos = np.clip(np.linalg.svd(Qa.T @ Qb, compute_uv=False), -1, 1)
    return float(np.degrees(np.arccos(cos.min())))


@pytest.fixture(scope="module")
def low_rank_sparse():
    """1500 pixels x 60 channels: rank 3 (scale 5) + 2% outliers of 10-20 + noise 0.05."""
    rng = np.random.default_rng(0)
    m, n, k = 1500, 60, 3
    V = np.linalg.qr(rng.normal(size=(n, k)))[0]
    low = 5 * rng.normal(size=(m, k)) @ V.T
    support = rng.random((m, n)) < 0.02
    sparse = np.zeros((m, n))
    sparse[support] = rng.choice([-1, 1], support.sum()) * rng.uniform(10, 20, support.sum())
    X = low + sparse + 0.05 * rng.normal(size=(m, n))
    return X, low, V, support


@pytest.mark.parametrize("method", ORPCA_METHODS)
def test_orpca_recovers_subspace_and_sparse_support(low_rank_sparse, method):
    X, low, V, support = low_rank_sparse
    r = orpca(X, 3, method=method, lambda2=1.0)  # one pixel at a time, as HyperSpy
    assert largest_angle_deg(r.factors, V) < 4.0  # measured 2.0 to 3.3 degrees
    found = r.sparse != 0
    assert (found & support).sum() == support.sum()  # every outlier found
    assert (found & ~support).sum() < 0.001 * X.size  # almost no false ones
    err = np.linalg.norm(r.loadings @ r.factors.T - low) / np.linalg.norm(low)
    assert err < 0.12
    np.testing.assert_allclose(r.factors.T @ r.factors, np.eye(3), atol=1e-10)
    np.testing.assert_allclose(np.linalg.norm(r.loadings, axis=0), r.singular_values)


def test_orpca_projection_is_the_fixed_point_of_its_convex_problem(low_rank_sparse):
    """Each pixel's (r, e) minimise 1/2||z - L r - e||^2 + lambda1/2 ||r||^2 +
    lambda2 ||e||_1: r solves the ridge problem on z - e and e = soft(z - L r)."""
    X, *_ = low_rank_sparse
    lam1, lam2 = 0.1, 1.0
    r = orpca(X, 3, batch_size=50, lambda1=lam1, lambda2=lam2, tol=1e-10)
    L = r.subspace
    # loadings @ factors.T is L @ coefficients, whatever the rotation to SVD form
    coeffs = np.linalg.lstsq(L, (r.loadings @ r.factors.T).T, rcond=None)[0].T
    ridge = np.linalg.solve(L.T @ L + lam1 * np.eye(3), L.T @ (X - r.sparse).T).T
    np.testing.assert_allclose(coeffs, ridge, atol=1e-6 * np.abs(ridge).max())
    np.testing.assert_allclose(r.sparse, soft_threshold(X - coeffs @ L.T, lam2), atol=1e-6)


def test_orpca_matches_hyperspy_sample_by_sample_semantics():
    """Batches of one pixel reproduce the per-sample updates (HyperSpy's default): here a
    reference loop of the closed-form method written out in full (with the relative
    inner stopping rule; the online updates amplify rounding, so the same expressions)."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(40, 2)) @ rng.normal(size=(2, 12)) + 0.01 * rng.normal(size=(40, 12))
    lam1, lam2, k = 0.1, 0.3, 2
    L = np.linalg.qr(X[:10].T)[0][:, :k]
    A, B = np.zeros((k, k)), np.zeros((12, k))
    for z in X:
        D = np.linalg.solve(L.T @ L + lam1 * np.eye(k), L.T)
        rr, e = np.zeros(k), np.zeros(12)
        for _ in range(1000):
            r_new = D @ (z - e)
            e_new = soft_threshold(z - L @ r_new, lam2)
            change = max(np.linalg.norm(r_new - rr), np.linalg.norm(e_new - e))
            done = change / np.linalg.norm(z) < 1e-5
            rr, e = r_new, e_new
            if done:
                break
        A += np.outer(rr, rr)
        B += np.outer(z - e, rr)
        L = np.linalg.solve((A + lam1 * np.eye(k)).T, B.T).T
    got = orpca(X, k, method="CF", lambda1=lam1, lambda2=lam2)
    np.testing.assert_allclose(got.subspace, L, rtol=1e-8, atol=1e-10)


class CountingArray:
    """An array-like read by dask chunk by chunk, recording how many chunks it handed out
    are still alive whenever a new one is read."""

    def __init__(self, data):
        self.data, self.shape, self.dtype, self.ndim = data, data.shape, data.dtype, data.ndim
        self.reads, self.alive, self.alive_at_read = 0, 0, []

    def _dead(self):
        self.alive -= 1

    def __getitem__(self, key):
        chunk = np.array(self.data[key])
        if chunk.size == 0:  # dask's meta (an empty array it keeps), not data
            return chunk
        if self.alive:  # reference counting frees at once; a cycle would need the collector
            gc.collect()
        self.alive_at_read.append(self.alive)
        self.reads += 1
        self.alive += 1
        weakref.finalize(chunk, self._dead)
        return chunk


@pytest.fixture(scope="module")
def nmf_with_outliers():
    """1500 pixels x 50 channels: 3 Gaussian peaks (non-negative maps), Poisson counts,
    1% of the entries with an outlier of +200 counts."""
    rng = np.random.default_rng(1)
    x = np.linspace(0, 1, 50)
    F = np.stack([np.exp(-((x - c) ** 2) / 0.005) for c in (0.2, 0.5, 0.8)], 1) + 0.02
    low = rng.gamma(2, 1, (1500, 3)) * 10 @ F.T
    support = rng.random(low.shape) < 0.01
    X = rng.poisson(low).astype(float)
    X[support] += 200
    return X, low, F, support


@pytest.mark.parametrize("algorithm", [orpca, ornmf])
def test_streams_lazy_data_one_chunk_at_a_time(nmf_with_outliers, algorithm):
    X = nmf_with_outliers[0][:300]
    source = CountingArray(X)
    lazy = da.from_array(source, chunks=(50, -1), asarray=False)
    kw = {"batch_size": 16, "random_state": 0}
    r = algorithm(lazy, 3, **kw)
    assert source.reads >= 2 * 6  # the learning and the projection pass read every chunk
    assert max(source.alive_at_read) == 0, "an earlier chunk was still held at a read"
    assert r.sparse is None  # lazy data: not stored unless store_error=True
    # the same batches as from memory, whatever the chunking
    ref = algorithm(X, 3, **kw)
    other = algorithm(da.from_array(X, chunks=(37, -1)), 3, **kw)
    np.testing.assert_allclose(r.loadings @ r.factors.T, ref.loadings @ ref.factors.T,
                               atol=1e-10 * np.abs(X).max())
    np.testing.assert_allclose(other.loadings, ref.loadings, atol=1e-10 * np.abs(X).max())


def test_ornmf_recovers_non_negative_factors_and_outliers(nmf_with_outliers):
    X, low, F, support = nmf_with_outliers
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        r = ornmf(X, 3, method="RobustPGD", batch_size=20, random_state=0)
    assert (r.factors >= 0).all() and (r.loadings >= 0).all()
    cos = (r.factors / np.linalg.norm(r.factors, axis=0)).T @ (F / np.linalg.norm(F, axis=0))
    assert sorted(cos.argmax(0)) == [0, 1, 2]  # one learnt factor per true peak
    assert cos.max(0).min() > 0.92
    err = np.linalg.norm(r.loadings @ r.factors.T - low) / np.linalg.norm(low)
    assert err < 0.15
    assert ((r.sparse > 100) & support).sum() == support.sum()
    assert ((r.sparse > 100) & ~support).sum() == 0


@pytest.mark.parametrize("method", ["PGD", "MomentumSGD"])
def test_ornmf_methods_give_non_negative_models(nmf_with_outliers, method):
    X, low, *_ = nmf_with_outliers
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        r = ornmf(X[:500], 3, method=method, batch_size=10, random_state=0)
    assert (r.factors >= 0).all() and (r.loadings >= 0).all()
    err = np.linalg.norm(r.loadings @ r.factors.T - low[:500]) / np.linalg.norm(low[:500])
    assert err < 0.6


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"method": "Adam"}, "method must be one of"),
    ({"init": "svd"}, "init must be 'qr', 'rand' or an array"),
    ({"init": np.ones((5, 3))}, r"init has shape \(5, 3\)"),
    ({"training_samples": 2}, "training_samples must be between"),
    ({"subspace_momentum": 1.5}, "subspace_momentum must be a number between 0 and 1"),
    ({"subspace_learning_rate": 0}, "subspace_learning_rate must be a finite number > 0"),
    ({"batch_size": 0}, "batch_size must be None or a positive integer"),
    ({"lambda2": -1.0}, "lambda2 must be a finite number >= 0"),
])
def test_orpca_bad_options_refused(low_rank_sparse, kwargs, match):
    with pytest.raises(ValueError, match=match):
        orpca(low_rank_sparse[0][:100], 3, **kwargs)


def test_ornmf_bad_options_refused(nmf_with_outliers):
    X = nmf_with_outliers[0][:50]
    with pytest.raises(ValueError, match="method must be one of"):
        ornmf(X, 2, method="BCD")
    with pytest.raises(ValueError, match="kappa must be a finite number > 0"):
        ornmf(X, 2, kappa=0)


def test_orpca_init_rand_is_seeded_and_default_thresholds_follow_the_noise(low_rank_sparse):
    X, _, V, _ = low_rank_sparse
    a = orpca(X[:300], 3, init="rand", random_state=1, batch_size=10)
    b = orpca(X[:300], 3, init="rand", random_state=1, batch_size=10)
    np.testing.assert_array_equal(a.factors, b.factors)
    # lambda2=None is 4 noise sigmas: scaling the data scales the model, same support
    c = orpca(X[:300], 3, batch_size=10)
    d = orpca(100 * X[:300], 3, batch_size=10)
    np.testing.assert_allclose(100 * c.loadings, d.loadings, rtol=1e-6, atol=1e-6)
    np.testing.assert_array_equal(c.sparse != 0, d.sparse != 0)


def test_signal_return_info_gives_low_rank_and_sparse_parts(low_rank_sparse):
    import emunmix.api as hs

    X = low_rank_sparse[0][:400].reshape(20, 20, 60)
    for s in (hs.signals.Signal1D(X), hs.signals.Signal1D(X).as_lazy()):
        low, sparse = s.decomposition(algorithm="ORPCA", output_dimension=3, batch_size=10,
                                      lambda2=1.0, return_info=True, print_info=False)
        assert sparse.shape == (400, 60) and low.shape == (400, 60)
        assert 0 < np.mean(sparse != 0) < 0.05
        lr = s.learning_results
        assert lr.decomposition_algorithm == "ORPCA" and lr.factors.shape == (60, 3)
        np.testing.assert_allclose(low, np.asarray(lr.loadings) @ np.asarray(lr.factors).T,
                                   atol=1e-9)


def test_decompose_lazy_orpca_with_poisson_normalisation_matches_memory(nmf_with_outliers):
    X = nmf_with_outliers[0][:400]
    ref = decompose(X, "ORPCA", 3, normalize_poissonian_noise=True, batch_size=8)
    out = decompose(da.from_array(X, chunks=(64, -1)), "ORPCA", 3,
                    normalize_poissonian_noise=True, batch_size=8)
    np.testing.assert_allclose(out.model(), ref.model(), atol=1e-8 * np.abs(X).max())
    assert ref.sparse is not None and out.sparse is None


@pytest.mark.parametrize("method", ["CF", "BCD"])
def test_orpca_batches_keep_the_accuracy_of_one_pixel_at_a_time(low_rank_sparse, method):
    """The data's first pixels (the qr start) are dominated by outliers, so the start is
    86 degrees off; batches used to keep their stale coefficients in the running sums
    (9-18 degrees at batch sizes 5-20, measured before the in-batch refinement)."""
    X, _, V, support = low_rank_sparse
    one = largest_angle_deg(orpca(X, 3, method=method, lambda2=1.0).factors, V)
    for batch_size in (5, 16):
        r = orpca(X, 3, method=method, lambda2=1.0, batch_size=batch_size)
        assert largest_angle_deg(r.factors, V) < one + 1.0  # measured 1.2 (5), 0.4 (16)
        assert ((r.sparse != 0) & support).sum() == support.sum()


def _projected_gradient_reference(W, V, lam, vmax, iters=20000):
    """HyperSpy's (and emunmix 0.2's) inner ORNMF solve, written out: projected gradient
    steps on h alternated with the exact e, run to convergence."""
    eta = 1.0 / np.linalg.norm(W, 2) ** 2
    H, E = np.zeros((V.shape[0], W.shape[1])), np.zeros_like(V)
    for _ in range(iters):
        H = np.maximum(H - eta * ((H @ W.T + E - V) @ W), 0.0)
        E = np.clip(soft_threshold(V - H @ W.T, lam), -vmax, vmax)
    return H, E


def test_ornmf_inner_solve_reaches_the_projected_gradient_fixed_point(nmf_with_outliers):
    """The exact block solve (NNLS of h, then e) converges to the point of the projected
    gradient steps it replaced, and that point satisfies the optimality conditions."""
    from scipy.optimize import nnls

    from emunmix.learn.decomposition.ornmf import _projector

    X, _, F, _ = nmf_with_outliers
    V = X[:40]
    W = F / np.linalg.norm(F) + 0.01  # a fixed, not too well conditioned dictionary
    lam = 5.0
    H, E, ok = _projector(W, lam, 10000, 1e-12, clip=True)(V)
    assert ok
    H_ref, E_ref = _projected_gradient_reference(W, V, lam, V.max())
    np.testing.assert_allclose(H, H_ref, rtol=1e-6, atol=1e-6 * np.abs(H_ref).max())
    np.testing.assert_allclose(E, E_ref, atol=1e-6 * np.abs(V).max())
    for i in range(0, 40, 7):  # h is the non-negative least-squares fit of v - e
        np.testing.assert_allclose(H[i], nnls(W, V[i] - E[i])[0], rtol=1e-7, atol=1e-6)
