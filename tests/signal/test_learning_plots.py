"""Plot methods of the learning layer (headless): what they draw, not how it looks."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from _learning_data import make_signal  # noqa: E402


@pytest.fixture
def s():
    s = make_signal()
    s.decomposition(True, print_info=False)
    yield s
    plt.close("all")


def test_scree_plot_returns_axes_with_signal_and_noise(s):
    ax = s.plot_explained_variance_ratio()
    assert ax.get_yscale() == "log"
    labels = [ln.get_label() for ln in ax.lines]
    assert labels[:2] == ["signal", "noise"]
    # the three significant components are drawn as signal
    assert len(ax.lines[0].get_xdata()) == 3
    assert len(ax.lines[0].get_xdata()) + len(ax.lines[1].get_xdata()) == 30
    ax2 = s.plot_scree_plot(n=10, log=False, threshold=2, xaxis_type="number")
    assert ax2.get_yscale() == "linear"
    assert list(ax2.lines[0].get_xdata()) == [1, 2]


def test_scree_plot_into_given_axes(s):
    fig, ax = plt.subplots()
    assert s.plot_explained_variance_ratio(ax=ax) is ax


def test_cumulative_explained_variance_ratio(s):
    out = s.plot_cumulative_explained_variance_ratio(n=20)
    ax = out if hasattr(out, "lines") else out.axes[0]
    y = ax.lines[0].get_ydata()
    assert len(y) == 20 and np.all(np.diff(y) >= -1e-12)


def test_loadings_and_factors_grids(s):
    fig = s.plot_decomposition_loadings(4)
    assert len(fig.axes) == 8  # HyperSpy's: image, colour bar, image, colour bar...
    titles = [a.get_title() for a in fig.axes if a.get_title()]
    assert titles == ["0", "1", "2", "3"]
    fig = s.plot_decomposition_factors([1, 3])
    assert len(fig.axes) == 1
    assert [line.get_label() for line in fig.axes[0].lines] == ["1", "3"]
    figs = s.plot_decomposition_factors(2, same_window=False)
    assert len(figs) == 2


def test_all_components_need_comp_ids_for_large_decompositions():
    s = make_signal()
    s.decomposition(print_info=False)  # 40 components, no output_dimension
    with pytest.raises(ValueError, match="comp_ids"):
        s.plot_decomposition_loadings()
    s.decomposition(output_dimension=3, print_info=False)
    fig = s.plot_decomposition_loadings()
    assert len([a for a in fig.axes if a.images]) == 3
    plt.close("all")


def test_results_browsers(s):
    out = s.plot_decomposition_results()
    assert out.figure is not None
    s.blind_source_separation(3, print_info=False, random_state=0)
    out = s.plot_bss_results()
    assert out.figure is not None
    fig = s.plot_bss_loadings()
    assert len([a for a in fig.axes if a.images]) == 3
    fig = s.plot_bss_factors(comp_ids=[2])
    assert [line.get_label() for line in fig.axes[0].lines] == ["2"]


def test_export_with_figures(s, tmp_path):
    paths = s.export_decomposition_results(tmp_path, comp_ids=2, save_figures=True)
    names = {p.name for p in paths}
    assert {"factors.png", "loadings.png"} <= names
    assert (tmp_path / "loadings.png").stat().st_size > 0
