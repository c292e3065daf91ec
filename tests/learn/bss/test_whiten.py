import numpy as np
import pytest

from emunmix.learn.bss.whiten import whiten


@pytest.fixture
def correlated():
    rng = np.random.default_rng(1)
    return rng.normal(size=(2000, 4)) @ rng.normal(size=(4, 4)) + 5.0


@pytest.mark.parametrize("method", ["PCA", "ZCA", "pca", "zca"])
def test_whitened_data_has_identity_covariance(correlated, method):
    Y, W = whiten(correlated, method=method)
    assert Y.shape == correlated.shape and W.shape == (4, 4)
    np.testing.assert_allclose(Y.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(Y.T @ Y / len(Y), np.eye(4), atol=1e-8)


def test_whitening_matrix_maps_centred_data(correlated):
    Y, W = whiten(correlated)
    np.testing.assert_allclose(Y, (correlated - correlated.mean(axis=0)) @ W.T)


def test_pca_and_zca_formulas(correlated):
    Yc = correlated - correlated.mean(axis=0)
    U, S, _ = np.linalg.svd(Yc.T @ Yc / len(Yc))
    _, W_pca = whiten(correlated, "PCA")
    _, W_zca = whiten(correlated, "ZCA")
    np.testing.assert_allclose(W_pca, np.diag(1 / np.sqrt(S + 1e-10)) @ U.T)
    np.testing.assert_allclose(W_zca, U @ np.diag(1 / np.sqrt(S + 1e-10)) @ U.T)
    np.testing.assert_allclose(W_zca, W_zca.T, atol=1e-12)


def test_epsilon_regularises_rank_deficient_data():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(100, 2))
    X = np.column_stack([a, a[:, 0]])  # third column duplicates the first
    Y, W = whiten(X, epsilon=1e-6)
    assert np.all(np.isfinite(Y)) and np.all(np.isfinite(W))


def test_unknown_method_lists_known_ones(correlated):
    with pytest.raises(ValueError, match="'PCA', 'ZCA'"):
        whiten(correlated, method="cholesky")


def test_rejects_non_2d():
    with pytest.raises(ValueError, match="2-D"):
        whiten(np.arange(10.0))
