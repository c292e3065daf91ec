"""Matching estimated to true components."""

from __future__ import annotations

import numpy as np
import pytest

from emunmix.learn.metrics import correlation_matrix, match_components, mean_matched_correlation


def test_permutation_sign_and_scale_are_undone(rng):
    truth = rng.normal(size=(4, 100))
    est = np.stack([-3 * truth[2], 0.5 * truth[0], truth[3] + 1.0, 2 * truth[1]])
    order, corr = match_components(est, truth)
    np.testing.assert_array_equal(order, [1, 3, 0, 2])
    np.testing.assert_allclose(corr, 1.0)
    assert mean_matched_correlation(est, truth) == pytest.approx(1.0)


def test_extra_estimated_components_are_ignored(rng):
    truth = rng.normal(size=(2, 50))
    est = np.vstack([rng.normal(size=(3, 50)), truth[::-1]])
    order, corr = match_components(est, truth)
    np.testing.assert_array_equal(order, [4, 3])
    np.testing.assert_allclose(corr, 1.0)


def test_images_are_flattened_and_constants_score_zero(rng):
    truth = rng.normal(size=(2, 8, 8))
    C = correlation_matrix(np.zeros((1, 8, 8)), truth)
    assert C.shape == (1, 2) and np.all(C == 0)


def test_nan_rejected():
    with pytest.raises(ValueError, match="NaN"):
        match_components(np.array([[np.nan, 1.0]]), np.array([[1.0, 2.0]]))
