"""The examples of HyperSpy 2.5's clustering user guide run unchanged, with the answers
its text gives (3 blobs; 2 classes of peak-position ratios)."""

from __future__ import annotations

import matplotlib
import numpy as np
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score

import emunmix.api as hs

matplotlib.use("Agg")


def test_clustering_decomposition_results_of_blobs():
    data, truth = make_blobs(n_samples=1000, n_features=100, centers=3, shuffle=False,
                             random_state=1)
    s = hs.signals.Signal1D(data.reshape(50, 20, 100))
    s.decomposition(print_info=False)
    s.cluster_analysis(cluster_source="decomposition", number_of_components=3,
                       preprocessing=None, n_clusters=3)
    assert adjusted_rand_score(truth, s.get_cluster_labels(merged=True).data.ravel()) == 1
    assert s.plot_cluster_labels(axes_decor="off") is not None
    assert s.estimate_number_of_clusters(cluster_source="decomposition", metric="gap",
                                         random_state=0) == 3
    ax = s.plot_cluster_metric()
    assert ax.get_xlabel() == "number of clusters" and ax.get_ylabel() == "gap_metric"
    assert s.estimate_number_of_clusters("decomposition", metric="elbow",
                                         random_state=0) == 3
    assert s.estimate_number_of_clusters("decomposition", metric="silhouette",
                                         random_state=0)[0] == 3


def test_clustering_with_another_signal_as_source():
    rng = np.random.default_rng(0)
    rows = np.where(np.arange(64)[:, None] < 32, 0.4, 0.8) * np.ones((64, 64))
    cols = np.where(np.arange(64)[None, :] < 32, 0.5, 2.0) * np.ones((64, 64))
    centre1 = rows + rng.normal(size=(64, 64)) * 0.01
    centre0 = rows * cols + rng.normal(size=(64, 64)) * 0.01
    stack = hs.stack([hs.signals.Signal2D(centre1), hs.signals.Signal2D(centre0)])
    s = hs.signals.Signal1D(rng.random((64, 64, 50)))
    assert s.estimate_number_of_clusters(cluster_source=stack.T, preprocessing="norm",
                                         random_state=0, show_progressbar=False) == 2
    s.cluster_analysis(cluster_source=stack.T, source_for_centers=s, n_clusters=2,
                       preprocessing="norm", random_state=0)
    # the ratio of the two peak positions, not the positions, separates the clusters
    truth = (cols > 1).ravel()
    assert adjusted_rand_score(truth, s.get_cluster_labels(merged=True).data.ravel()) == 1
    centroid = s.get_cluster_signals(signal="centroid")
    assert centroid.data.shape == (2, 50)
    assert s.plot_cluster_signals(signal="mean") is not None
