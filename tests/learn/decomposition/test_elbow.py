"""Number of components: HyperSpy's elbow rule and the Marchenko-Pastur noise count."""

from __future__ import annotations

import numpy as np
import pytest

from emunmix.learn.decomposition.elbow import (
    auto_output_dimension,
    estimate_elbow_position,
    estimate_noise_variance,
    estimate_rank_noise,
)
from emunmix.learn.decomposition.poisson import poisson_weights
from emunmix.learn.linalg.matrix_view import MatrixView
from emunmix.learn.linalg.svd import svd


def test_elbow_is_farthest_point_from_chord():
    ratio = np.array([1.0, 0.3, 0.1, 1e-4, 9e-5, 8e-5, 7e-5, 6e-5, 5e-5, 4e-5])
    e = estimate_elbow_position(ratio, log=True)
    # direct computation of the distances of ln(ratio) to the chord 0 -> last
    y = np.log(ratio)
    x = np.arange(y.size)
    d = np.abs((y[-1] - y[0]) * x - (x[-1] - x[0]) * y + x[-1] * y[0] - y[-1] * x[0])
    assert e == int(np.argmax(d)) == 3


def test_elbow_max_points_and_linear_scale():
    ratio = np.r_[[1.0, 0.5, 0.05], np.full(30, 0.01), np.full(30, 1e-9)]
    assert estimate_elbow_position(ratio, max_points=20) == 3  # the 1e-9 floor is unseen
    assert estimate_elbow_position(ratio, max_points=100) == 33
    assert estimate_elbow_position(ratio, log=False, max_points=20) == 2


def test_elbow_errors():
    with pytest.raises(ValueError, match="at least 3"):
        estimate_elbow_position([1.0, 0.1])
    with pytest.raises(ValueError, match="NaN"):
        estimate_elbow_position([1.0, np.nan, 0.1])


def test_noise_rank_on_gaussian_low_rank(rng):
    m, n, k = 2000, 150, 5
    signal = rng.normal(size=(m, k)) @ rng.normal(size=(k, n)) * np.geomspace(2, 0.5, k)[0]
    X = signal + rng.normal(size=(m, n))
    S = np.linalg.svd(X, compute_uv=False)
    assert estimate_rank_noise(S, X.shape) == k
    # with only the leading values and the total sum of squares: same answer
    assert estimate_rank_noise(S[:20], X.shape, total_sum_of_squares=np.sum(X**2)) == k
    sigma2 = estimate_noise_variance(S, X.shape, k)
    assert sigma2 == pytest.approx(1.0, rel=0.05)


def test_pure_noise_has_rank_zero(rng):
    X = rng.normal(size=(1000, 100))
    assert estimate_rank_noise(np.linalg.svd(X, compute_uv=False), X.shape) == 0


def _scree(ds, poisson):
    X = ds.data.reshape(-1, ds.data.shape[-1])
    view = MatrixView(X)
    if poisson:
        w = poisson_weights(X)
        view = MatrixView(X, row_scale=w.root_aG, col_scale=w.root_bH)
    S = svd(view).singular_values
    return S, S**2 / np.sum(S**2), view.shape


def test_cl1_poisson_elbow_and_noise_rank_are_four(cl1):
    S, ratio, shape = _scree(cl1, poisson=True)
    assert estimate_elbow_position(ratio) == 4
    assert estimate_rank_noise(S, shape) == 4
    assert auto_output_dimension(ratio, S, shape, poisson_normalised=True) == (
        4, "marchenko-pastur")
    assert auto_output_dimension(ratio, poisson_normalised=False) == (4, "elbow")


def test_cl2_noiseless_rank(cl2):
    S, ratio, shape = _scree(cl2, poisson=True)
    assert estimate_rank_noise(S, shape) == len(cl2.truth.spectra)


def test_auto_falls_back_to_elbow_and_validates():
    ratio = np.array([1.0, 0.1, 1e-5, 1e-5, 1e-5])
    assert auto_output_dimension(ratio) == (2, "elbow")
    with pytest.raises(ValueError, match="method"):
        auto_output_dimension(ratio, method="guess")
    with pytest.raises(ValueError, match="singular_values"):
        auto_output_dimension(ratio, method="noise")
