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
    panels = image_axes(fig)
    assert [ax.get_title() for ax in panels] == ["Loading 0", "Loading 1", "Loading 2"]
    for ax, data in zip(panels, loadings.data):
        np.testing.assert_array_equal(ax.images[0].get_array(), data)
        assert ax.images[0].get_cmap().name == "gray"
        assert len(ax.child_axes) == 1  # colorbar
    assert panels[0].get_xlabel() == "x (nm)"
    assert panels[0].images[0].get_extent() == [-1.0, 13.0, 9.0, -1.0]
    assert panels[2].get_subplotspec().rowspan.start == 1  # two per row
    assert fig.get_suptitle() == "Maps"


def test_loadings_options(loadings):
    fig = hs.plot.plot_component_loadings(loadings, comp_ids=[2, 0], calibrate=False,
                                          comp_label="BSS loading", cmap="viridis",
                                          title="BSS loadings of CL1")
    panels = image_axes(fig)
    assert [ax.get_title() for ax in panels] == ["BSS loading 2", "BSS loading 0"]
    np.testing.assert_array_equal(panels[0].images[0].get_array(), loadings.data[2])
    assert panels[0].images[0].get_extent() == [-0.5, 6.5, 4.5, -0.5]
    assert fig.get_suptitle() == "BSS loadings of CL1"


def test_separate_windows_return_figures(loadings, factors):
    figs = hs.plot.plot_component_loadings(loadings, comp_ids=2, same_window=False)
    assert isinstance(figs, list) and len(figs) == 2
    assert all(isinstance(f, plt.Figure) for f in figs)
    figs = hs.plot.plot_component_factors(factors, same_window=False)
    assert len(figs) == 4


def test_into_a_given_figure(loadings):
    fig = plt.figure()
    assert hs.plot.plot_component_loadings(loadings, fig=fig) is fig
    assert len(image_axes(fig)) == 4


def test_factors_grid_draws_spectra(factors):
    fig = hs.plot.plot_component_factors(factors, comp_ids=4)
    assert len(fig.axes) == 4
    for ax, data in zip(fig.axes, factors.data):
        np.testing.assert_array_equal(ax.lines[0].get_ydata(), data)
        np.testing.assert_array_equal(ax.lines[0].get_xdata(), 400.0 + np.arange(80))
        assert ax.get_xlabel() == "Energy loss (eV)"
    assert [ax.get_title() for ax in fig.axes] == [f"Factor {i}" for i in range(4)]


def test_line_scan_loadings_are_lines():
    loadings = Signal1D(np.arange(30.0).reshape(3, 10), axes=[
        {"name": "Decomposition component index", "navigate": True},
        {"name": "x", "units": "nm", "scale": 0.5, "navigate": False}])
    fig = hs.plot.plot_component_loadings(loadings)
    assert len(fig.axes) == 3
    np.testing.assert_array_equal(fig.axes[1].lines[0].get_ydata(), loadings.data[1])
    assert fig.axes[0].get_xlabel() == "x (nm)"


def test_not_a_component_stack(si):
    with pytest.raises(ValueError, match="one navigation axis"):
        hs.plot.plot_component_factors(si)
