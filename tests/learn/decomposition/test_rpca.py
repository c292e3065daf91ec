"""Robust PCA: low rank plus sparse spikes."""

from __future__ import annotations

import numpy as np
import pytest

from emunmix.learn.decomposition.rpca import (
    RPCAConvergenceWarning,
    robust_sigma,
    rpca,
    soft_threshold,
)


def _spiky(rng, m=300, n=80, k=3, n_spikes=40):
    low = rng.uniform(1, 2, (m, k)) @ rng.uniform(0, 1, (k, n))
    noise = 0.01 * rng.normal(size=(m, n))
    spikes = np.zeros((m, n))
    idx = rng.choice(m * n, n_spikes, replace=False)
    spikes.flat[idx] = rng.uniform(2, 5, n_spikes)
    return low, spikes, low + noise + spikes


def test_spikes_go_to_the_sparse_part(rng):
    low, spikes, X = _spiky(rng)
    r = rpca(X, 3, random_state=0)
    assert r.converged
    found = r.sparse != 0
    assert found[spikes != 0].all()  # every spike detected
    assert found.mean() < 0.01  # few false detections
    model = r.loadings @ r.factors.T
    # the low-rank part is much closer to the truth than a plain rank-3 SVD of X
    U, S, Vt = np.linalg.svd(X, full_matrices=False)
    svd_err = np.abs(U[:, :3] * S[:3] @ Vt[:3] - low).max()
    assert np.abs(model - low).max() < 0.2 * svd_err
    np.testing.assert_allclose(np.linalg.norm(r.factors, axis=0), 1.0, rtol=1e-5)


def test_input_untouched_and_reproducible(rng):
    _, _, X = _spiky(rng)
    before = X.copy()
    a = rpca(X, 3, random_state=1)
    b = rpca(X, 3, random_state=1)
    np.testing.assert_array_equal(X, before)
    np.testing.assert_array_equal(a.sparse, b.sparse)


def test_absolute_threshold_and_warning(rng):
    _, _, X = _spiky(rng)
    r = rpca(X, 3, lambda1=1e9)
    assert r.threshold == 1e9 and not r.sparse.any()
    with pytest.warns(RPCAConvergenceWarning):
        rpca(X, 3, max_iter=1, tol=0)


def test_rank_bounds(rng):
    with pytest.raises(ValueError, match="rank"):
        rpca(rng.normal(size=(10, 5)), 5)


def test_helpers():
    np.testing.assert_array_equal(soft_threshold(np.array([-3.0, 0.5, 2.0]), 1.0),
                                  [-2.0, 0.0, 1.0])
    assert robust_sigma(np.random.default_rng(0).normal(size=100000)) == pytest.approx(
        1.0, rel=0.02)
