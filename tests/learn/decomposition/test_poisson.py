"""Keenan-Kotula Poisson normalisation: formula, masks, sparse data, dtypes."""

from __future__ import annotations

import numpy as np
import pytest

from emunmix.learn.decomposition.finish import to_data_units
from emunmix.learn.decomposition.poisson import (
    PoissonWeights,
    poisson_weights,
    weights_from_sums,
)
from emunmix.learn.linalg import MatrixView


def poisson_normalise(X, w, dtype=None):
    """The normalised data as the pipeline builds them (a scaled MatrixView)."""
    return MatrixView(X, row_scale=w.root_aG, col_scale=w.root_bH).materialise(dtype)


def test_weights_match_direct_formula(low_rank):
    X = low_rank.X
    w = poisson_weights(X)
    np.testing.assert_allclose(w.root_aG, np.sqrt(X.sum(axis=1)))
    np.testing.assert_allclose(w.root_bH, np.sqrt(X.sum(axis=0)))
    D = poisson_normalise(X, w)
    direct = X / (np.sqrt(X.sum(1))[:, None] * np.sqrt(X.sum(0))[None, :])
    assert D.dtype == np.float32  # integers work in float32
    np.testing.assert_allclose(D, direct, rtol=1e-6)


def test_weights_use_only_unmasked_entries(low_rank):
    X = low_rank.X.astype(np.float64)
    nav = np.zeros(X.shape[0], bool)
    nav[::3] = True
    sig = np.zeros(X.shape[1], bool)
    sig[10:20] = True
    w = poisson_weights(X, navigation_mask=nav, signal_mask=sig)
    sub = X[~nav][:, ~sig]
    np.testing.assert_allclose(w.root_aG, np.sqrt(sub.sum(1)))
    np.testing.assert_allclose(w.root_bH, np.sqrt(sub.sum(0)))


def test_sparse_data_stay_finite_and_bounded():
    """All-zero pixels/channels and tiny float32 values: no NaN/inf (hyperspy#3169)."""
    rng = np.random.default_rng(0)
    X = (rng.uniform(size=(50, 40)) < 0.02).astype(np.float32) * 1e-30
    X[3] = 0.0
    X[:, 7] = 0.0
    w = poisson_weights(X)
    assert w.root_aG[3] == 1.0 and w.root_bH[7] == 1.0
    D = poisson_normalise(X, w)
    assert np.isfinite(D).all()
    assert D.min() >= 0 and D.max() <= 1.0 + 1e-6  # D_ij <= sqrt(aG_i bH_j)
    assert np.all(D[3] == 0)


def test_zero_sums_replaced_by_one():
    w = weights_from_sums(np.array([0.0, 4.0, -0.0]), np.array([9.0, 0.0]))
    np.testing.assert_array_equal(w.root_aG, [1.0, 2.0, 1.0])
    np.testing.assert_array_equal(w.root_bH, [3.0, 1.0])


def test_negative_data_raise_and_name_the_problem():
    X = np.ones((5, 4))
    X[2, 1] = -1.0
    with pytest.raises(ValueError, match="non-negative.*1 negative"):
        poisson_weights(X)


def test_nan_raises():
    X = np.ones((5, 4))
    X[0, 0] = np.nan
    with pytest.raises(ValueError, match="1 NaN/inf"):
        poisson_weights(X)


def test_normalisation_round_trip(low_rank):
    X = low_rank.X
    before = X.copy()
    w = poisson_weights(X)
    work = poisson_normalise(X, w, np.float64)
    np.testing.assert_array_equal(X, before)  # the caller's array is untouched
    # a rank-full "decomposition" of the normalised data, un-normalised, gives X back
    U, S, Vt = np.linalg.svd(work, full_matrices=False)
    F, L = to_data_units(Vt.T, U * S, w, np.float64)
    np.testing.assert_allclose(L @ F.T, X, atol=1e-8)


def test_data_units_scale_factors_and_loadings():
    w = PoissonWeights(np.array([2.0, 3.0]), np.array([1.0, 4.0, 5.0]))
    F2, L2 = to_data_units(np.ones((3, 2)), np.ones((2, 2)), w, np.float32)
    assert F2.dtype == np.float32 and F2[1, 0] == 4.0 and L2[1, 1] == 3.0


def test_dask_weights_equal_numpy(low_rank):
    da = pytest.importorskip("dask.array")
    X = low_rank.X
    w = poisson_weights(X)
    wd = poisson_weights(da.from_array(X, chunks=(64, -1)))
    np.testing.assert_allclose(wd.root_aG, w.root_aG)
    np.testing.assert_allclose(wd.root_bH, w.root_bH)
    lazy = poisson_normalise(da.from_array(X.astype(float), chunks=(64, -1)), w)
    np.testing.assert_allclose(lazy, poisson_normalise(X.astype(float), w))


def test_mask_shape_error_names_expected_and_given(low_rank):
    with pytest.raises(ValueError, match=r"shape \(3,\).*\(400,\)"):
        poisson_weights(low_rank.X, navigation_mask=np.zeros(3, bool))
