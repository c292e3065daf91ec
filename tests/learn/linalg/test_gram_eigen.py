"""GramEigen: staged eigendecomposition checked against scipy.linalg.eigh."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg

from emunmix.learn.linalg.gram_eigen import SUBSET_MAX, GramEigen


def _gram(m, n, seed=0):
    rng = np.random.default_rng(seed)
    # a few strong components over noise: the spectrum of a spectrum image's Gram matrix
    A = rng.normal(size=(m, 3)) @ rng.normal(size=(3, n)) * 30 + rng.normal(size=(m, n))
    return A.T @ A


def _reference(G):
    w, V = scipy.linalg.eigh(G)
    return w[::-1], V[:, ::-1]


@pytest.mark.parametrize("n", [1, 2, 5, 60])
def test_eigenvalues_match_eigh(n):
    G = _gram(200, n)
    w, _ = _reference(G)
    eig = GramEigen(G)
    np.testing.assert_allclose(eig.eigenvalues, np.clip(w, 0, None), rtol=1e-10,
                               atol=1e-12 * w[0])
    assert np.all(np.diff(eig.eigenvalues) <= 0)


@pytest.mark.parametrize("start, stop", [(0, 3), (0, 60), (3, 60), (10, 20), (59, 60)])
def test_vectors_are_eigenvectors_in_order(start, stop):
    G = _gram(200, 60)
    w, V = _reference(G)
    eig = GramEigen(G)
    Z = eig.vectors(start, stop)
    assert Z.shape == (60, stop - start)
    np.testing.assert_allclose(G @ Z, Z * eig.eigenvalues[start:stop], atol=1e-9 * w[0])
    np.testing.assert_allclose(Z.T @ Z, np.eye(stop - start), atol=1e-10)
    # the well-separated leading ones equal eigh's up to sign
    lead = [i for i in range(start, min(stop, 3))]
    for i in lead:
        assert abs(abs(Z[:, i - start] @ V[:, i]) - 1) < 1e-10


def test_vectors_from_separate_calls_are_orthogonal_and_subset_path_agrees():
    n = SUBSET_MAX + 72  # the rest is computed by the "all vectors" path
    G = _gram(600, n, seed=3)
    eig = GramEigen(G)
    head = eig.vectors(0, 32)  # MRRR subset
    rest = eig.vectors(32, n)  # all vectors, sliced
    V = np.hstack([head, rest])
    np.testing.assert_allclose(V.T @ V, np.eye(n), atol=1e-9)
    # both paths give the same vectors for the same range (up to sign)
    again = eig.vectors(32, 40)
    assert np.allclose(np.abs(np.sum(again * rest[:, :8], axis=0)), 1, atol=1e-8)


def test_input_is_not_modified_and_c_or_fortran_order_agree():
    G = _gram(100, 20)
    before = G.copy()
    a = GramEigen(G)
    assert np.array_equal(G, before)
    b = GramEigen(np.asfortranarray(G))
    np.testing.assert_allclose(a.eigenvalues, b.eigenvalues, rtol=1e-12)


def test_rank_deficient_gram_gives_non_negative_eigenvalues():
    A = np.random.default_rng(1).normal(size=(5, 30))  # rank 5 < 30
    eig = GramEigen(A.T @ A)
    assert np.all(eig.eigenvalues >= 0)
    assert np.sum(eig.eigenvalues > 1e-8 * eig.eigenvalues[0]) == 5


def test_bad_arguments():
    with pytest.raises(ValueError, match="square"):
        GramEigen(np.ones((3, 4)))
    eig = GramEigen(_gram(50, 10))
    with pytest.raises(ValueError, match="start <= stop"):
        eig.vectors(5, 3)
    with pytest.raises(ValueError, match="stop <= 10"):
        eig.vectors(0, 11)
    assert eig.vectors(4, 4).shape == (10, 0)


def test_threaded_and_single_thread_paths_agree(monkeypatch):
    import emunmix.learn.linalg.gram_eigen as ge

    G = _gram(300, 80, seed=5)
    single = GramEigen(G)
    monkeypatch.setattr(ge, "SINGLE_THREAD_MAX", 10)  # 80 > 10: the threaded path
    threaded = GramEigen(G)
    np.testing.assert_allclose(threaded.eigenvalues, single.eigenvalues, rtol=1e-12)
    V1, V2 = single.vectors(0, 5), threaded.vectors(0, 5)
    np.testing.assert_allclose(np.abs(np.sum(V1 * V2, axis=0)), 1, atol=1e-10)
