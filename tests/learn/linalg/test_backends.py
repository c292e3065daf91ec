"""The array-backend seam of MatrixView: numpy, dask and array-API arrays give the same
results; ``array_api_strict`` (a CPU array library that refuses anything outside the
standard) exercises the code path a GPU array (cupy) takes, without a GPU."""

from __future__ import annotations

import numpy as np
import pytest

from emunmix.learn.decomposition import decompose
from emunmix.learn.linalg import MatrixView
from emunmix.learn.linalg.backends import (
    ArrayAPIBackend,
    DaskBackend,
    NumpyBackend,
    backend_for,
)

xp = pytest.importorskip("array_api_strict")


@pytest.fixture(params=[np.float64, np.float32])
def data(request):
    rng = np.random.default_rng(0)
    X = rng.poisson(5, (50, 30)).astype(request.param)
    kw = dict(rows=np.arange(0, 50, 2), cols=np.arange(1, 30),
              row_scale=rng.uniform(1, 2, 25), col_scale=rng.uniform(1, 2, 29))
    return X, kw, rng


def test_backend_for_each_kind_of_array():
    da = pytest.importorskip("dask.array")
    X = np.zeros((4, 3))
    assert isinstance(backend_for(X), NumpyBackend)
    assert isinstance(backend_for(da.from_array(X)), DaskBackend)
    assert isinstance(backend_for(xp.asarray(X)), ArrayAPIBackend)
    assert MatrixView(xp.asarray(X)).backend.name == "array-api"
    assert MatrixView(da.from_array(X)).is_lazy and not MatrixView(X).is_lazy


@pytest.mark.parametrize("centred", [False, True])
def test_array_api_view_equals_numpy_view(data, centred):
    X, kw, rng = data
    if centred:
        kw = dict(kw, row_mean=rng.uniform(0, 1, 25), col_mean=rng.uniform(0, 1, 29))
    a, b = MatrixView(X, **kw), MatrixView(xp.asarray(X), **kw)
    V, U = rng.normal(size=(29, 3)), rng.normal(size=(25, 3))
    np.testing.assert_array_equal(a.gram(), b.gram())
    np.testing.assert_array_equal(a.materialise(), b.materialise())
    np.testing.assert_array_equal(a.dot(V), b.dot(V))
    np.testing.assert_array_equal(a.tdot(U), b.tdot(U))
    assert b.sum_of_squares() == pytest.approx(a.sum_of_squares(), rel=1e-12)
    sa, sb = a.stats(), b.stats()
    np.testing.assert_array_equal(sa.row_sums, sb.row_sums)
    np.testing.assert_array_equal(sa.col_sums, sb.col_sums)
    assert (sa.n_negative, sa.n_non_finite) == (sb.n_negative, sb.n_non_finite)
    assert isinstance(b.gram(), np.ndarray) and isinstance(b.dot(V), np.ndarray)


def test_array_api_view_counts_bad_values():
    X = np.ones((6, 4))
    X[1, 2], X[3, 0] = np.nan, -1.0
    stats = MatrixView(xp.asarray(X)).stats()
    assert (stats.n_non_finite, stats.n_negative) == (1, 1)


def test_dask_view_equals_numpy_view(data):
    da = pytest.importorskip("dask.array")
    X, kw, rng = data
    a, b = MatrixView(X, **kw), MatrixView(da.from_array(X, chunks=(7, 11)), **kw)
    V = rng.normal(size=(29, 3))
    np.testing.assert_allclose(a.gram(), b.gram(), rtol=1e-12)
    np.testing.assert_allclose(a.dot(V), b.dot(V), rtol=1e-5)
    np.testing.assert_array_equal(a.materialise(), b.materialise())


def test_decomposition_of_array_api_data_equals_numpy(data):
    X, _, _ = data
    nav = np.zeros(50, bool)
    nav[::7] = True
    kw = dict(output_dimension=3, normalize_poissonian_noise=True, navigation_mask=nav,
              reproject="navigation")
    a, b = decompose(X, **kw), decompose(xp.asarray(X), **kw)
    np.testing.assert_array_equal(a.factors, b.factors)
    np.testing.assert_array_equal(a.loadings, b.loadings)
