"""swap_axes and crop_signal with HyperSpy 2.5's meaning (values checked against numpy)."""

import numpy as np
import pytest

import emunmix.api as hs


def _cube():
    s = hs.signals.Signal1D(np.arange(2 * 3 * 4, dtype=float).reshape(2, 3, 4))
    for ax, name in zip(s.axes_manager._array_axes, ("y", "x", "E")):
        ax.name = name
    s.axes_manager["E"].scale = 0.5
    return s


def test_swap_axes_moves_data_and_calibration_and_keeps_roles_by_position():
    s = _cube()
    t = s.swap_axes("x", "E")  # HyperSpy: a navigation axis with the signal axis
    np.testing.assert_array_equal(t.data, np.swapaxes(s.data, 1, 2))
    names = [(a.name, a.navigate, a.scale) for a in t.axes_manager._array_axes]
    assert names == [("y", True, 1.0), ("E", True, 0.5), ("x", False, 1.0)]
    assert t.axes_manager.signal_shape == (3,) and s.data.shape == (2, 3, 4)  # s unchanged


def test_swap_axes_by_hyperspy_index_and_bad_axis():
    s = _cube()
    t = s.swap_axes(0, 2)  # natural order: x, y | E
    np.testing.assert_array_equal(t.data, np.swapaxes(s.data, 1, 2))
    with pytest.raises(IndexError, match="out of range"):
        s.swap_axes(0, 7)


def test_crop_signal_1d_takes_values_and_indices():
    s = _cube()
    s.crop_signal(0.5, 1.5)  # floats: calibrated (scale 0.5 -> channels 1..2)
    np.testing.assert_array_equal(s.data, np.arange(24.0).reshape(2, 3, 4)[..., 1:3])
    assert s.axes_manager["E"].offset == 0.5
    s.crop_signal(1)
    assert s.axes_manager.signal_shape == (1,)


def test_crop_signal_2d_top_bottom_left_right_and_empty_refused():
    im = hs.signals.Signal2D(np.arange(30.0).reshape(5, 6))
    before = im.data.copy()
    with pytest.raises(ValueError, match="empty"):
        im.crop_signal(4, 1, 2, 5)
    np.testing.assert_array_equal(im.data, before)  # nothing cropped
    im.crop_signal(1, 4, 2, 5)
    np.testing.assert_array_equal(im.data, before[1:4, 2:5])
