"""Snapshot a signal's data and axes, and check a failed call left them as they were."""

import numpy as np


def state(s):
    return s.data.copy(), [a.get_axis_dictionary() for a in s.axes_manager._array_axes]


def assert_unchanged(s, before):
    data, axes = before
    np.testing.assert_array_equal(s.data, data)
    assert [a.get_axis_dictionary() for a in s.axes_manager._array_axes] == axes
