"""plot_spectra: the tutorial's calls and the four styles."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.backend_bases import MouseEvent

import emunmix.api as hs
from emunmix.signal import Signal1D


@pytest.fixture
def ratios():
    r = np.geomspace(1, 1e-4, 40)
    return Signal1D(r / r.sum()), Signal1D(r ** 1.3 / (r ** 1.3).sum())


def test_tutorial_scree_comparison(ratios):
    a, b = ratios
    ax = hs.plot.plot_spectra([a.isig[:20], b.isig[:20]], legend=("Std", "Normalized"))
    ax.set_yscale("log")
    ax.lines[0].set_marker("o")
    ax.lines[1].set_marker("o")
    assert len(ax.lines) == 2
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), a.data[:20])
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), b.data[:20])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Std", "Normalized"]
    assert ax.get_yscale() == "log"


def test_overlap_uses_calibrated_axes_and_labels(factors):
    ax = hs.plot.plot_spectra(factors)
    assert len(ax.lines) == 4
    for line, spectrum in zip(ax.lines, factors.data):
        np.testing.assert_array_equal(line.get_ydata(), spectrum)
        np.testing.assert_array_equal(line.get_xdata(), 400.0 + np.arange(80))
    assert ax.get_xlabel() == "Energy loss (eV)"
    assert ax.get_legend() is None


def test_colors_line_styles_and_auto_legend(factors):
    ax = hs.plot.plot_spectra(factors, color=["red", "blue"], line_style="--", legend="auto")
    assert [line.get_color() for line in ax.lines] == ["red", "blue", "red", "blue"]
    assert {line.get_linestyle() for line in ax.lines} == {"--"}
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["Factors 0", "Factors 1", "Factors 2", "Factors 3"]


def test_cascade_offsets_each_spectrum(factors):
    ax = hs.plot.plot_spectra(factors, style="cascade", padding=2.0)
    step = 2.0 * max(np.ptp(s) for s in factors.data)
    for i, line in enumerate(ax.lines):
        np.testing.assert_allclose(line.get_ydata(), factors.data[i] + i * step)


def test_mosaic_returns_one_axes_per_spectrum(factors):
    axes = hs.plot.plot_spectra(factors, style="mosaic", legend=list("abcd"))
    assert isinstance(axes, np.ndarray) and axes.shape == (4,)
    for ax, spectrum, title in zip(axes, factors.data, "abcd"):
        assert len(ax.lines) == 1
        np.testing.assert_array_equal(ax.lines[0].get_ydata(), spectrum)
        assert ax.get_title() == title
    assert axes[-1].get_xlabel() == "Energy loss (eV)"


def test_heatmap_is_an_image_of_the_spectra(factors):
    ax = hs.plot.plot_spectra(factors, style="heatmap")
    np.testing.assert_array_equal(ax.images[0].get_array(), factors.data)
    assert ax.get_xlabel() == "Energy loss (eV)"
    with pytest.raises(ValueError, match="equal length"):
        hs.plot.plot_spectra([factors.inav[0], factors.inav[1].isig[:10]], style="heatmap")


def test_into_existing_axes_and_arrays():
    fig, ax = plt.subplots()
    out = hs.plot.plot_spectra([np.arange(5.0), np.ones(5)], ax=ax)
    assert out is ax and len(ax.lines) == 2


def test_legend_picking_toggles_a_line(factors):
    ax = hs.plot.plot_spectra(factors, legend="auto")
    canvas = ax.figure.canvas
    canvas.draw()
    handle = ax.get_legend().legend_handles[1]
    x, y = handle.get_window_extent().get_points().mean(axis=0)

    def click_handle():  # a real click: the figure turns it into a pick event
        event = MouseEvent("button_press_event", canvas, x, y, button=1)
        canvas.callbacks.process("button_press_event", event)

    click_handle()
    assert not ax.lines[1].get_visible() and ax.lines[0].get_visible()
    click_handle()
    assert ax.lines[1].get_visible()


def test_bad_input(factors, si):
    with pytest.raises(ValueError, match="style must be"):
        hs.plot.plot_spectra(factors, style="waterfall")
    with pytest.raises(ValueError, match="legend has 2 labels"):
        hs.plot.plot_spectra(factors, legend=("a", "b"))
    with pytest.raises(ValueError, match="single"):
        hs.plot.plot_spectra([si])
