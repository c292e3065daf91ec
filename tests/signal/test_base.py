"""BaseSignal: arithmetic, reductions, reshaping, copies, dtype and signal type."""

import copy
import operator

import numpy as np
import pytest

from emunmix.signal import (
    BaseSignal,
    ComplexSignal,
    ComplexSignal1D,
    ComplexSignal2D,
    EELSSpectrum,
    Signal1D,
    Signal2D,
)

# -- arithmetic ---------------------------------------------------------------------------

BINARY = [operator.add, operator.sub, operator.mul, operator.truediv, operator.pow]


@pytest.mark.parametrize("op", BINARY)
def test_binary_with_scalar_both_sides(eels, op):
    d = eels.data.astype(float) + 1  # avoid 0 ** negative / division by zero
    s = EELSSpectrum(d, axes=eels.axes_manager.as_dictionaries())
    r = op(s, 2.0)
    assert isinstance(r, EELSSpectrum)
    np.testing.assert_allclose(r.data, op(d, 2.0))
    l = op(2.0, s.isig[:3])  # 2 ** 400 would overflow; a few channels suffice
    np.testing.assert_allclose(l.data, op(2.0, d[..., :3]))
    assert r.axes_manager.as_dictionaries() == s.axes_manager.as_dictionaries()


def test_operations_do_not_modify_operands(eels):
    before = eels.data.copy()
    _ = eels * 3 + eels - 1
    np.testing.assert_array_equal(eels.data, before)


def test_result_keeps_metadata_and_is_independent(eels):
    r = eels + 1
    assert r.metadata.General.title == "CL1"
    r.metadata.General.title = "changed"
    assert eels.metadata.General.title == "CL1"
    assert not np.shares_memory(r.data, eels.data)


def test_unary_minus_and_abs(eels):
    n = -eels
    assert isinstance(n, EELSSpectrum)
    np.testing.assert_array_equal(n.data, -eels.data)
    a = abs(n)
    np.testing.assert_array_equal(a.data, eels.data)
    np.testing.assert_array_equal((+eels).data, eels.data)


def test_complex_scalar_gives_a_complex_signal(eels):
    sc = eels * 0.5
    c = eels + sc * 1j
    assert isinstance(c, ComplexSignal1D)
    assert np.iscomplexobj(c.data)
    np.testing.assert_array_equal(c.real.data, eels.data)
    np.testing.assert_array_equal(c.imag.data, sc.data)
    assert isinstance(c.real, EELSSpectrum)  # the signal type survives the round trip
    assert c.axes_manager.as_dictionaries() == eels.axes_manager.as_dictionaries()
    np.testing.assert_allclose(c.amplitude.data, np.abs(eels.data + 0.5j * eels.data))
    np.testing.assert_allclose(c.phase.data, np.angle(c.data))
    np.testing.assert_allclose(c.angle(deg=True).data, np.angle(c.data, deg=True))


def test_complex_2d_class():
    c = Signal2D(np.ones((2, 3, 4))) * 1j
    assert isinstance(c, ComplexSignal2D)
    assert isinstance(BaseSignal(np.ones(3)) * 1j, ComplexSignal)


def test_with_numpy_array_broadcasts_over_the_signal_axis(eels):
    ramp = np.arange(10.0)
    r = eels * ramp
    np.testing.assert_array_equal(r.data, eels.data * ramp)
    r2 = ramp + eels  # numpy on the left still gives a signal
    assert isinstance(r2, EELSSpectrum)
    np.testing.assert_array_equal(r2.data, eels.data + ramp)


def test_array_shape_mismatch_names_both_shapes(eels):
    with pytest.raises(ValueError) as exc:
        eels + np.ones(7)
    assert "(7,)" in str(exc.value) and "(3, 5, 10)" in str(exc.value)


def test_signal_plus_signal(eels):
    r = eels + eels
    np.testing.assert_array_equal(r.data, 2 * eels.data)


def test_single_spectrum_broadcasts_over_the_image_either_side(eels, spectrum):
    r = eels - spectrum
    np.testing.assert_array_equal(r.data, eels.data - eels.data[0, 0])
    assert r.axes_manager.navigation_shape == (5, 3)
    l = spectrum - eels
    np.testing.assert_array_equal(l.data, eels.data[0, 0] - eels.data)
    assert l.axes_manager.navigation_shape == (5, 3)
    assert l.axes_manager["x"].scale == 0.5


def test_per_pixel_scalar_signal_broadcasts_over_the_spectrum(eels):
    total = eels.sum("Energy loss")  # (5, 3|)
    norm = eels / total
    np.testing.assert_allclose(norm.data.sum(-1), 1.0, rtol=1e-6)
    np.testing.assert_allclose((total * eels).data, eels.data.sum(-1)[..., None] * eels.data)


def test_signal_shape_mismatch_names_both_shapes(eels):
    with pytest.raises(ValueError) as exc:
        eels + eels.isig[:5]
    assert "(5, 3|10)" in str(exc.value) and "(5, 3|5)" in str(exc.value)
    with pytest.raises(ValueError, match=r"\(5, 3\|10\).*\(2, 3\|10\)"):
        eels * eels.inav[:2]


def test_inplace_operators_modify_the_data(eels):
    data = eels.data
    eels += 1
    eels *= 2
    eels -= 2
    eels /= 2
    assert eels.data is data  # really in place: same array object
    assert eels.data[2, 4, 9] == 249  # ((249 + 1) * 2 - 2) / 2
    eels **= 2
    assert eels.data[0, 0, 1] == 1


def test_inplace_is_seen_by_shallow_copies(eels):
    shallow = eels.copy()
    eels += 1
    assert shallow.data[0, 0, 0] == 1


def test_inplace_with_signal_and_broadcast(eels, spectrum):
    ref = eels.data - eels.data[0, 0]
    eels -= spectrum.deepcopy()
    np.testing.assert_array_equal(eels.data, ref)


def test_inplace_int_plus_float_is_a_clear_error(eels_int):
    before = eels_int.data.copy()
    with pytest.raises(TypeError, match=r"int64 to float64.*change_dtype"):
        eels_int += 1.5
    np.testing.assert_array_equal(eels_int.data, before)
    eels_int += 2  # int into int is fine
    assert eels_int.data[0, 0, 0] == 2


def test_inplace_complex_into_real_is_an_error(eels):
    with pytest.raises(TypeError, match="complex"):
        eels += 1j


def test_inplace_shape_mismatch(eels):
    with pytest.raises(ValueError, match=r"\(5, 3\|10\)"):
        eels += eels.isig[:4]


def test_ufuncs_return_signals(eels):
    r = np.sqrt(eels)
    assert isinstance(r, EELSSpectrum)
    np.testing.assert_allclose(r.data, np.sqrt(eels.data))
    r = np.add(eels, 1)
    assert isinstance(r, EELSSpectrum)
    assert np.log1p(eels).axes_manager["Energy loss"].offset == 400.0


def test_numpy_reductions_call_the_signal_methods(eels):
    s = np.sum(eels)
    assert isinstance(s, EELSSpectrum)
    np.testing.assert_allclose(s.data, eels.data.sum(axis=(0, 1)))
    np.testing.assert_allclose(np.mean(eels).data, eels.data.mean(axis=(0, 1)))
    np.testing.assert_allclose(np.std(eels, ddof=1).data, eels.data.std(axis=(0, 1), ddof=1),
                               rtol=1e-6)
    with pytest.raises(TypeError, match="out="):
        eels.sum(out=np.empty(10))


def test_lazy_arithmetic(eels):
    lz = eels.as_lazy()
    r = (lz + 1) * lz
    assert r._lazy
    np.testing.assert_allclose(np.asarray(r.data), (eels.data + 1) * eels.data)
    lz += 1
    assert lz._lazy
    np.testing.assert_array_equal(np.asarray(lz.data), eels.data + 1)


# -- reductions ---------------------------------------------------------------------------

@pytest.mark.parametrize("name, func", [
    ("sum", np.sum), ("mean", np.mean), ("max", np.max), ("min", np.min), ("std", np.std)])
def test_reductions_over_navigation_by_default(eels, name, func):
    r = getattr(eels, name)()
    assert isinstance(r, EELSSpectrum)
    assert r.axes_manager.navigation_shape == () and r.axes_manager.signal_shape == (10,)
    np.testing.assert_allclose(r.data, func(eels.data, axis=(0, 1)), rtol=1e-6)
    assert r.axes_manager["Energy loss"].offset == 400.0


@pytest.mark.parametrize("axis, array_axis", [
    ("x", 1), ("y", 0), (0, 1), (1, 0), ("Energy loss", 2), (-1, 2), (2, 2)])
def test_reduction_over_one_axis_by_name_or_index(eels, axis, array_axis):
    r = eels.sum(axis)
    np.testing.assert_array_equal(r.data, eels.data.sum(axis=array_axis))
    removed = eels.axes_manager[axis].name
    assert removed not in [a.name for a in r.axes_manager]


def test_reduction_over_a_list_of_axes(eels):
    r = eels.mean(["x", "Energy loss"])
    np.testing.assert_allclose(r.data, eels.data.mean(axis=(1, 2)))
    assert [a.name for a in r.axes_manager] == ["y"]
    np.testing.assert_allclose(eels.max([0, "y"]).data, eels.data.max(axis=(0, 1)))


def test_reduction_by_space_name(eels):
    np.testing.assert_array_equal(eels.sum("signal").data, eels.data.sum(-1))
    np.testing.assert_array_equal(eels.sum("navigation").data, eels.data.sum((0, 1)))


def test_reduction_of_the_signal_axis_gives_a_navigation_map(eels):
    m = eels.sum(-1)
    assert type(m) is BaseSignal
    assert m.axes_manager.navigation_shape == (5, 3)
    assert m.axes_manager.signal_shape == ()


def test_reduction_over_all_axes_gives_a_one_point_signal(eels):
    r = eels.sum(["x", "y", "Energy loss"])
    assert type(r) is BaseSignal
    assert r.data.shape == (1,) and r.data[0] == eels.data.sum()


def test_reduction_of_an_unknown_axis(eels):
    with pytest.raises(ValueError, match="no axis named 'z'"):
        eels.sum("z")


def test_lazy_reduction(eels):
    r = eels.as_lazy().sum("x")
    assert r._lazy
    np.testing.assert_array_equal(np.asarray(r.data), eels.data.sum(1))


# -- copies ---------------------------------------------------------------------------------

def test_deepcopy_is_independent(eels):
    for d in (eels.deepcopy(), copy.deepcopy(eels)):
        assert type(d) is EELSSpectrum
        assert not np.shares_memory(d.data, eels.data)
        d.data[0, 0, 0] = 1234
        d.metadata.General.title = "other"
        d.axes_manager["x"].scale = 9.0
        d.original_metadata.Instrument.gain = 99
        assert eels.data[0, 0, 0] == 0
        assert eels.metadata.General.title == "CL1"
        assert eels.axes_manager["x"].scale == 0.5
        assert eels.original_metadata.Instrument.gain == 2


def test_copy_shares_data_but_not_axes_or_metadata(eels):
    for c in (eels.copy(), copy.copy(eels)):
        assert type(c) is EELSSpectrum
        assert np.shares_memory(c.data, eels.data)
        c.metadata.General.title = "other"
        c.axes_manager["x"].offset = 50.0
        assert eels.metadata.General.title == "CL1"
        assert eels.axes_manager["x"].offset == -1.0


def test_data_setter_checks_shape(eels):
    eels.data = np.zeros((3, 5, 10))
    assert eels.data.sum() == 0
    with pytest.raises(ValueError, match=r"\(2, 2\).*\(3, 5, 10\)"):
        eels.data = np.zeros((2, 2))


# -- reshaping ------------------------------------------------------------------------------

def test_transpose_swaps_spaces(eels):
    t = eels.T
    assert isinstance(t, Signal2D)
    assert t.axes_manager.navigation_shape == (10,)
    assert t.axes_manager.signal_shape == (5, 3)
    assert [a.name for a in t.axes_manager] == ["Energy loss", "x", "y"]
    # data at (E=2, y=1, x=4)
    assert t.data[2, 1, 4] == eels.data[1, 4, 2]
    assert t.axes_manager["x"].scale == 0.5 and not t.axes_manager["x"].navigate
    back = t.T
    np.testing.assert_array_equal(back.data, eels.data)
    assert [a.name for a in back.axes_manager] == ["x", "y", "Energy loss"]


def test_transpose_with_a_number_of_signal_axes(eels):
    # HyperSpy 2.5 counts from the data's last dimension: (3|10, 5), signal E and x
    t = eels.transpose(signal_axes=2)
    assert t.axes_manager.navigation_shape == (3,)
    assert [a.name for a in t.axes_manager.signal_axes] == ["Energy loss", "x"]
    assert t.data.shape == (3, 5, 10)
    n = eels.transpose(navigation_axes=1)
    assert [a.name for a in n.axes_manager.navigation_axes] == ["y"]
    assert n.axes_manager.signal_shape == (10, 5)


def test_transpose_by_names(eels):
    t = eels.transpose(signal_axes=["x"])
    assert [a.name for a in t.axes_manager.signal_axes] == ["x"]
    # the others in the data's natural order, as HyperSpy 2.5: (10, 3|5)
    assert [a.name for a in t.axes_manager.navigation_axes] == ["Energy loss", "y"]
    np.testing.assert_array_equal(t.data, eels.data.transpose(0, 2, 1))
    t2 = eels.transpose(navigation_axes=["Energy loss"])
    assert t2.axes_manager.navigation_shape == (10,)


def test_as_signal2D_and_back(eels):
    im = eels.as_signal2D((0, 1))
    assert isinstance(im, Signal2D)
    assert im.axes_manager.signal_shape == (5, 3)
    assert im.axes_manager.navigation_shape == (10,)
    sp = im.as_signal1D(0)  # energy becomes the signal axis again
    assert sp.axes_manager.signal_shape == (10,)
    np.testing.assert_array_equal(sp.data, eels.data)
    assert isinstance(sp, EELSSpectrum)


def test_as_signal1D_on_a_nav_axis(eels):
    s = eels.as_signal1D("x")
    assert s.axes_manager.signal_shape == (5,)
    assert s.axes_manager.navigation_shape == (10, 3)  # HyperSpy 2.5: (10, 3|5)
    np.testing.assert_array_equal(s.data[1, 2, :], eels.data[1, :, 2])


def test_crop_with_ints_and_floats(eels):
    a = eels.deepcopy()
    a.crop("x", 1, 4)
    assert a.axes_manager.navigation_shape == (3, 3)
    assert a.axes_manager["x"].offset == -0.5
    np.testing.assert_array_equal(a.data, eels.data[:, 1:4])
    b = eels.deepcopy()
    b.crop(2, 401.0, 403.0)
    np.testing.assert_array_equal(b.data, eels.data[..., 2:6])
    assert b.axes_manager[-1].offset == 401.0
    c = eels.deepcopy()
    c.crop("y", start=1)
    assert c.axes_manager["y"].offset == 3.0 and c.data.shape == (2, 5, 10)


def test_crop_empty_is_an_error(eels):
    with pytest.raises(ValueError, match="'x'"):
        eels.crop("x", 3, 3)


def test_crop_signal1D(eels):
    eels.crop_signal1D(401.0, 404.0)
    assert eels.axes_manager[-1].offset == 401.0
    assert eels.axes_manager[-1].size == 6
    assert eels.data[0, 0, 0] == 2
    with pytest.raises(ValueError, match="one signal axis"):
        Signal2D(np.zeros((3, 4))).crop_signal1D(0, 1)


def test_rebin_preserves_sums_and_calibration(eels):
    r = eels.rebin(scale=(5, 1, 2))
    assert r.axes_manager.shape == (1, 3, 5)
    np.testing.assert_allclose(r.data.sum(), eels.data.sum())
    np.testing.assert_array_equal(r.data, eels.data.reshape(3, 1, 5, 5, 2).sum(axis=(2, 4)))
    e = r.axes_manager["Energy loss"]
    assert e.scale == 1.0 and e.offset == 400.25  # centre of the first merged pair
    x = r.axes_manager["x"]
    assert x.scale == 2.5 and x.offset == -1.0 + 4 * 0.5 / 2
    assert isinstance(r, EELSSpectrum)


def test_rebin_by_new_shape(eels):
    r = eels.rebin(new_shape=(5, 3, 5))
    assert r.axes_manager.signal_shape == (5,)
    np.testing.assert_array_equal(r.data, eels.data.reshape(3, 5, 5, 2).sum(-1))


@pytest.mark.parametrize("kwargs", [
    {"scale": (2, 1, 1)}, {"new_shape": (10, 3, 10)}, {"scale": (1, 1)}, {}])
def test_rebin_errors(eels, kwargs):
    with pytest.raises(ValueError):
        eels.rebin(**kwargs)


def test_change_dtype_real(eels):
    eels.change_dtype("float64")
    assert eels.data.dtype == np.float64 and isinstance(eels, EELSSpectrum)
    eels.change_dtype(np.int16)
    assert eels.data.dtype == np.int16


def test_change_dtype_complex_and_back_changes_class(eels):
    eels.change_dtype("complex64")
    assert isinstance(eels, ComplexSignal1D)
    assert eels.data.dtype == np.complex64
    with pytest.warns(np.exceptions.ComplexWarning):
        eels.change_dtype("float32")
    assert type(eels) is EELSSpectrum


# -- signal types -----------------------------------------------------------------------------

def test_set_signal_type_changes_class_in_place():
    s = Signal1D(np.zeros((2, 8)))
    data = s.data
    s.set_signal_type("EELS")
    assert type(s) is EELSSpectrum
    assert s.metadata.Signal.signal_type == "EELS"
    assert s.data is data
    s.set_signal_type("eels")  # spelling is forgiving, stored canonical
    assert s.metadata.Signal.signal_type == "EELS"
    s.set_signal_type("")
    assert type(s) is Signal1D and s.metadata.Signal.signal_type == ""


def test_unknown_signal_type_is_an_error_listing_known_ones():
    s = Signal1D(np.zeros(8))
    with pytest.raises(ValueError, match=r"unknown signal_type 'FOO'.*EELS"):
        s.set_signal_type("FOO")
    assert type(s) is Signal1D and s.metadata.Signal.signal_type == ""


def test_signal_type_on_an_image_keeps_the_image_class():
    im = Signal2D(np.zeros((4, 4)))
    im.set_signal_type("EELS")  # there is no 2-D EELS class
    assert type(im) is Signal2D


def test_get_current_signal(eels):
    eels.axes_manager.indices = (4, 2)
    np.testing.assert_array_equal(eels.get_current_signal().data, eels.data[2, 4])
