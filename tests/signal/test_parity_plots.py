"""Learning-results figures laid out as HyperSpy 2.5 lays them out.

The expected structures (axes per figure, lines per axes, titles, legend texts)
were read from HyperSpy 2.5.0 running the same calls on the same shapes, so that
a HyperSpy user's script indexing ``fig.axes[...]`` or ``ax.lines[...]`` works.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from _learning_data import make_signal  # noqa: E402

from emunmix.signal import Signal1D, Signal2D  # noqa: E402


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


@pytest.fixture
def si():
    s = make_signal()
    s.metadata.set_item("General.title", "T")
    s.decomposition(output_dimension=4, print_info=False)
    s.blind_source_separation(3, print_info=False, random_state=0)
    return s


def _calibrate(s):
    for i, ax in enumerate(s.axes_manager._axes):
        ax.name, ax.units, ax.scale = f"ax{i}", f"u{i}", 0.5
    s.metadata.set_item("General.title", "T")
    return s


@pytest.fixture
def line():
    rng = np.random.default_rng(0)
    s = _calibrate(Signal1D(rng.random((8, 40)) + 1))
    s.decomposition(output_dimension=4, print_info=False)
    return s


@pytest.fixture
def stack():
    rng = np.random.default_rng(1)
    s = _calibrate(Signal2D(rng.random((7, 10, 12)) + 1))
    s.decomposition(output_dimension=4, print_info=False)
    return s


def legend_texts(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


def test_spectrum_factors_overlaid_in_one_axes(si):
    fig = si.plot_decomposition_factors(3)
    assert len(fig.axes) == 1
    ax = fig.axes[0]
    assert [line.get_label() for line in ax.lines] == ["0", "1", "2"]
    assert legend_texts(ax) == ["0", "1", "2"]
    assert ax.get_title() == "Decomposition factors of T"
    assert ax.get_xlabel() == "eV"
    for j, line in enumerate(ax.lines):  # the factors themselves, on the energy axis
        np.testing.assert_allclose(line.get_ydata(), si.learning_results.factors[:, j])
        np.testing.assert_allclose(line.get_xdata(), 400.0 + 0.5 * np.arange(40))
    fig = si.plot_bss_factors()
    assert [line.get_label() for line in fig.axes[0].lines] == ["0", "1", "2"]
    assert fig.axes[0].get_title() == "BSS factors of T"


def test_title_is_the_fourth_argument_as_in_hyperspy(si):
    fig = si.plot_decomposition_factors(2, True, True, "My")
    assert fig.axes[0].get_title() == "My"
    fig = si.plot_decomposition_loadings(2, True, True, "Maps")
    assert fig.get_suptitle() == "Maps"


def test_loading_maps_each_with_their_colour_bar_axes(si):
    fig = si.plot_decomposition_loadings([0, 2], per_row=2)
    assert len(fig.axes) == 4
    image0, bar0, image2, bar2 = fig.axes
    assert [image0.get_title(), image2.get_title()] == ["0", "2"]
    assert not bar0.images and not bar2.images
    assert fig.get_suptitle() == "Decomposition loadings of T"
    assert (image0.get_xlabel(), image0.get_ylabel()) == ("nm", "nm")
    maps = si.learning_results.loadings[:, 2].reshape(6, 8)
    np.testing.assert_allclose(image2.images[0].get_array(), maps)
    fig = si.plot_bss_loadings(comp_ids=[1], per_row=1)
    assert len(fig.axes) == 2 and fig.get_suptitle() == "BSS loadings of T"


def test_separate_windows(si):
    figs = si.plot_decomposition_loadings(2, same_window=False)
    assert [len(f.axes) for f in figs] == [2, 2]
    assert [f.axes[0].get_title() for f in figs] == ["Decomposition loading of T #0",
                                                     "Decomposition loading of T #1"]
    figs = si.plot_bss_factors(same_window=False)
    assert [len(f.axes) for f in figs] == [1, 1, 1]
    assert [f.axes[0].get_title() for f in figs] == ["BSS factors of T"] * 3


def test_with_factors_returns_both_figures(si):
    loadings_fig, factors_fig = si.plot_decomposition_loadings(2, with_factors=True)
    assert len(loadings_fig.axes) == 4
    assert [line.get_label() for line in factors_fig.axes[0].lines] == ["0", "1"]
    # HyperSpy titles the factors with the loadings' title
    assert factors_fig.axes[0].get_title() == "Decomposition loadings of T"
    loadings_figs, factors_figs = si.plot_bss_loadings(with_factors=True,
                                                       same_window=False)
    assert len(loadings_figs) == len(factors_figs) == 3


def test_line_scan_loadings_are_steps_with_a_legend(line):
    fig = line.plot_decomposition_loadings(3)
    assert len(fig.axes) == 1
    ax = fig.axes[0]
    assert legend_texts(ax) == ["0", "1", "2"]
    assert all(ln.get_drawstyle() == "steps-pre" for ln in ax.lines)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("u0", "Score (a. u.)")
    assert ax.get_title() == "Decomposition loadings of T"
    np.testing.assert_allclose(ax.lines[1].get_ydata(), line.learning_results.loadings[:, 1])


def test_image_factors_in_a_grid(stack):
    fig = stack.plot_decomposition_factors(3, per_row=2)
    assert len(fig.axes) == 6
    assert [ax.get_title() for ax in fig.axes[::2]] == ["0", "1", "2"]
    assert fig.get_suptitle() == "Decomposition factors of T"
    assert fig.axes[2].get_subplotspec().rowspan.start == 0
    assert fig.axes[4].get_subplotspec().rowspan.start == 1
    factor = stack.learning_results.factors[:, 1].reshape(10, 12)
    np.testing.assert_allclose(fig.axes[2].images[0].get_array(), factor)
    fig = stack.plot_decomposition_loadings(2)  # one navigation axis: lines
    assert len(fig.axes) == 1 and len(fig.axes[0].lines) == 2


def test_cluster_plots_use_the_same_layout(si):
    si.cluster_analysis("decomposition", n_clusters=2, random_state=0)
    fig = si.plot_cluster_signals()
    assert len(fig.axes) == 1 and legend_texts(fig.axes[0]) == ["0", "1"]
    assert fig.axes[0].get_title() == "Cluster centers of T"
    fig = si.plot_cluster_labels()
    assert len(fig.axes) == 4 and fig.get_suptitle() == "Cluster labels of T"


def test_cluster_analysis_updates_the_results_in_place(si):
    lr = si.learning_results
    factors = lr.factors.copy()
    si.cluster_analysis("decomposition", n_clusters=2, random_state=0)
    assert si.learning_results is lr  # HyperSpy sets the fields on the same object
    assert lr.cluster_labels.shape == (2, 48) and lr.number_of_clusters == 2
    np.testing.assert_array_equal(lr.factors, factors)  # decomposition kept
    assert lr.bss_factors is not None
    si.estimate_number_of_clusters("decomposition", max_clusters=3, random_state=0)
    assert si.learning_results is lr and lr.estimated_number_of_clusters in (2, 3)
    with pytest.raises(ValueError, match="n_clusters"):
        si.cluster_analysis("decomposition", n_clusters=1)
    assert lr.number_of_clusters == 2  # a failed call changes nothing


def test_number_significant_components_is_hyperspys_elbow_plus_one():
    s = make_signal()
    s.decomposition(True, print_info=False)  # Poisson-normalised, as in the issue
    lr = s.learning_results
    # independent computation of HyperSpy 2.5's rule (learn/_mva.py): ln of the ratio
    # clipped at 1e-30, distance of points 0..19 from the chord of points 0 and 20
    y = np.log(np.clip(lr.explained_variance_ratio, 1e-30, None))
    p = min(20, y.size - 1)
    x = np.arange(p)
    d = np.abs(p * (y[0] - y[:p]) + x * (y[p] - y[0])) / np.hypot(p, y[p] - y[0])
    assert lr.number_significant_components == int(np.argmax(d)) + 1
    assert lr.number_significant_components == s.estimate_elbow_position() + 1
    # emunmix's estimate (Marchenko-Pastur edge) stays available: 3 true components
    assert lr.estimated_number_of_components == 3
    model = s.get_decomposition_model(lr.number_significant_components)
    assert model.data.shape == s.data.shape
