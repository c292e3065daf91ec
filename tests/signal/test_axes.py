"""Calibrated axes and the axes manager: conversions, orders, lookup, repr."""

import numpy as np
import pytest

from emunmix.signal import AxesManager, BaseSignal, DataAxis, EELSSpectrum, Signal1D, Signal2D


@pytest.fixture
def energy():
    return DataAxis(1024, name="Energy loss", units="eV", scale=0.5, offset=400.0,
                    navigate=False)


# -- DataAxis ---------------------------------------------------------------------------

def test_axis_values_follow_offset_and_scale(energy):
    ax = energy.axis
    assert ax.shape == (1024,)
    assert ax[0] == 400.0 and ax[1] == 400.5 and ax[-1] == 400.0 + 0.5 * 1023
    assert energy.low_value == 400.0 and energy.high_value == 911.5
    assert (energy.low_index, energy.high_index) == (0, 1023)


def test_value_to_index_and_back(energy):
    assert energy.value2index(500.0) == 200
    assert isinstance(energy.value2index(500.0), int)
    assert energy.index2value(200) == 500.0
    # nearest point: 500.2 -> 200, 500.3 -> 201
    assert energy.value2index(500.2) == 200
    assert energy.value2index(500.3) == 201
    np.testing.assert_array_equal(energy.value2index([400.0, 401.0, 911.5]), [0, 2, 1023])
    np.testing.assert_array_equal(energy.index2value([0, 2]), [400.0, 401.0])


def test_value_within_half_a_channel_of_the_ends_is_accepted(energy):
    assert energy.value2index(399.8) == 0
    assert energy.value2index(911.7) == 1023


@pytest.mark.parametrize("value", [300.0, 399.7, 911.8, 2000.0])
def test_out_of_range_value_names_axis_and_range(energy, value):
    with pytest.raises(IndexError) as exc:
        energy.value2index(value)
    msg = str(exc.value)
    assert "Energy loss" in msg and "400" in msg and "911.5" in msg and "eV" in msg


def test_negative_scale_axis_converts_both_ways():
    ax = DataAxis(5, name="t", scale=-2.0, offset=10.0)
    np.testing.assert_array_equal(ax.axis, [10, 8, 6, 4, 2])
    assert (ax.low_value, ax.high_value) == (2.0, 10.0)
    assert ax.value2index(6.0) == 2
    with pytest.raises(IndexError, match="'t'"):
        ax.value2index(0.0)


def test_zero_scale_is_kept_but_values_cannot_be_looked_up():
    # TVIPS time axes come with scale 0: the axis loads, integer indexing works
    ax = DataAxis(3, name="time", scale=0, offset=5.0)
    np.testing.assert_array_equal(ax.axis, [5.0, 5.0, 5.0])
    s = Signal1D(np.arange(6.0).reshape(3, 2), axes=[ax.get_axis_dictionary(),
                                                     {"navigate": False}])
    assert float(s.inav[1].data[1]) == 3.0
    with pytest.raises(ValueError, match="scale 0.*integers"):
        ax.value2index(5.0)
    with pytest.raises(ValueError, match="scale 0"):
        s.inav[5.0:]


def test_non_finite_calibration_is_rejected():
    with pytest.raises(ValueError, match="finite"):
        DataAxis(3, name="x", scale=float("nan"))


def test_missing_name_and_units_are_undefined_and_empty_ones_stay_empty():
    ax = DataAxis(3, name=None, units=None)
    assert ax.name == "<undefined>" and ax.units == "<undefined>"
    ax = DataAxis(3, name="", units="")  # as a file (and HyperSpy) gives them
    assert ax.name == "" and ax.units == ""


def test_axis_dictionary_round_trip(energy):
    d = energy.get_axis_dictionary()
    assert d == {"_type": "UniformDataAxis", "name": "Energy loss", "units": "eV",
                 "navigate": False, "is_binned": False, "size": 1024, "scale": 0.5,
                 "offset": 400.0}
    assert DataAxis(**d) == energy


def test_axis_copy_is_independent(energy):
    c = energy.copy()
    c.offset = 0.0
    assert energy.offset == 400.0


# -- AxesManager --------------------------------------------------------------------------

def test_navigation_and_signal_split(eels):
    am = eels.axes_manager
    assert [a.name for a in am.navigation_axes] == ["x", "y"]  # natural order
    assert [a.name for a in am.signal_axes] == ["Energy loss"]
    assert am.navigation_shape == (5, 3)
    assert am.signal_shape == (10,)
    assert am.shape == (5, 3, 10)
    assert (am.navigation_dimension, am.signal_dimension) == (2, 1)
    assert (am.navigation_size, am.signal_size) == (15, 10)
    assert all(a.navigate for a in am.navigation_axes)
    assert not any(a.navigate for a in am.signal_axes)


def test_natural_order_is_reversed_array_order(eels):
    am = eels.axes_manager
    assert eels.data.shape == (3, 5, 10)
    assert [a.name for a in am._array_axes] == ["y", "x", "Energy loss"]
    assert tuple(reversed(eels.data.shape[:2])) == am.navigation_shape


def test_getitem_by_name(eels):
    am = eels.axes_manager
    assert am["x"].size == 5 and am["x"].scale == 0.5
    assert am["y"].size == 3 and am["y"].offset == 1.0
    assert am["Energy loss"].units == "eV"


def test_getitem_by_index_uses_hyperspy_order(eels):
    am = eels.axes_manager
    assert [am[i].name for i in range(3)] == ["x", "y", "Energy loss"]
    assert am[-1].name == "Energy loss"
    assert am[-3].name == "x"
    assert [a.name for a in am] == ["x", "y", "Energy loss"]
    assert len(am) == 3


def test_getitem_errors(eels):
    am = eels.axes_manager
    with pytest.raises(ValueError, match="no axis named 'z'.*'x'"):
        am["z"]
    with pytest.raises(IndexError, match="3 axes"):
        am[3]
    with pytest.raises(TypeError):
        am[1.5]


def test_array_index_maps_hyperspy_order_to_array_order(eels):
    am = eels.axes_manager
    assert am.array_index(0) == 1  # x is the second array axis
    assert am.array_index("y") == 0
    assert am.array_index(am["Energy loss"]) == 2
    with pytest.raises(ValueError):
        am.array_index(DataAxis(3, name="x"))  # equal-looking but not this signal's


def test_axes_given_as_dicts_take_size_from_data():
    s = Signal1D(np.zeros((2, 7)), axes=[{"name": "x"}, {"name": "E", "navigate": False}])
    assert s.axes_manager["E"].size == 7 and s.axes_manager["x"].size == 2


def test_wrong_number_of_axes_is_an_error():
    with pytest.raises(ValueError, match="2 axes given for data with 3 dimensions"):
        Signal1D(np.zeros((2, 3, 4)), axes=[{"name": "a"}, {"name": "b", "navigate": False}])


def test_signal_axes_must_come_last_in_the_array():
    with pytest.raises(ValueError, match="navigation axes must come before"):
        Signal1D(np.zeros((2, 3)), axes=[{"navigate": False}, {"navigate": True}])


@pytest.mark.parametrize(
    "cls, shape, nav, sig",
    [
        (Signal1D, (4, 6, 8), (6, 4), (8,)),
        (Signal2D, (4, 6, 8), (4,), (8, 6)),
        (BaseSignal, (4, 6, 8), (), (8, 6, 4)),
        (Signal1D, (8,), (), (8,)),
    ],
)
def test_default_axes_per_class(cls, shape, nav, sig):
    am = cls(np.zeros(shape)).axes_manager
    assert am.navigation_shape == nav and am.signal_shape == sig


def test_repr_shows_natural_order_nonsquare(eels):
    assert repr(eels) == "<EELSSpectrum, title: CL1, dimensions: (5, 3|10)>"


def test_repr_of_a_64x64x1024_image():
    s = EELSSpectrum(np.zeros((64, 64, 1024), dtype=np.float32),
                     metadata={"General": {"title": "CL1"}})
    assert repr(s) == "<EELSSpectrum, title: CL1, dimensions: (64, 64|1024)>"


def test_repr_lazy_and_image():
    s = Signal2D(np.zeros((2, 3, 4)))
    assert repr(s) == "<Signal2D, title: , dimensions: (2|4, 3)>"
    assert repr(s.as_lazy()).startswith("<LazySignal2D")


def test_axes_manager_repr_lists_axes(eels):
    text = repr(eels.axes_manager)
    lines = text.splitlines()
    assert lines[0] == "<Axes manager, axes: (5, 3|10)>"
    # navigation axes in natural order, then the signal axis after the separator
    names = [ln.split("|")[0].strip() for ln in lines[3:] if "|" in ln]
    assert names == ["x", "y", "Energy loss"]
    assert "eV" in lines[-1] and "400" in lines[-1]


def test_axes_manager_copy_is_independent(eels):
    am = eels.axes_manager.copy()
    am["x"].scale = 99.0
    assert eels.axes_manager["x"].scale == 0.5
    assert isinstance(am, AxesManager)
