"""Cluster kernels: dispersion, summaries, metrics and their rules."""

from __future__ import annotations

import numpy as np
import pytest

from emunmix.learn.cluster import (
    estimate_number_of_clusters,
    fit_clusterer,
    gap_best_k,
    make_clusterer,
    scale_features,
    silhouette_peaks,
    summarise_clusters,
    within_cluster_dispersion,
)
from emunmix.learn.cluster.metrics import gap_statistic, reference_sampler


def blobs(n_per=60, centres=((0, 0, 0), (6, 0, 1), (0, 7, -1), (5, 5, 5)), seed=0):
    rng = np.random.default_rng(seed)
    X = np.concatenate([rng.normal(c, 0.5, size=(n_per, len(c))) for c in centres])
    return X, np.repeat(np.arange(len(centres)), n_per)


def pairwise_dispersion(X, labels):
    """Tibshirani's W_k from its definition: sum_r D_r / (2 n_r) (HyperSpy's way)."""
    total = 0.0
    for r in np.unique(labels):
        Y = X[labels == r]
        d = ((Y[:, None, :] - Y[None, :, :]) ** 2).sum(-1)
        total += d.sum() / (2 * len(Y))
    return total


def test_dispersion_equals_pairwise_definition():
    X, labels = blobs(n_per=25)
    rng = np.random.default_rng(1)
    shuffled = rng.permutation(labels)
    for lab in (labels, shuffled, np.zeros_like(labels)):
        assert within_cluster_dispersion(X, lab) == pytest.approx(
            pairwise_dispersion(X, lab), rel=1e-10)


def test_summary_sorts_by_size_and_spreads_over_masked_pixels():
    X = np.array([[0.0], [0.2], [5.0], [5.2], [4.9], [9.0]])
    keep = np.array([True, False, True, True, True, True, True, True])
    # 6 samples for the 7 kept pixels would be wrong: check the error first
    with pytest.raises(ValueError):
        summarise_clusters(X, np.zeros(6, int), 8, keep)
    keep = np.array([True, False, True, True, True, True, False, True])
    out = summarise_clusters(X, np.array([2, 2, 0, 0, 0, 1]), 8, keep)
    assert out.labels.sum(1).tolist() == [3, 2, 1]  # largest first
    assert out.labels[:, [1, 6]].sum() == 0  # excluded pixels belong to none
    np.testing.assert_allclose(out.centroids.ravel(), [(5.0 + 5.2 + 4.9) / 3, 0.1, 9.0])
    assert np.isnan(out.distances[:, [1, 6]]).all()
    np.testing.assert_allclose(out.distances[2, 7], 0.0)
    np.testing.assert_allclose(out.distances[1, 0], 0.1)
    assert out.closest.tolist() == [3, 0, 7]  # flat pixel indices
    with pytest.raises(ValueError, match="no members"):
        summarise_clusters(X, np.array([0, 0, 2, 2, 2, 2]))


def test_scaling_names_and_errors():
    X = np.array([[3.0, 4.0], [6.0, 8.0], [0.0, 2.0]])
    np.testing.assert_allclose(np.linalg.norm(scale_features(X, "norm"), axis=1), 1.0)
    st = scale_features(X, "standard")
    np.testing.assert_allclose(st.mean(0), 0.0, atol=1e-12)
    np.testing.assert_allclose(st.std(0), 1.0)
    mm = scale_features(X, "minmax")
    assert mm.min() == 0.0 and mm.max() == 1.0
    np.testing.assert_array_equal(scale_features(X, None), X)
    with pytest.raises(ValueError, match="unknown preprocessing"):
        scale_features(X, "zscore")
    with pytest.raises(ValueError, match="fit_transform"):
        scale_features(X, object())


def test_clusterer_errors():
    with pytest.raises(ValueError, match="unknown clustering algorithm"):
        make_clusterer("dbscan2")
    with pytest.raises(ValueError, match="does not take"):
        make_clusterer("kmeans", n_cluster=3)
    with pytest.raises(ValueError, match="fit"):
        make_clusterer(42)

    class NoLabels:
        def fit(self, X):
            return self

    with pytest.raises(ValueError, match="labels_"):
        fit_clusterer(NoLabels(), np.zeros((4, 2)))


def test_kmeans_recovers_blobs_and_is_reproducible():
    from sklearn.metrics import adjusted_rand_score

    X, truth = blobs()
    a = fit_clusterer(make_clusterer("kmeans", random_state=3, n_clusters=4, n_init=4), X)
    b = fit_clusterer(make_clusterer("kmeans", random_state=3, n_clusters=4, n_init=4), X)
    np.testing.assert_array_equal(a, b)
    assert adjusted_rand_score(truth, a) == 1.0


def test_gap_rule_and_silhouette_peaks():
    assert gap_best_k([0.1, 0.5, 0.9, 0.85, 0.8], [0.01] * 5, [1, 2, 3, 4, 5]) == 3
    # never the smallest k; the second one when nothing qualifies
    assert gap_best_k([0.0, 1.0, 2.0, 3.0], [0.0] * 4, [1, 2, 3, 4]) == 2
    # the error bar lets an almost-flat step count
    assert gap_best_k([0.1, 0.5, 0.9, 0.95], [0.0, 0.0, 0.0, 0.1], [1, 2, 3, 4]) == 3
    assert silhouette_peaks([0.5, 0.7, 0.6, 0.65, 0.6], [2, 3, 4, 5, 6]) == [3, 5]
    assert silhouette_peaks([0.9, 0.7, 0.6], [2, 3, 4]) == [2]
    assert silhouette_peaks([0.1, 0.2, 0.3], [2, 3, 4]) == [2]  # no peak: the first


def test_diagonal_reference_is_hyperspys_line():
    X, _ = blobs(n_per=10)
    R = reference_sampler(X, "diagonal")(np.random.default_rng(0))
    for j in range(X.shape[1]):
        np.testing.assert_allclose(R[:, j], np.linspace(X[:, j].min(), X[:, j].max(),
                                                        X.shape[0]))
    U = reference_sampler(X, "uniform")(np.random.default_rng(0))
    assert (U.min(0) >= X.min(0)).all() and (U.max(0) <= X.max(0)).all()
    P = reference_sampler(X, "pca")(np.random.default_rng(0))
    assert P.shape == X.shape
    with pytest.raises(ValueError, match="reference"):
        reference_sampler(X, "gaussian")


def test_gap_matches_an_independent_computation():
    """log W from the pairwise definition on the data; the reference as HyperSpy builds
    it (scikit-learn k-means of the evenly spaced diagonal points, in d dimensions)."""
    from sklearn.cluster import KMeans

    X, _ = blobs(n_per=20)
    ks = [1, 2, 3, 4, 5]
    gap, s = gap_statistic(X, ks, "kmeans", n_ref=3, random_state=5, n_init=1)
    rng = np.random.default_rng(5)  # the data fits draw their seeds first, in this order
    data = []
    for k in ks:
        lab = KMeans(k, n_init=1, random_state=int(rng.integers(2**31 - 1))).fit(X).labels_
        data.append(np.log(pairwise_dispersion(X, lab)))
    np.testing.assert_allclose(gap[0] + data[0], np.log(pairwise_dispersion(
        np.linspace(X.min(0), X.max(0), num=X.shape[0]), np.zeros(80, int))), rtol=1e-12)
    assert (s >= 0).all() and s[0] == pytest.approx(0.0, abs=1e-9)  # k=1: no randomness
    # the reference over many draws: the mean log W of single-start scikit-learn runs on
    # the d-dimensional diagonal points, as HyperSpy computes it
    many, _ = gap_statistic(X, ks, "kmeans", n_ref=40, random_state=1, n_init=1)
    line = np.linspace(X.min(0), X.max(0), num=X.shape[0])
    hs_ref = np.array([np.mean([np.log(KMeans(k, n_init=1, random_state=i).fit(line).inertia_)
                                for i in range(40)]) for k in ks])
    data1 = many  # gap = ref - data: compare the references through the data W
    rng = np.random.default_rng(1)
    w1 = [np.log(pairwise_dispersion(X, KMeans(k, n_init=1, random_state=int(
        rng.integers(2**31 - 1))).fit(X).labels_)) for k in ks]
    np.testing.assert_allclose(data1 + np.array(w1), hs_ref, atol=0.02)


def test_line_kmeans_equals_kmeans_of_the_collinear_points():
    from sklearn.cluster import KMeans

    from emunmix.learn.cluster.line_kmeans import kmeans_line_dispersion

    lo, hi = np.array([0.0, -1.0, 2.0]), np.array([3.0, 1.0, 2.5])
    n = 500
    t = np.linspace(0.0, np.linalg.norm(hi - lo), n)
    X = np.linspace(lo, hi, n)
    for k in range(1, 7):
        ours = [kmeans_line_dispersion(t, k, np.random.default_rng(i)) for i in range(5)]
        best = KMeans(k, n_init=10, random_state=0).fit(X).inertia_
        assert min(ours) == pytest.approx(best, rel=5e-3), k  # Lloyd stops at tol
        assert max(ours) <= 1.1 * best
    # uneven points: k-means converges to the two groups
    t2 = np.sort(np.concatenate([np.linspace(0, 1, 50), np.linspace(10, 11, 50)]))
    w = kmeans_line_dispersion(t2, 2, np.random.default_rng(0))
    assert w == pytest.approx(2 * within_cluster_dispersion(t2[:50, None], np.zeros(50, int)))


@pytest.mark.parametrize("metric", ["gap", "silhouette", "elbow"])
def test_estimate_finds_four_blobs(metric):
    """Compact round blobs: Tibshirani's uniform reference (HyperSpy's diagonal line
    falls faster than round clusters do and stops at 2 here; see the next test)."""
    X, _ = blobs()
    kw = {"reference": "uniform"} if metric == "gap" else {}
    out = estimate_number_of_clusters(X, 8, metric=metric, random_state=0, **kw)
    best = out.best[0] if isinstance(out.best, list) else out.best
    assert best == 4
    assert out.k[0] == (2 if metric == "silhouette" else 1) and out.k[-1] == 8
    assert len(out.values) == len(out.k)
    again = estimate_number_of_clusters(X, 8, metric=metric, random_state=0, **kw)
    np.testing.assert_array_equal(out.values, again.values)


def test_diagonal_reference_stops_early_on_round_blobs():
    """HyperSpy 2.5's reference (documented limitation, kept for the same estimates)."""
    X, _ = blobs()
    out = estimate_number_of_clusters(X, 8, metric="gap", random_state=0)
    assert out.best == 2
    assert int(np.argmax(out.values)) + 1 == 4  # the gap itself peaks at the truth


def test_estimate_errors():
    X, _ = blobs(n_per=3)
    with pytest.raises(ValueError, match="max_clusters"):
        estimate_number_of_clusters(X, 1)
    with pytest.raises(ValueError, match="more than the 12 pixels"):
        estimate_number_of_clusters(X, 13)
    with pytest.raises(ValueError, match="unknown metric"):
        estimate_number_of_clusters(X, 3, metric="bic")
    with pytest.raises(ValueError, match="n_ref"):
        estimate_number_of_clusters(X, 3, n_ref=1)
    with pytest.raises(ValueError, match="algorithm name"):
        estimate_number_of_clusters(X, 3, algorithm=make_clusterer("kmeans"))
