"""Results of data with three navigation axes (a tilt series of maps, a 4D-STEM stack)
plot as HyperSpy's do: loadings as images of the first two, a slider for the third."""

import numpy as np
import pytest

from emunmix.signal import Signal1D


@pytest.fixture
def tilt_series():
    """(x=5, y=4, tilt=3 | 20): two components whose maps differ along every axis."""
    rng = np.random.default_rng(2)
    maps = rng.random((3, 4, 5, 2))
    spectra = rng.random((2, 20))
    s = Signal1D(maps @ spectra, axes=[
        {"name": "tilt", "units": "deg", "scale": 10.0, "navigate": True},
        {"name": "y", "units": "nm", "navigate": True},
        {"name": "x", "units": "nm", "navigate": True},
        {"name": "E", "units": "eV", "navigate": False}])
    s.decomposition(print_info=False)
    return s


def _loading_images(fig):
    return [im for ax in fig.axes for im in ax.images]


def test_loadings_grid_has_a_slider_over_the_third_navigation_axis(tilt_series):
    s = tilt_series
    fig = s.plot_decomposition_loadings(2)
    (slider,) = fig._emunmix_extra_sliders
    assert slider.valmax == 2 and "tilt" in slider.label.get_text()
    loadings = s.get_decomposition_loadings()
    images = _loading_images(fig)
    assert len(images) == 2
    for k in (0, 2, 1):
        slider.set_val(k)
        for i, im in enumerate(images):
            # loading i at tilt k: rows y, columns x
            np.testing.assert_array_equal(im.get_array(), loadings.data[i, k])


def test_results_and_bss_results_draw_with_three_navigation_axes(tilt_series):
    s = tilt_series
    grid = s.plot_decomposition_results()
    assert grid.extra_sliders and _loading_images(grid.figure)
    s.blind_source_separation(2, print_info=False)
    grid = s.plot_bss_results()
    sliders = grid.extra_sliders
    bss = s.get_bss_loadings()
    images = _loading_images(grid.figure)
    sliders[0].set_val(2)
    np.testing.assert_array_equal(images[0].get_array(), bss.data[0, 2])


def test_browser_keeps_the_slider_position_when_the_component_changes(tilt_series):
    from emunmix.plot.browser import ComponentsBrowser

    s = tilt_series
    b = ComponentsBrowser(s.get_decomposition_factors(), s.get_decomposition_loadings())
    b.extra_sliders[0].set_val(1)
    b.set_component(1)
    np.testing.assert_array_equal(b.loading_artist.get_array(),
                                  s.get_decomposition_loadings().data[1, 1])
    b.extra_sliders[0].set_val(2)
    np.testing.assert_array_equal(b.loading_artist.get_array(),
                                  s.get_decomposition_loadings().data[1, 2])
