"""s.cluster_analysis / estimate_number_of_clusters and their results (HyperSpy names)."""

from __future__ import annotations

import copy

import matplotlib
import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

import emunmix.api as hs

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def phases():
    """A 24 x 30 easy phase map, decomposed (Poisson SVD, 6 components)."""
    s, truth = hs.datasets.PHASES(return_truth=True, shape=(24, 30), random_state=3)
    s.decomposition(True, output_dimension=6, print_info=False)
    return s, truth


def fresh(phases):
    s, truth = phases
    t = s.deepcopy() if hasattr(s, "deepcopy") else copy.deepcopy(s)
    return t, truth


def test_clusters_recover_phase_labels(phases):
    s, truth = fresh(phases)
    est = s.cluster_analysis("decomposition", number_of_components=4, n_clusters=4,
                             preprocessing="norm", random_state=0, return_info=True)
    assert hasattr(est, "inertia_")
    merged = s.get_cluster_labels(merged=True)
    assert merged.data.shape == (24, 30)
    assert adjusted_rand_score(truth.labels.ravel(), merged.data.ravel()) >= 0.95
    lr = s.learning_results
    assert lr.number_of_clusters == 4 and lr.cluster_algorithm == "kmeans"
    sizes = lr.cluster_labels.sum(1)
    assert (np.diff(sizes) <= 0).all()  # largest first
    assert lr.cluster_labels.sum(0).tolist() == [1] * 720  # one cluster per pixel


def test_cluster_signals_sums_and_centroids(phases):
    s, _ = fresh(phases)
    s.cluster_analysis("signal", n_clusters=4, preprocessing="norm", random_state=0)
    lr = s.learning_results
    D = s.data.reshape(720, -1).astype(float)
    np.testing.assert_allclose(lr.cluster_sum_signals, lr.cluster_labels @ D, rtol=1e-10)
    mean = s.get_cluster_signals("mean")
    assert mean.axes_manager.navigation_shape == (4,)
    assert mean.axes_manager.signal_axes[0].units == "keV"
    np.testing.assert_allclose(mean.data, (lr.cluster_labels @ D)
                               / lr.cluster_labels.sum(1, keepdims=True), rtol=1e-10)
    # centroid signal: the data of the pixel nearest the centroid (in normalised features)
    X = D / np.linalg.norm(D, axis=1, keepdims=True)
    for i in range(4):
        nearest = np.argmin(np.linalg.norm(X - lr.cluster_centroids[i], axis=1))
        np.testing.assert_array_equal(lr.cluster_centroid_signals[i], D[nearest])
        np.testing.assert_allclose(lr.cluster_distances[i],
                                   np.linalg.norm(X - lr.cluster_centroids[i], axis=1),
                                   atol=1e-6)
    assert s.get_cluster_signals("sum").data.sum() == pytest.approx(D.sum())


def test_decomposition_centres_are_the_model_of_the_clustered_components(phases):
    s, _ = fresh(phases)
    s.cluster_analysis("decomposition", number_of_components=4, n_clusters=4,
                       random_state=0)
    lr = s.learning_results
    model = s.get_decomposition_model(4).data.reshape(720, -1)
    np.testing.assert_allclose(lr.cluster_sum_signals, lr.cluster_labels @ model,
                               rtol=1e-6, atol=1e-6)
    assert lr.cluster_centroids.shape == (4, 4)
    assert lr.cluster_parameters["number_of_components"] == 4


def test_navigation_mask_excludes_pixels(phases):
    s, _ = fresh(phases)
    mask = np.zeros((24, 30), bool)
    mask[:5] = True
    s.cluster_analysis("decomposition", number_of_components=4, n_clusters=4,
                       navigation_mask=mask, random_state=0)
    merged = s.get_cluster_labels(merged=True).data
    assert (merged[:5] == -1).all() and (merged[5:] >= 0).all()
    d = s.get_cluster_distances().data
    assert d.shape == (4, 24, 30) and np.isnan(d[:, :5]).all()
    assert not np.isnan(d[:, 5:]).any()


def test_signal_mask_and_other_signal_source(phases):
    s, truth = fresh(phases)
    other = s.deepcopy() if hasattr(s, "deepcopy") else copy.deepcopy(s)
    sig_mask = np.zeros(512, bool)
    sig_mask[400:] = True  # clustering on channels below 8.1 keV (all the K lines)
    s.cluster_analysis(other, n_clusters=4, signal_mask=sig_mask, preprocessing="norm",
                       random_state=0)
    assert adjusted_rand_score(truth.labels.ravel(),
                               s.get_cluster_labels(merged=True).data.ravel()) > 0.9
    # the sums use every channel of the source
    assert s.learning_results.cluster_sum_signals.shape == (4, 512)


def test_other_algorithms_and_estimators(phases):
    from sklearn.cluster import AgglomerativeClustering

    s, truth = fresh(phases)
    for algorithm in ("agglomerative", "minibatchkmeans",
                      AgglomerativeClustering(n_clusters=4)):
        kw = {} if not isinstance(algorithm, str) else {"n_clusters": 4}
        s.cluster_analysis("decomposition", number_of_components=4, algorithm=algorithm,
                           preprocessing="norm", random_state=0, **kw)
        labels = s.get_cluster_labels(merged=True).data.ravel()
        assert adjusted_rand_score(truth.labels.ravel(), labels) > 0.9, algorithm


@pytest.fixture(scope="module")
def phases64():
    """The standard 64 x 64 easy dataset, decomposed (Poisson SVD, 8 components)."""
    s, truth = hs.datasets.PHASES(return_truth=True)
    s.decomposition(True, output_dimension=8, print_info=False)
    return s, truth


def test_full_dataset_labels_meet_the_accuracy_bar(phases64):
    """Issue 11: ARI >= 0.95 on the easy dataset (all pixels, boundaries included)."""
    s, truth = fresh(phases64)
    s.cluster_analysis("decomposition", n_clusters=truth.n_phases, preprocessing="norm",
                       random_state=0)
    assert s.learning_results.cluster_parameters["number_of_components"] == 4  # its estimate
    labels = s.get_cluster_labels(merged=True).data.ravel()
    assert adjusted_rand_score(truth.labels.ravel(), labels) >= 0.95


def test_estimate_number_of_clusters_finds_the_phases(phases64):
    s, truth = fresh(phases64)
    for metric in ("gap", "elbow", "silhouette"):
        best = s.estimate_number_of_clusters("decomposition", max_clusters=8,
                                             metric=metric, preprocessing="norm",
                                             random_state=0, show_progressbar=False)
        lr = s.learning_results
        expected = [truth.n_phases] if metric == "silhouette" else truth.n_phases
        assert best == expected, metric
        assert lr.estimated_number_of_clusters == expected
        assert lr.cluster_metric == metric
        assert len(lr.cluster_metric_data) == len(lr.cluster_metric_index)
    ax = s.plot_cluster_metric()
    assert len(ax.lines) >= 2  # the curve and the estimate


def test_results_readers_and_plots(phases, tmp_path):
    s, _ = fresh(phases)
    s.cluster_analysis("decomposition", number_of_components=4, n_clusters=3,
                       random_state=0)
    labels = s.get_cluster_labels()
    assert labels.axes_manager.navigation_axes[0].name == "Cluster index"
    assert labels.data.shape == (3, 24, 30) and labels.data.dtype == bool
    assert labels.axes_manager.signal_axes[0].scale == 2.0
    for fig in (s.plot_cluster_labels(), s.plot_cluster_signals(),
                s.plot_cluster_distances(), s.plot_cluster_signals("centroid"),
                s.plot_cluster_results(), s.plot_cluster_map()):
        assert fig is not None
    with pytest.raises(ValueError, match="signal must be"):
        s.get_cluster_signals("median")
    paths = s.export_cluster_results(folder=tmp_path, format="hspy")
    assert len(paths) == 6
    back = hs.load(tmp_path / "cluster_label-0.hspy")
    np.testing.assert_array_equal(back.data.astype(bool), labels.data[0])
    centre = hs.load(tmp_path / "cluster_center-2.hspy")
    np.testing.assert_allclose(centre.data, s.get_cluster_signals("mean").data[2])
    with pytest.raises(FileExistsError):
        s.export_cluster_results(folder=tmp_path)
    s.export_cluster_results(folder=tmp_path, overwrite=True, multiple_files=False,
                             save_figures=True)
    assert (tmp_path / "cluster_centers.hspy").exists()
    assert (tmp_path / "cluster_labels.png").exists()


def test_readers_before_clustering_raise():
    s = hs.datasets.PHASES(shape=(6, 6))
    for call in (s.get_cluster_labels, s.get_cluster_signals, s.get_cluster_distances,
                 s.plot_cluster_labels, s.plot_cluster_metric):
        with pytest.raises(RuntimeError, match="cluster"):
            call()


def _state(s):
    lr = s.learning_results
    return (s.data.copy(), None if lr is None else copy.deepcopy(lr.__dict__))


def _same(state, s):
    data, d = state
    np.testing.assert_array_equal(s.data, data)
    lr = s.learning_results
    if d is None:
        assert lr is None
        return
    for key, value in d.items():
        now = lr.__dict__.get(key)
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(now, value, err_msg=key)
        elif key == "_components":  # the decomposition's factors and loadings
            for was, is_ in zip(value.computed(), now.computed()):
                np.testing.assert_array_equal(is_, was, err_msg=key)
        elif key != "_pending":
            assert now == value, key


@pytest.mark.parametrize("call, message", [
    (lambda s: s.cluster_analysis("bss", n_clusters=3), "blind source separation"),
    (lambda s: s.cluster_analysis("decomposition", n_clusters=1), "n_clusters"),
    (lambda s: s.cluster_analysis("decomposition", n_clusters=10_000), "at most 720"),
    (lambda s: s.cluster_analysis("decomposition", n_clusters=3,
                                  navigation_mask=np.zeros((5, 5), bool)), "shape"),
    (lambda s: s.cluster_analysis("signal", n_clusters=3,
                                  signal_mask=np.zeros(7, bool)), "shape"),
    (lambda s: s.cluster_analysis("decomposition", n_clusters=3,
                                  number_of_components=99), "number_of_components"),
    (lambda s: s.cluster_analysis(hs.datasets.PHASES(shape=(5, 5)), n_clusters=3),
     "navigation shape"),
    (lambda s: s.cluster_analysis("loadings", n_clusters=3), "cluster source"),
    (lambda s: s.cluster_analysis("decomposition", n_clusters=3, algorithm="kmeens"),
     "unknown clustering algorithm"),
    (lambda s: s.cluster_analysis("decomposition", algorithm=_NoLabels()), "labels_"),
    (lambda s: s.cluster_analysis("decomposition", n_clusters=3, preprocessing="l2"),
     "preprocessing"),
    (lambda s: s.estimate_number_of_clusters("decomposition", max_clusters=1), "max_clusters"),
    (lambda s: s.estimate_number_of_clusters("decomposition", metric="aic"), "metric"),
])
def test_bad_input_leaves_the_signal_untouched(phases, call, message):
    s, _ = fresh(phases)
    s.cluster_analysis("decomposition", number_of_components=4, n_clusters=4,
                       random_state=0)
    before = _state(s)
    with pytest.raises(ValueError, match=message):
        call(s)
    _same(before, s)


class _NoLabels:
    def fit(self, X):
        return self


def test_clustering_before_decomposition_is_an_error():
    s = hs.datasets.PHASES(shape=(6, 6))
    with pytest.raises(ValueError, match="run s.decomposition"):
        s.cluster_analysis("decomposition", n_clusters=2)
    assert s.learning_results.n_components is None  # always there, empty (HyperSpy)
    s.cluster_analysis("signal", n_clusters=2, random_state=0)  # needs no decomposition
    assert s.learning_results.number_of_clusters == 2


def test_nan_data_is_an_error_not_a_cluster():
    s = hs.datasets.PHASES(shape=(6, 6))
    s.data[2, 3, 10] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        s.cluster_analysis("signal", n_clusters=2)
    mask = np.zeros((6, 6), bool)
    mask[2, 3] = True
    s.cluster_analysis("signal", n_clusters=2, navigation_mask=mask, random_state=0)
    assert s.get_cluster_labels(merged=True).data[2, 3] == -1


def test_random_state_makes_results_reproducible(phases):
    a, _ = fresh(phases)
    b, _ = fresh(phases)
    for s in (a, b):
        s.cluster_analysis("decomposition", number_of_components=4, n_clusters=5,
                           n_init=1, random_state=7)
        s.estimate_number_of_clusters("decomposition", number_of_components=4,
                                      max_clusters=5, random_state=7,
                                      show_progressbar=False)
    np.testing.assert_array_equal(a.learning_results.cluster_labels,
                                  b.learning_results.cluster_labels)
    np.testing.assert_array_equal(a.learning_results.cluster_metric_data,
                                  b.learning_results.cluster_metric_data)


def test_lazy_signal_gives_the_eager_results(phases):
    s, _ = fresh(phases)
    lazy = s.as_lazy()
    for sig in (s, lazy):
        sig.cluster_analysis("signal", n_clusters=4, preprocessing="norm", random_state=0)
    np.testing.assert_array_equal(lazy.learning_results.cluster_labels,
                                  s.learning_results.cluster_labels)
    np.testing.assert_allclose(lazy.learning_results.cluster_sum_signals,
                               s.learning_results.cluster_sum_signals, rtol=1e-6)
    lazy.decomposition(True, output_dimension=6, print_info=False)
    found = []
    for sig in (s, lazy):
        sig.cluster_analysis("decomposition", number_of_components=4, n_clusters=4,
                             preprocessing="norm", random_state=0)
        found.append(sig.get_cluster_labels(merged=True).data.ravel())
        sig.estimate_number_of_clusters("decomposition", number_of_components=4,
                                        max_clusters=6, metric="elbow",
                                        preprocessing="norm", random_state=0,
                                        show_progressbar=False)
    assert adjusted_rand_score(*found) == 1.0
    assert (lazy.learning_results.estimated_number_of_clusters
            == s.learning_results.estimated_number_of_clusters)


def test_gap_reference_choice_and_progress_bar(phases, capsys):
    s, _ = fresh(phases)
    values = {}
    for ref in ("diagonal", "pca"):
        s.estimate_number_of_clusters("decomposition", number_of_components=4,
                                      max_clusters=5, random_state=0, reference=ref,
                                      show_progressbar=ref == "pca")
        values[ref] = s.learning_results.cluster_metric_data
    assert not np.allclose(values["diagonal"], values["pca"])
    assert "gap over k" in capsys.readouterr().err  # the bar counts the clusterings
    with pytest.raises(ValueError, match="reference"):
        s.estimate_number_of_clusters("decomposition", number_of_components=4,
                                      max_clusters=5, reference="normal")


def test_bss_source_and_centres(phases):
    s, truth = fresh(phases)
    s.blind_source_separation(4, print_info=False, random_state=0)
    s.cluster_analysis("bss", n_clusters=4, preprocessing="norm", random_state=0)
    lr = s.learning_results
    assert lr.cluster_parameters["number_of_components"] == 4
    assert adjusted_rand_score(truth.labels.ravel(),
                               s.get_cluster_labels(merged=True).data.ravel()) > 0.95
    model = s.get_bss_model().data.reshape(720, -1)
    np.testing.assert_allclose(lr.cluster_sum_signals, lr.cluster_labels @ model,
                               rtol=1e-6, atol=1e-4)
    np.testing.assert_allclose(lr.cluster_centers,
                               lr.cluster_sum_signals / lr.cluster_labels.sum(1)[:, None])


def test_decomposition_mask_pixels_are_excluded_but_damaged_loadings_are_errors(phases):
    s, _ = fresh(phases)
    mask = np.zeros((24, 30), bool)
    mask[3, 4] = True
    s.decomposition(True, output_dimension=6, navigation_mask=mask, print_info=False)
    s.cluster_analysis("decomposition", number_of_components=4, n_clusters=4,
                       random_state=0)
    assert s.get_cluster_labels(merged=True).data[3, 4] == -1
    s.learning_results.loadings[10, 1] = np.nan  # damaged, not excluded
    with pytest.raises(ValueError, match="NaN"):
        s.cluster_analysis("decomposition", number_of_components=4, n_clusters=4)


def test_lazy_cluster_sums_from_the_data_in_one_pass(phases):
    s, _ = fresh(phases)
    lazy = s.as_lazy()
    lazy.learning_results = s.learning_results.copy()
    for sig in (s, lazy):
        sig.cluster_analysis("decomposition", source_for_centers="signal",
                             number_of_components=4, n_clusters=4, random_state=0)
    a, b = s.learning_results, lazy.learning_results
    np.testing.assert_array_equal(a.cluster_labels, b.cluster_labels)
    np.testing.assert_allclose(b.cluster_sum_signals, a.cluster_sum_signals, rtol=1e-6)
    np.testing.assert_array_equal(b.cluster_centroid_signals, a.cluster_centroid_signals)
    assert isinstance(b.cluster_sum_signals, np.ndarray)  # computed, not a dask array
