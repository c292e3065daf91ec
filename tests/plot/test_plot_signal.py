"""s.plot(): what is drawn for each kind of signal, and its labels."""

import numpy as np
import pytest

from emunmix.plot import SignalPlot, plot_signal
from emunmix.signal import BaseSignal, Signal1D


def test_spectrum_image_draws_summed_navigator_and_first_spectrum(si):
    p = si.plot()
    assert isinstance(p, SignalPlot)
    np.testing.assert_array_equal(p.navigator_image.get_array(), si.data.sum(axis=-1))
    assert len(p.lines) == 1
    np.testing.assert_array_equal(p.lines[0].get_xdata(), 300.0 + 0.5 * np.arange(50))
    np.testing.assert_array_equal(p.lines[0].get_ydata(), si.data[0, 0])
    assert p.figure is p.signal_ax.figure is p.navigator_ax.figure
    assert p.figures == [p.figure]


def test_labels_carry_names_and_units(si):
    p = si.plot()
    assert p.signal_ax.get_xlabel() == "Energy loss (eV)"
    assert p.navigator_ax.get_xlabel() == "x (nm)"
    assert p.navigator_ax.get_ylabel() == "y (nm)"
    assert p.signal_ax.get_title() == "SI: x = 10 nm, y = -1 nm"


def test_navigator_extent_is_calibrated(si):
    p = si.plot()
    left, right, bottom, top = p.navigator_image.get_extent()
    # pixel centres on the axis values: x 10..26 nm (scale 2), y -1..1.5 nm (scale 0.5)
    assert (left, right) == (9.0, 27.0)
    assert (top, bottom) == (-1.25, 1.75)


def test_pointer_moves_show_that_spectrum_and_move_the_marker(si):
    p = si.plot()
    assert p.pointer.set_indices((7, 4))
    np.testing.assert_array_equal(p.lines[0].get_ydata(), si.data[4, 7])
    assert p.navigator.marker.get_xy() == (10 + 2 * 6.5, -1 + 0.5 * 3.5)
    assert "x = 24 nm, y = 1 nm" in p.signal_ax.get_title()
    assert si.axes_manager.indices == (7, 4)


def test_update_follows_data_and_axes_manager_changes(si):
    p = si.plot()
    si.data[0, 0] = -1.0
    si.axes_manager.indices = (2, 5)
    p.update()
    assert p.pointer.indices == (2, 5)
    np.testing.assert_array_equal(p.lines[0].get_ydata(), si.data[5, 2])
    p.pointer.set_indices((0, 0))
    np.testing.assert_array_equal(p.lines[0].get_ydata(), -np.ones(50))


def test_pointer_starts_at_axes_manager_indices(si):
    si.axes_manager.indices = (3, 2)
    p = si.plot()
    np.testing.assert_array_equal(p.lines[0].get_ydata(), si.data[2, 3])


def test_y_limits_follow_the_spectrum(si):
    p = si.plot()
    p.pointer.set_indices((8, 5))  # the brightest pixel: far above the first one
    low, high = p.signal_ax.get_ylim()
    y = si.data[5, 8]
    assert low <= y.min() and y.max() <= high


def test_single_spectrum_has_no_navigator(si):
    p = si.inav[2, 3].plot()
    assert p.navigator_ax is None and p.navigator is None
    np.testing.assert_array_equal(p.lines[0].get_ydata(), si.data[3, 2])
    assert p.signal_ax.get_xlabel() == "Energy loss (eV)"
    assert p.signal_ax.get_title() == "SI"


def test_complex_spectrum_image_shows_real_and_imaginary_lines(si):
    model = si * 0.5
    p = (si + model * 1j).plot()
    assert [line.get_label() for line in p.lines] == ["real", "imag"]
    assert [t.get_text() for t in p.signal_ax.get_legend().get_texts()] == ["real", "imag"]
    p.pointer.set_indices((5, 1))
    np.testing.assert_allclose(p.lines[0].get_ydata(), si.data[1, 5])
    np.testing.assert_allclose(p.lines[1].get_ydata(), model.data[1, 5])
    # the navigator shows the real part's summed intensity
    np.testing.assert_allclose(p.navigator_image.get_array(), si.data.sum(-1))


def test_image_is_calibrated_with_a_colorbar(image):
    p = image.plot()
    assert p.navigator is None
    np.testing.assert_array_equal(p.image.get_array(), image.data)
    assert p.image.get_extent() == [-0.125, 3.875, 3.875, 0.875]
    assert p.signal_ax.get_xlabel() == "x (nm)" and p.signal_ax.get_ylabel() == "y (nm)"
    assert p.views[0].colorbar is not None
    assert p.signal_ax.get_title() == "Image"


def test_image_stack_has_a_line_navigator_and_follows_the_pointer(stack):
    p = stack.plot()
    assert p.navigator.kind == "line"
    np.testing.assert_allclose(p.navigator.line.get_ydata(), stack.data.sum(axis=(1, 2)))
    assert p.navigator_ax.get_xlabel() == "Decomposition component index"
    p.pointer.set_indices((2,))
    np.testing.assert_array_equal(p.image.get_array(), stack.data[2])
    assert p.image.get_clim() == (stack.data[2].min(), stack.data[2].max())
    assert list(p.navigator.marker.get_xdata()) == [2, 2]


def test_complex_image_shows_two_panels(image):
    p = (image + image * 2j).plot()
    assert len(p.signal_axes) == 2
    np.testing.assert_allclose(p.views[0].image.get_array(), image.data)
    np.testing.assert_allclose(p.views[1].image.get_array(), 2 * image.data)
    assert p.signal_axes[1].get_title() == "imag"


def test_line_scan_navigator_is_a_line(line_scan):
    p = line_scan.plot()
    np.testing.assert_allclose(p.navigator.line.get_ydata(), line_scan.data.sum(-1))
    assert p.navigator_ax.get_xlabel() == "x (nm)"
    p.pointer.set_indices((6,))
    np.testing.assert_array_equal(p.lines[0].get_ydata(), line_scan.data[6])
    assert list(p.navigator.marker.get_xdata()) == [2.0 + 1.5 * 6] * 2


def test_three_navigation_axes_use_sliders():
    s = Signal1D(np.arange(2 * 3 * 4 * 5, dtype=float).reshape(2, 3, 4, 5))
    p = s.plot()
    assert p.navigator.kind == "slider" and len(p.navigator.sliders) == 3
    p.pointer.set_indices((3, 1, 1))
    assert [int(sl.val) for sl in p.navigator.sliders] == [3, 1, 1]
    np.testing.assert_array_equal(p.lines[0].get_ydata(), s.data[1, 1, 3])
    p.navigator.sliders[0].set_val(2)  # moving a slider moves the pointer
    assert p.pointer.indices == (2, 1, 1)
    np.testing.assert_array_equal(p.lines[0].get_ydata(), s.data[1, 1, 2])


def test_navigator_none_and_custom(si):
    p = si.plot(navigator=None)
    assert p.navigator is None and p.navigator_ax is None
    custom = np.arange(54.0).reshape(6, 9)
    p = si.plot(navigator=custom)
    np.testing.assert_array_equal(p.navigator_image.get_array(), custom)
    with pytest.raises(ValueError, match="navigation shape"):
        si.plot(navigator=np.zeros((9, 6)))
    with pytest.raises(ValueError, match="navigator must be"):
        si.plot(navigator="spectrum")


def test_separate_figures(si):
    p = si.plot(separate_figures=True)
    assert len(p.figures) == 2 and p.navigator_figure is not p.figure
    assert p.navigator_ax.figure is p.navigator_figure and p.signal_ax.figure is p.figure


def test_only_navigation_axes_are_plotted_as_the_signal(si):
    p = plot_signal(si.sum(axis="signal"))
    np.testing.assert_allclose(p.image.get_array(), si.data.sum(-1))


def test_bad_arguments(si):
    with pytest.raises(TypeError, match="unexpected keyword"):
        si.plot(colour="red")
    with pytest.raises(ValueError, match="one or two signal axes"):
        BaseSignal(np.zeros((2, 3, 4))).plot()


def test_lazy_signal_reads_one_spectrum(si):
    lazy = si.as_lazy()
    p = lazy.plot()
    np.testing.assert_allclose(p.navigator_image.get_array(), si.data.sum(-1))
    p.pointer.set_indices((4, 4))
    np.testing.assert_allclose(p.lines[0].get_ydata(), si.data[4, 4])


def test_figures_save_to_png(si, image, tmp_path):
    for i, p in enumerate([si.plot(), (si + si * 1j).plot(), image.plot()]):
        path = tmp_path / f"plot{i}.png"
        p.figure.savefig(path)
        assert path.stat().st_size > 1000


def test_close_closes_the_figures(si):
    import matplotlib.pyplot as plt

    p = si.plot()
    p.close()
    assert not plt.fignum_exists(p.figure.number)
