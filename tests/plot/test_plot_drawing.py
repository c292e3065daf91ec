"""Shared drawing helpers: labels, extents, y autoscaling."""

import numpy as np
import pytest

from emunmix.plot.drawing import autoscale_y, image_aspect, image_extent
from emunmix.plot.labels import axis_label, axis_value_text, wrap
from emunmix.signal import DataAxis


def test_axis_labels():
    assert axis_label(DataAxis(5, name="Energy loss", units="eV")) == "Energy loss (eV)"
    assert axis_label(DataAxis(5, name="x")) == "x"
    assert axis_label(DataAxis(5), fallback="y") == "y"
    assert axis_label(DataAxis(5, name="x", units="nm"), calibrate=False) == "x (index)"
    assert axis_value_text(DataAxis(5, name="x", units="nm", scale=2, offset=1), 3) == "x = 7 nm"


def test_wrap():
    assert wrap("short", 30) == "short"
    assert wrap("a long label that needs wrapping", 10).count("\n") >= 2


def test_extent_and_aspect():
    x = DataAxis(4, name="x", units="nm", scale=2.0, offset=1.0)
    y = DataAxis(2, name="y", units="nm", scale=1.0)
    assert image_extent(x, y) == (0.0, 8.0, 1.5, -0.5)
    assert image_extent(x, y, calibrate=False) == (-0.5, 3.5, 1.5, -0.5)
    assert image_extent(x, None, shape=(3, 4)) == (0.0, 8.0, 2.5, -0.5)
    assert image_aspect(x, y) == "equal"
    assert image_aspect(x, DataAxis(2, units="eV")) == "auto"


def test_autoscale_keeps_limits_while_the_data_fill_them():
    import matplotlib.pyplot as plt

    ax = plt.figure().add_subplot()
    assert autoscale_y(ax, np.array([0.0, 10.0]))
    assert ax.get_ylim() == pytest.approx((-0.5, 10.5))
    assert not autoscale_y(ax, np.array([1.0, 9.0]), keep_fraction=0.6)  # fits and fills
    assert autoscale_y(ax, np.array([4.0, 5.0]), keep_fraction=0.6)  # too small now
    assert autoscale_y(ax, np.array([0.0, 20.0]), keep_fraction=0.6)  # sticks out
    assert not autoscale_y(ax, np.array([np.nan, np.nan]))
    ax.set_yscale("log")
    assert not autoscale_y(ax, np.array([1.0, 100.0]))
