"""Maximum-likelihood PCA with known (uneven) noise variances."""

from __future__ import annotations

import numpy as np
import pytest

from emunmix.learn.decomposition.mlpca import mlpca


def _hetero(rng, m=200, n=40, k=2):
    truth = rng.normal(size=(m, k)) @ rng.normal(size=(k, n)) * 5
    sd = np.exp(rng.uniform(-3, 1.5, (m, n)))  # standard deviations over ~2 decades
    return truth, sd**2, truth + sd * rng.normal(size=(m, n))


def test_mlpca_beats_svd_with_uneven_noise(rng):
    truth, var, X = _hetero(rng)
    r = mlpca(X, 2, var_array=var)
    assert r.converged
    fit = r.loadings @ r.factors.T
    U, S, Vt = np.linalg.svd(X, full_matrices=False)
    svd_fit = U[:, :2] * S[:2] @ Vt[:2]
    assert np.sqrt(np.mean((fit - truth) ** 2)) < 0.5 * np.sqrt(np.mean((svd_fit - truth) ** 2))
    # the weighted residual is what chi-square predicts
    assert r.objective == pytest.approx((200 - 2) * (40 - 2), rel=0.1)


def test_var_func_and_poisson_default(low_rank):
    X = low_rank.X
    a = mlpca(X, 3)
    b = mlpca(X, 3, var_func=lambda d: d)
    np.testing.assert_allclose(a.loadings @ a.factors.T, b.loadings @ b.factors.T, rtol=1e-5)
    fit = a.loadings @ a.factors.T
    assert np.sqrt(np.mean((fit - low_rank.mean) ** 2)) < 0.5 * np.sqrt(
        np.mean((X - low_rank.mean) ** 2))


def test_bad_var_array_shape(low_rank):
    with pytest.raises(ValueError, match="var_array has shape"):
        mlpca(low_rank.X, 2, var_array=np.ones((3, 3)))
    with pytest.raises(ValueError, match="between 1 and"):
        mlpca(low_rank.X, 0)
