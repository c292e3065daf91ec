"""Loadings and factors grids used by decomposition and BSS."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

import emunmix.api as hs
from emunmix.plot.components import component_ids
from emunmix.signal import Signal1D


def image_axes(fig):
    return [ax for ax in fig.axes if ax.images and ax.get_title()]


def test_component_ids():
    assert component_ids(None, 3) == [0, 1, 2]
    assert component_ids(2, 5) == [0, 1]
    assert component_ids(9, 5) == [0, 1, 2, 3, 4]
    assert component_ids([3, -1], 5) == [3, 4]
    with pytest.raises(IndexError, match="out of range"):
        component_ids([5], 5)
    with pytest.raises(ValueError, match="at least one"):
        component_ids(0, 5)


def test_loadings_grid_draws_calibrated_maps(loadings):
    fig = hs.plot.plot_component_loadings(loadings, comp_ids=3, per_row=2)
    # HyperSpy 2.5's layout: each image followed by its own colour-bar axes
    assert len(fig.axes) == 6
    panels, bars = fig.axes[::2], fig.axes[1::2]
    assert [ax.get_title() for ax in panels] == ["0", "1", "2"]
    for ax, bar, data in zip(panels, bars, loadings.data):
        np.testing.assert_array_equal(ax.images[0].get_array(), data)
        assert ax.images[0].get_cmap().name == "gray"
        assert not bar.images and bar.get_title() == ""
    assert panels[0].get_xlabel() == "nm" and panels[0].get_ylabel() == "nm"
    assert panels[0].images[0].get_extent() == [-1.0, 13.0, 9.0, -1.0]
    assert panels[2].get_subplotspec().rowspan.start == 1  # two per row
    assert fig.get_suptitle() == "Maps"


def test_loadings_options(loadings):
    fig = hs.plot.plot_component_loadings(loadings, comp_ids=[2, 0], calibrate=False,
                                          cmap="viridis", title="BSS loadings of CL1")
    panels = image_axes(fig)
    assert [ax.get_title() for ax in panels] == ["2", "0"]
    np.testing.assert_array_equal(panels[0].images[0].get_array(), loadings.data[2])
    assert panels[0].images[0].get_extent() == [-0.5, 6.5, 4.5, -0.5]
    assert panels[0].get_xlabel() == "pixels"
    assert fig.get_suptitle() == "BSS loadings of CL1"
    # comp_label is the older name of title
    fig = hs.plot.plot_component_loadings(loadings, comp_ids=1, comp_label="Old")
    assert fig.get_suptitle() == "Old"


def test_no_nans_draws_masked_pixels_as_zero(loadings):
    masked = loadings.deepcopy()
    masked.data[0, 0, 0] = np.nan
    fig = hs.plot.plot_component_loadings(masked, comp_ids=1, no_nans=True)
    assert fig.axes[0].images[0].get_array()[0, 0] == 0
    fig = hs.plot.plot_component_loadings(masked, comp_ids=1)
    assert np.ma.is_masked(fig.axes[0].images[0].get_array()[0, 0])  # NaN: not drawn


def test_separate_windows_return_figures(loadings, factors):
    figs = hs.plot.plot_component_loadings(loadings, comp_ids=2, same_window=False)
    assert isinstance(figs, list) and len(figs) == 2
    assert all(isinstance(f, plt.Figure) for f in figs)
    assert [len(f.axes) for f in figs] == [2, 2]  # image + colour bar
    assert [f.axes[0].get_title() for f in figs] == ["Maps #0", "Maps #1"]
    figs = hs.plot.plot_component_factors(factors, same_window=False)
    assert len(figs) == 4
    assert [[line.get_label() for line in f.axes[0].lines] for f in figs] == [
        ["0"], ["1"], ["2"], ["3"]]


def test_into_a_given_figure(loadings):
    fig = plt.figure()
    assert hs.plot.plot_component_loadings(loadings, fig=fig) is fig
    assert len(image_axes(fig)) == 4


def test_factors_share_one_axes_with_a_legend(factors):
    fig = hs.plot.plot_component_factors(factors, comp_ids=[3, 1], title="F")
    assert len(fig.axes) == 1
    ax = fig.axes[0]
    assert [line.get_label() for line in ax.lines] == ["3", "1"]
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), factors.data[3])
    np.testing.assert_array_equal(ax.lines[1].get_xdata(), 400.0 + np.arange(80))
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["3", "1"]
    assert ax.get_title() == "F" and fig.get_suptitle() == ""
    assert ax.get_xlabel() == "eV"
    fig = hs.plot.plot_component_factors(factors, comp_ids=2, calibrate=False)
    assert fig.axes[0].get_xlabel() == "Channel index"
    np.testing.assert_array_equal(fig.axes[0].lines[0].get_xdata(), np.arange(80))


def test_line_scan_loadings_are_steps_in_one_axes():
    loadings = Signal1D(np.arange(30.0).reshape(3, 10), axes=[
        {"name": "Decomposition component index", "navigate": True},
        {"name": "x", "units": "nm", "scale": 0.5, "navigate": False}])
    fig = hs.plot.plot_component_loadings(loadings)
    assert len(fig.axes) == 1
    ax = fig.axes[0]
    assert len(ax.lines) == 3 and ax.lines[1].get_drawstyle() == "steps-pre"
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), loadings.data[1])
    assert ax.get_xlabel() == "nm" and ax.get_ylabel() == "Score (a. u.)"


def test_not_a_component_stack(si):
    with pytest.raises(ValueError, match="one navigation axis"):
        hs.plot.plot_component_factors(si)
