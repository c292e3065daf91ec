"""SVD kernels: every solver against numpy, views, dask, orientation and signs."""

from __future__ import annotations

import numpy as np
import pytest

from emunmix.learn.linalg.matrix_view import MatrixView
from emunmix.learn.linalg.svd import choose_svd_solver, svd, svd_flip_loadings


def _matrix(rng, m, n, k=6, noise=1e-3, dtype=np.float64):
    A = rng.normal(size=(m, k)) @ np.diag(np.geomspace(100, 1, k)) @ rng.normal(size=(k, n))
    return (A + noise * rng.normal(size=(m, n))).astype(dtype)


def _same_subspace(F1, F2, atol):
    """Columns equal up to sign."""
    signs = np.sign(np.sum(F1 * F2, axis=0))
    np.testing.assert_allclose(F1 * signs, F2, atol=atol)


@pytest.mark.parametrize("shape", [(300, 40), (40, 300)])
def test_gram_matches_numpy_both_orientations(rng, shape):
    X = _matrix(rng, *shape)
    r = svd(X, svd_solver="gram")
    U, S, Vt = np.linalg.svd(X, full_matrices=False)
    assert r.solver == "gram"
    np.testing.assert_allclose(r.singular_values, S, rtol=1e-9, atol=1e-9 * S[0])
    _same_subspace(r.factors[:, :6], Vt[:6].T, atol=1e-8)
    np.testing.assert_allclose(r.loadings @ r.factors.T, X, atol=1e-8 * np.abs(X).max())


def test_gram_small_components_accurate_for_float32(rng):
    """float64 accumulation: the noise floor of float32 data is resolved (scree use)."""
    X = _matrix(rng, 2000, 100, noise=1e-2, dtype=np.float32)
    S_ref = np.linalg.svd(X.astype(np.float64), compute_uv=False)
    S = svd(X).singular_values
    np.testing.assert_allclose(S, S_ref, rtol=1e-6)
    assert S[-1] / S[0] < 1e-4


@pytest.mark.parametrize("solver", ["full", "randomized", "arpack", "gram"])
def test_truncated_solvers_agree(rng, solver):
    X = _matrix(rng, 400, 80)
    r = svd(X, 4, svd_solver=solver, random_state=0)
    U, S, Vt = np.linalg.svd(X, full_matrices=False)
    assert r.factors.shape == (80, 4) and r.loadings.shape == (400, 4)
    np.testing.assert_allclose(r.singular_values, S[:4], rtol=1e-6)
    _same_subspace(r.factors, Vt[:4].T, atol=1e-5)
    assert np.all(np.diff(r.singular_values) <= 0)


def test_randomized_reproducible_with_random_state(rng):
    X = _matrix(rng, 600, 700, noise=1.0)
    a = svd(X, 3, svd_solver="randomized", random_state=7)
    b = svd(X, 3, svd_solver="randomized", random_state=7)
    np.testing.assert_array_equal(a.factors, b.factors)
    np.testing.assert_array_equal(a.loadings, b.loadings)


def test_float32_input_gives_float32_outputs(rng):
    X = _matrix(rng, 200, 30, dtype=np.float32)
    r = svd(X, 3)
    assert r.factors.dtype == np.float32 and r.loadings.dtype == np.float32
    assert r.singular_values.dtype == np.float64


def test_view_equals_explicit_matrix(rng):
    X = np.abs(_matrix(rng, 300, 50)) + 1.0
    rows = np.arange(0, 300, 2)
    cols = np.arange(5, 45)
    rs = rng.uniform(1, 2, rows.size)
    cs = rng.uniform(1, 2, cols.size)
    cm = rng.uniform(0, 1, cols.size)
    view = MatrixView(X, rows=rows, cols=cols, row_scale=rs, col_scale=cs, col_mean=cm)
    P = ((X[rows][:, cols] - cm) / rs[:, None]) / cs
    np.testing.assert_allclose(view.materialise(np.float64), P)
    np.testing.assert_allclose(view.gram(), P.T @ P, rtol=1e-12)
    np.testing.assert_allclose(view.sum_of_squares(), np.sum(P * P))
    np.testing.assert_allclose(svd(view).singular_values, np.linalg.svd(P, compute_uv=False))


def test_dask_gram_is_exact_and_chunked(rng):
    da = pytest.importorskip("dask.array")
    X = _matrix(rng, 500, 40)
    lazy = da.from_array(X, chunks=(60, -1))
    r = svd(lazy, 5)
    ref = svd(X, 5)
    np.testing.assert_allclose(r.singular_values, ref.singular_values, rtol=1e-10)
    np.testing.assert_allclose(np.abs(r.factors), np.abs(ref.factors), atol=1e-8)


def test_dask_randomized_and_full(rng):
    da = pytest.importorskip("dask.array")
    X = _matrix(rng, 500, 40)
    lazy = da.from_array(X, chunks=(100, 20))
    S = np.linalg.svd(X, compute_uv=False)
    r = svd(lazy, 3, svd_solver="randomized", random_state=0)
    np.testing.assert_allclose(r.singular_values, S[:3], rtol=1e-4)
    r = svd(lazy, 3, svd_solver="full")
    np.testing.assert_allclose(r.singular_values, S[:3], rtol=1e-8)


def test_solver_choice_rules():
    assert choose_svd_solver((4096, 1024), None) == "gram"
    assert choose_svd_solver((100000, 20000), 10) == "randomized"
    assert choose_svd_solver((100000, 20000), None) == "full"
    assert choose_svd_solver((10000, 5000), 4500) == "full"
    assert choose_svd_solver((10, 10), 2, "ARPACK") == "arpack"
    with pytest.raises(ValueError, match="svd_solver"):
        choose_svd_solver((10, 10), 2, "magic")


def test_bad_dimensions(rng):
    X = _matrix(rng, 20, 10)
    with pytest.raises(ValueError, match="between 1 and 10"):
        svd(X, 11)
    with pytest.raises(ValueError, match="arpack"):
        svd(X, 10, svd_solver="arpack")
    with pytest.raises(ValueError, match="empty"):
        svd(np.zeros((0, 5)))


def test_flip_makes_largest_loading_positive():
    L = np.array([[1.0, -5.0], [-3.0, 2.0], [np.nan, np.nan]])
    F = np.array([[1.0, 1.0], [2.0, 2.0]])
    svd_flip_loadings(F, L)
    np.testing.assert_array_equal(L[:2], [[-1.0, 5.0], [3.0, -2.0]])
    np.testing.assert_array_equal(F, [[-1.0, -1.0], [-2.0, -2.0]])  # same flips


def test_n_eager_defers_vectors_but_not_singular_values(rng):
    X = rng.normal(size=(300, 40)) @ np.diag(np.linspace(5, 1, 40))
    full = svd(X)
    part = svd(X, n_eager=6)
    np.testing.assert_allclose(part.singular_values, full.singular_values, rtol=1e-10)
    assert part.factors.shape == (40, 6) and part.loadings.shape == (300, 6)
    f1, l1 = part.pending(10)  # components 6..9
    f2, l2 = part.pending()  # components 6..39
    assert f1.shape == (40, 4) and f2.shape == (40, 34) and l2.shape == (300, 34)
    F = np.hstack([part.factors, f2])
    L = np.hstack([part.loadings, l2])
    np.testing.assert_allclose(F.T @ F, np.eye(40), atol=1e-9)
    np.testing.assert_allclose(L @ F.T, X, atol=1e-9)  # all components rebuild X
    np.testing.assert_allclose(np.abs(f1), np.abs(f2[:, :4]), atol=1e-9)
    with pytest.raises(ValueError, match="stop must be between 6 and 40"):
        part.pending(41)


def test_n_eager_is_ignored_when_nothing_is_deferred(rng):
    X = rng.normal(size=(100, 20))
    assert svd(X, n_eager=20).pending is None
    assert svd(X, 5, n_eager=8).pending is None  # asks for 5: all 5 computed
    wide = svd(X.T, n_eager=3)  # wide data: the other Gram matrix, no deferral
    assert wide.pending is None and wide.factors.shape == (100, 20)
