"""Cluster results travel with the signal through .hspy/.zspy (ours and HyperSpy's)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

import emunmix.api as hs
from emunmix.learn.results import LearningResults

DATA = Path(__file__).resolve().parents[1] / "data"
FIELDS = ("cluster_labels", "cluster_centroids", "cluster_sum_signals",
          "cluster_centroid_signals", "cluster_distances", "cluster_metric_data")


def _fixture_module():
    spec = importlib.util.spec_from_file_location("make_cluster_fixture",
                                                  DATA / "make_cluster_fixture.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("ext", ["hspy", "zspy"])
def test_cluster_results_round_trip(tmp_path, ext):
    s = hs.datasets.PHASES(shape=(10, 12))
    s.decomposition(True, output_dimension=5, print_info=False)
    s.estimate_number_of_clusters("decomposition", number_of_components=4, max_clusters=5,
                                  metric="silhouette", random_state=0,
                                  show_progressbar=False)
    mask = np.zeros((10, 12), bool)
    mask[0, :3] = True
    s.cluster_analysis("decomposition", number_of_components=4, n_clusters=4,
                       navigation_mask=mask, random_state=0)
    s.save(tmp_path / f"s.{ext}")
    t = hs.load(tmp_path / f"s.{ext}")
    a, b = s.learning_results, t.learning_results
    for name in FIELDS:
        np.testing.assert_array_equal(np.asarray(getattr(b, name)),
                                      np.asarray(getattr(a, name)), err_msg=name)
    assert b.cluster_labels.dtype == bool
    assert b.number_of_clusters == 4 and b.cluster_algorithm == "kmeans"
    assert b.cluster_metric == "silhouette"
    assert b.cluster_metric_index == [2, 3, 4, 5]
    assert isinstance(b.estimated_number_of_clusters, list)
    assert b.estimated_number_of_clusters == a.estimated_number_of_clusters
    assert b.cluster_parameters["number_of_components"] == 4
    np.testing.assert_array_equal(t.get_cluster_labels(merged=True).data,
                                  s.get_cluster_labels(merged=True).data)


def test_npz_round_trip(tmp_path):
    s = hs.datasets.PHASES(shape=(6, 7))
    s.estimate_number_of_clusters("signal", max_clusters=4, random_state=0,
                                  show_progressbar=False)
    s.cluster_analysis("signal", n_clusters=3, random_state=0)
    path = s.learning_results.save(tmp_path / "lr")
    back = LearningResults.load(path)
    for name in FIELDS:
        np.testing.assert_array_equal(getattr(back, name), getattr(s.learning_results, name))
    assert back.cluster_metric_index == [1, 2, 3, 4]
    assert isinstance(back.estimated_number_of_clusters, int)


def test_hyperspy_written_cluster_results_load():
    t = hs.load(DATA / "hs_cluster.hspy")
    lr = t.learning_results
    _, phases = _fixture_module().phases()
    assert lr.number_of_clusters == 3 and lr.cluster_labels.shape == (3, 48)
    assert lr.cluster_metric == "elbow" and lr.cluster_metric_index == [1, 2, 3, 4, 5]
    assert lr.estimated_number_of_clusters == 3
    merged = t.get_cluster_labels(merged=True).data
    # the same partition as the true phases (cluster numbers may differ)
    from sklearn.metrics import adjusted_rand_score

    assert adjusted_rand_score(phases.ravel(), merged.ravel()) == 1.0
    mean = t.get_cluster_signals("mean")
    data = _fixture_module().phases()[0].reshape(48, -1)
    for i in range(3):
        np.testing.assert_allclose(mean.data[i], data[lr.cluster_labels[i]].mean(0),
                                   rtol=1e-6)
    assert mean.axes_manager.signal_axes[0].offset == 100.0
    assert t.get_cluster_distances().data.shape == (3, 6, 8)
    ax = t.plot_cluster_metric()
    assert ax.get_xlabel() == "number of clusters"
    # clustering again on HyperSpy's decomposition works and agrees
    t.cluster_analysis("decomposition", number_of_components=3, n_clusters=3,
                       preprocessing="norm", random_state=0)
    assert adjusted_rand_score(merged.ravel(),
                               t.get_cluster_labels(merged=True).data.ravel()) == 1.0
