"""More reductions, derivative/diff and integrals, against numpy and scipy."""

import numpy as np
import pytest
from scipy.integrate import simpson

from emunmix.signal import Signal1D

RNG = np.random.default_rng(0)
DATA = RNG.random((2, 3, 8))


def _signal(lazy=False, data=DATA):
    s = Signal1D(data.copy(), axes=[
        {"name": "y", "scale": 1.0, "offset": 0.0, "navigate": True},
        {"name": "x", "scale": 2.0, "offset": 10.0, "navigate": True},
        {"name": "E", "scale": 0.5, "offset": -1.0, "navigate": False}])
    return s.as_lazy() if lazy else s


def _np(s):
    return np.asarray(s.data.compute() if s._lazy else s.data)


NAN = DATA.copy()
NAN[0, 1, 2] = NAN[1, 0, 5] = np.nan


@pytest.mark.parametrize("lazy", [False, True])
@pytest.mark.parametrize("name", ["nansum", "nanmean", "nanmax", "nanmin", "nanstd",
                                  "nanvar"])
@pytest.mark.parametrize("axis, np_axis", [(None, (0, 1)), ("E", (2,)),
                                           ("signal", (2,)), (["x", "E"], (1, 2))])
def test_nan_reductions_match_numpy(lazy, name, axis, np_axis):
    s = _signal(lazy, NAN)
    r = getattr(s, name)(axis=axis)
    assert r._lazy is lazy
    np.testing.assert_allclose(_np(r), getattr(np, name)(NAN, axis=np_axis), rtol=1e-12)


def test_var_matches_numpy_and_axes():
    s = _signal()
    np.testing.assert_allclose(s.var().data, DATA.var(axis=(0, 1)))
    r = s.var("x")
    np.testing.assert_allclose(r.data, DATA.var(axis=1))
    assert [a.name for a in r.axes_manager._array_axes] == ["y", "E"]
    np.testing.assert_allclose(np.var(s, axis="E").data, DATA.var(axis=2))


@pytest.mark.parametrize("lazy", [False, True])
def test_index_and_value_max_min(lazy):
    s = _signal(lazy)
    np.testing.assert_array_equal(_np(s.indexmax("E")), DATA.argmax(2))
    np.testing.assert_array_equal(_np(s.indexmin(-1)), DATA.argmin(2))
    # HyperSpy index 0 is the first navigation axis (x): array axis 1
    np.testing.assert_array_equal(_np(s.indexmax(0)), DATA.argmax(1))
    np.testing.assert_allclose(_np(s.valuemax(0)), 10.0 + 2.0 * DATA.argmax(1))
    np.testing.assert_allclose(_np(s.valuemin("E")), -1.0 + 0.5 * DATA.argmin(2))
    assert s.valuemax(0).axes_manager.signal_shape == (8,)


def test_index_max_of_one_spectrum_is_a_one_point_signal():
    s = Signal1D(np.array([1.0, 5, 2]))
    r = s.indexmax(0)
    assert r.data.tolist() == [1] and r.axes_manager.signal_shape == (1,)


@pytest.mark.parametrize("lazy", [False, True])
def test_integrate_simpson_and_integrate1d(lazy):
    s = _signal(lazy)
    x = -1.0 + 0.5 * np.arange(8)
    expected = simpson(DATA, x=x, axis=2)
    np.testing.assert_allclose(_np(s.integrate_simpson("E")), expected)
    np.testing.assert_allclose(_np(s.integrate1D(-1)), expected)
    # a binned axis sums, as HyperSpy
    s.axes_manager["E"].is_binned = True
    np.testing.assert_allclose(_np(s.integrate1D("E")), DATA.sum(2))


def test_integrate_simpson_exact_for_a_parabola():
    x = np.linspace(0, 2, 9)
    s = Signal1D(x**2, axes=[{"scale": 0.25, "offset": 0.0}])
    np.testing.assert_allclose(s.integrate_simpson(0).data, [8 / 3])


@pytest.mark.parametrize("lazy", [False, True])
def test_derivative_in_calibrated_units(lazy):
    s = _signal(lazy)
    x = -1.0 + 0.5 * np.arange(8)
    np.testing.assert_allclose(_np(s.derivative("E")), np.gradient(DATA, x, axis=2))
    twice = np.gradient(np.gradient(DATA, x, axis=2), x, axis=2)
    np.testing.assert_allclose(_np(s.derivative(-1, order=2)), twice)
    r = s.derivative("x")
    np.testing.assert_allclose(_np(r), np.gradient(DATA, 10.0 + 2.0 * np.arange(3), axis=1))
    assert r.axes_manager.signal_shape == (8,)


def test_derivative_of_a_line_is_its_slope_and_out():
    s = Signal1D(3.0 * np.arange(10.0), axes=[{"scale": 0.5, "offset": 0.0}])
    np.testing.assert_allclose(s.derivative(0).data, 6.0)
    out = Signal1D(np.zeros(10))
    assert s.derivative(0, out=out) is None
    np.testing.assert_allclose(out.data, 6.0)


@pytest.mark.parametrize("lazy", [False, True])
@pytest.mark.parametrize("order", [1, 2])
def test_diff_data_and_axis(lazy, order):
    s = _signal(lazy)
    r = s.diff("E", order=order)
    np.testing.assert_allclose(_np(r), np.diff(DATA, n=order, axis=2))
    ax = r.axes_manager["E"]
    assert ax.size == 8 - order
    assert ax.offset == pytest.approx(-1.0 + order * 0.5 / 2) and ax.scale == 0.5


def test_one_axis_methods_refuse_bad_arguments():
    s = _signal()
    with pytest.raises(ValueError, match="one axis"):
        s.indexmax("navigation")
    with pytest.raises(ValueError, match="one axis"):
        s.valuemin(["x", "E"])
    with pytest.raises(ValueError, match="no axis named"):
        s.integrate1D("Energy")
    with pytest.raises(ValueError, match="order"):
        s.derivative("E", order=0)
    with pytest.raises(ValueError, match="more than 9 points"):
        s.diff("E", order=9)
    with pytest.raises(TypeError, match="out="):
        s.nansum(out=s)
