import warnings

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment
from scipy.stats import ortho_group
from sklearn.decomposition import PCA, FastICA

from emunmix.learn.bss.ica import (
    BSSConvergenceWarning,
    UnmixingResult,
    estimator_unmixing,
    fastica_unmixing,
    orthomax,
    orthomax_unmixing,
)
from emunmix.learn.bss.separate import BSS
from emunmix.learn.bss.whiten import whiten


def _match(estimated, truth):
    """|corr| of the best one-to-one matching of columns."""
    k = truth.shape[1]
    C = np.abs(np.corrcoef(estimated.T, truth.T)[:k, k:])
    rows, cols = linear_sum_assignment(-C)
    return C[rows, cols]


def _simple_structure(p=200, k=4, seed=0):
    """Each row has one non-zero entry: the structure orthomax recovers exactly."""
    rng = np.random.default_rng(seed)
    A = np.zeros((p, k))
    A[np.arange(p), rng.integers(k, size=p)] = rng.uniform(0.5, 2.0, size=p)
    return A


@pytest.mark.parametrize("gamma", [1.0, 0.0])
def test_orthomax_recovers_rotated_sparse_matrix(gamma):
    A = _simple_structure()
    Q = ortho_group.rvs(4, random_state=3)
    rotated, R = orthomax(A @ Q, gamma=gamma)
    np.testing.assert_allclose(R @ R.T, np.eye(4), atol=1e-12)
    np.testing.assert_allclose(rotated, A @ Q @ R)
    # Up to sign and permutation the columns are those of A.
    C = np.abs(rotated.T @ A) / np.outer(np.linalg.norm(rotated, axis=0), np.linalg.norm(A, axis=0))
    rows, cols = linear_sum_assignment(-C)
    np.testing.assert_allclose(C[rows, cols], 1.0, atol=1e-9)


def test_orthomax_unmixing_and_nonconvergence_warning():
    A = _simple_structure()
    Q = ortho_group.rvs(4, random_state=1)
    res = orthomax_unmixing(A @ Q)
    assert res.converged and res.n_iter >= 1
    assert np.all(_match(A @ Q @ res.unmixing.T, A) > 1 - 1e-9)
    with pytest.warns(BSSConvergenceWarning, match="max_iter"):
        res = orthomax_unmixing(A @ Q, max_iter=1)
    assert res.converged is False


@pytest.fixture
def whitened_laplace():
    rng = np.random.default_rng(0)
    S = rng.laplace(size=(3000, 3))
    X, _ = whiten(S @ rng.normal(size=(3, 3)))
    return S, X


def test_fastica_unmixing_recovers_sources(whitened_laplace):
    S, X = whitened_laplace
    res = fastica_unmixing(X, random_state=0)
    assert isinstance(res, UnmixingResult)
    assert res.unmixing.shape == (3, 3) and res.converged and res.n_iter > 0
    assert np.all(_match(X @ res.unmixing.T, S) > 0.99)


@pytest.mark.parametrize("fun", ["exp", "cube"])
def test_fastica_other_contrasts(whitened_laplace, fun):
    S, X = whitened_laplace
    res = fastica_unmixing(X, random_state=0, fun=fun)
    assert np.all(_match(X @ res.unmixing.T, S) > 0.98)


def test_fastica_is_reproducible(whitened_laplace):
    _, X = whitened_laplace
    a = fastica_unmixing(X, random_state=7).unmixing
    b = fastica_unmixing(X, random_state=7).unmixing
    np.testing.assert_array_equal(a, b)
    g1 = fastica_unmixing(X, random_state=np.random.default_rng(5)).unmixing
    g2 = fastica_unmixing(X, random_state=np.random.default_rng(5)).unmixing
    np.testing.assert_array_equal(g1, g2)


def test_fastica_nonconvergence_says_what_to_try(whitened_laplace):
    _, X = whitened_laplace
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = fastica_unmixing(X, random_state=0, max_iter=2)
    assert res.converged is False
    assert len(caught) == 1  # scikit-learn's own warning is replaced, not doubled
    w = caught[0]
    assert issubclass(w.category, UserWarning) and w.category is BSSConvergenceWarning
    msg = str(w.message)
    for hint in ("max_iter", "random_state", "fewer components", "diff_order"):
        assert hint in msg


def test_estimator_object(whitened_laplace):
    S, X = whitened_laplace
    res = estimator_unmixing(FastICA(whiten=False, random_state=0, max_iter=1000), X)
    assert np.all(_match(X @ res.unmixing.T, S) > 0.99)
    assert res.n_iter is not None


def test_estimator_random_state_does_not_modify_caller(whitened_laplace):
    _, X = whitened_laplace
    est = FastICA(whiten=False, random_state=None, max_iter=1000)
    a = estimator_unmixing(est, X, random_state=3).unmixing
    b = estimator_unmixing(est, X, random_state=3).unmixing
    np.testing.assert_array_equal(a, b)
    assert est.random_state is None


def test_estimator_errors(whitened_laplace):
    _, X = whitened_laplace
    with pytest.raises(TypeError, match="fit"):
        estimator_unmixing(object(), X)
    with pytest.raises(ValueError, match=r"\(3, 3\)"):
        estimator_unmixing(PCA(n_components=2), X)


def test_registry_names_and_aliases():
    assert BSS.names() == ["sklearn_fastica", "orthomax"]
    assert BSS.get("FastICA").kernel is fastica_unmixing
    assert BSS.canonical("fastica") == "sklearn_fastica"
    assert BSS.get("ORTHOMAX").kernel is orthomax_unmixing
    with pytest.raises(ValueError, match="sklearn_fastica"):
        BSS.get("jade")
