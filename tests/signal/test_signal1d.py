"""Signal1D.shift1D / estimate_shift1D / align1D: conventions, calibration, bad input."""

import numpy as np
import pytest
from _state import assert_unchanged, state

from emunmix.signal import BaseSignal, EELSSpectrum, Signal1D


def gaussians(centres, n=64, width=2.0, scale=0.5, offset=10.0):
    """Spectrum image of Gaussian peaks at calibrated ``centres`` (array of nav shape)."""
    centres = np.asarray(centres, dtype=float)
    e = offset + scale * np.arange(n)
    data = 100 * np.exp(-0.5 * ((e - centres[..., None]) / width) ** 2) + 5.0
    nav = [{"name": n_, "units": "nm", "navigate": True}
           for n_ in ("y", "x")[2 - centres.ndim:]]
    axes = nav + [{"name": "E", "units": "eV", "scale": scale, "offset": offset,
                   "navigate": False}]
    return Signal1D(data, axes=axes)


def peak_position(s):
    """Calibrated position of the maximum of each spectrum (centroid of the top)."""
    ax = s.axes_manager.signal_axes[0]
    d = np.nan_to_num(s.data)
    return ax.offset + ax.scale * np.argmax(d, axis=-1)


# -- shift1D ----------------------------------------------------------------------
def test_shift1D_positive_moves_features_up_in_calibrated_units():
    s = gaussians([[20.0, 20.0]])
    s.shift1D(np.array([[0.0, 2.0]]), crop=False)  # 2 eV = 4 channels of 0.5 eV
    pos = peak_position(s)
    assert pos[0, 0] == pytest.approx(20.0)
    assert pos[0, 1] == pytest.approx(22.0)
    assert s.axes_manager.signal_axes[0].size == 64
    assert np.isnan(s.data[0, 1, :4]).all() and not np.isnan(s.data[0, 0]).any()


def test_shift1D_crop_keeps_valid_channels_and_moves_offset():
    s = gaussians([20.0, 20.0, 20.0])
    s.shift1D(np.array([-1.0, 0.0, 1.5]))  # -2, 0, +3 channels
    ax = s.axes_manager.signal_axes[0]
    assert ax.size == 64 - 2 - 3
    assert ax.offset == pytest.approx(10.0 + 3 * 0.5)
    assert np.isfinite(s.data).all()
    np.testing.assert_allclose(peak_position(s), [19.0, 20.0, 21.5])


def test_shift1D_expand_keeps_all_data():
    s = gaussians([20.0, 20.0])
    total = s.data.sum(axis=-1)
    s.shift1D(np.array([-1.0, 1.5]), expand=True)
    ax = s.axes_manager.signal_axes[0]
    assert ax.size == 64 + 2 + 3  # -2 channels need room before, +3 after
    assert ax.offset == pytest.approx(10.0 - 2 * 0.5)
    np.testing.assert_allclose(np.nansum(s.data, axis=-1), total, rtol=1e-6)


def test_shift1D_subchannel_linear_and_fill_value():
    s = Signal1D(np.arange(10.0)[None].repeat(2, 0))
    s.shift1D(np.array([0.5, 0.0]), crop=False, fill_value=-1.0)
    assert s.data[0, 0] == -1.0
    np.testing.assert_allclose(s.data[0, 1:], np.arange(9) + 0.5)
    np.testing.assert_array_equal(s.data[1], np.arange(10.0))


@pytest.mark.parametrize("name", ["linear", "slinear", 1, "cubic", 3, "nearest", "zero", 0,
                                  "gaussian"])
def test_shift1D_accepts_hyperspy_interpolation_names(name):
    s = gaussians([20.0, 21.0])
    s.shift1D(np.array([1.0, 0.0]), interpolation_method=name)
    np.testing.assert_allclose(peak_position(s), [21.0, 21.0])


def test_shift1D_nan_shift_leaves_spectrum_and_does_not_crop():
    s = gaussians([20.0, 20.0])
    original = s.data[1].copy()
    s.shift1D(np.array([1.0, np.nan]))
    assert s.axes_manager.signal_axes[0].size == 62
    np.testing.assert_array_equal(s.data[1], original[2:])


def test_shift1D_takes_a_signal_and_a_scalar():
    s = gaussians([[20.0, 20.0], [20.0, 20.0]])
    shifts = BaseSignal(np.array([[0.0, 1.0], [2.0, -1.0]]),
                        axes=[{"navigate": True}, {"navigate": True}])
    s.shift1D(shifts, crop=False)
    np.testing.assert_allclose(peak_position(s), [[20.0, 21.0], [22.0, 19.0]])
    s.shift1D(1.0, crop=False)
    np.testing.assert_allclose(peak_position(s), [[21.0, 22.0], [23.0, 20.0]])


def test_shift1D_float32_stays_float32_and_int_becomes_float():
    s = Signal1D(np.ones((3, 8), dtype=np.float32))
    s.shift1D(np.zeros(3) + 0.5)
    assert s.data.dtype == np.float32
    s = Signal1D(np.ones((3, 8), dtype=np.int64))
    s.shift1D(np.zeros(3) + 0.5)
    assert np.issubdtype(s.data.dtype, np.floating)


@pytest.mark.parametrize("bad", [np.zeros(3), np.zeros((2, 3)), np.array([np.inf, 0.0])])
def test_shift1D_bad_shift_array_changes_nothing(bad):
    s = gaussians([20.0, 20.0])
    before = state(s)
    with pytest.raises(ValueError):
        s.shift1D(bad)
    assert_unchanged(s, before)


def test_shift1D_unknown_interpolation_and_too_large_shifts():
    s = gaussians([20.0, 20.0])
    before = state(s)
    with pytest.raises(ValueError, match="interpolation_method"):
        s.shift1D(np.zeros(2), interpolation_method="quintic")
    with pytest.raises(ValueError, match="crop"):
        s.shift1D(np.array([-20.0, 20.0]))
    assert_unchanged(s, before)


def test_shift1D_lazy_equals_eager():
    s = gaussians(np.linspace(18, 22, 12).reshape(3, 4))
    lazy = s.as_lazy()
    shifts = np.linspace(-1.3, 1.7, 12).reshape(3, 4)
    for kw in ({}, {"crop": False}, {"expand": True}):
        a, b = s.deepcopy(), lazy.deepcopy()
        a.shift1D(shifts, **kw)
        b.shift1D(shifts, **kw)
        assert b._lazy
        b.compute()
        np.testing.assert_allclose(b.data, a.data, equal_nan=True)
        assert b.axes_manager.signal_axes[0] == a.axes_manager.signal_axes[0]


def test_shift1D_progressbar_only_when_asked(capsys):
    s = gaussians([20.0, 20.0])
    s.shift1D(np.zeros(2), show_progressbar=None)
    assert capsys.readouterr().err == ""
    s.shift1D(np.zeros(2), show_progressbar=True)
    assert "shift1D" in capsys.readouterr().err


# -- estimate_shift1D / align1D -----------------------------------------------------------
def test_estimate_shift1D_returns_calibrated_shifts_that_align():
    true = np.array([[20.0, 21.3], [18.8, 20.55]])
    s = gaussians(true)
    shifts = s.estimate_shift1D()  # reference: current position (0, 0), as HyperSpy
    assert shifts.shape == (2, 2)
    np.testing.assert_allclose(shifts, true[0, 0] - true, atol=0.03)
    shifts = s.estimate_shift1D(reference_indices=(1, 0))  # natural order: x=1, y=0
    np.testing.assert_allclose(shifts, true[0, 1] - true, atol=0.03)
    shifts = s.estimate_shift1D(reference_indices="mean")
    np.testing.assert_allclose(shifts - shifts.mean(), -(true - true.mean()), atol=0.05)


def test_estimate_shift1D_window_integers_floats_and_old_names():
    s = gaussians([20.0, 21.0])
    a = s.estimate_shift1D(10, 50)
    b = s.estimate_shift1D(15.0, 35.0)
    c = s.estimate_shift1D(start_index=10, end_index=50)
    np.testing.assert_allclose(a, [0.0, -1.0], atol=0.05)  # 0.1 channel
    np.testing.assert_allclose(b, a, atol=0.05)
    np.testing.assert_allclose(c, a)


def test_estimate_shift1D_integer_precision_and_mask_and_max_shift():
    s = gaussians([20.0, 21.3, 20.0])
    shifts = s.estimate_shift1D(interpolate=False, mask=np.array([False, False, True]))
    assert shifts[1] == pytest.approx(-1.5)  # whole channels of 0.5 eV
    assert np.isnan(shifts[2])
    shifts = s.estimate_shift1D(max_shift=1)  # channels, as HyperSpy
    assert abs(shifts[1]) <= 0.5 + 1e-9


def test_estimate_shift1D_errors():
    s = gaussians([20.0, 21.0])
    with pytest.raises(ValueError, match="at least 3"):
        s.estimate_shift1D(10, 11)
    with pytest.raises(ValueError, match="out of the range"):
        s.estimate_shift1D(100.0, 200.0)
    with pytest.raises(IndexError):
        s.estimate_shift1D(reference_indices=(5,))
    with pytest.raises(ValueError, match="mask"):
        s.estimate_shift1D(mask=np.zeros(5, bool))
    s.data[0, 30] = np.nan
    with pytest.raises(ValueError, match="finite"):
        s.estimate_shift1D()


def test_align1D_aligns_itself_and_also_align_with_its_own_axis():
    true = np.array([20.0, 21.0, 19.5, 20.5])
    s = gaussians(true)
    # a second signal with the same energy shifts on a finer axis
    fine = gaussians(true + 30.0, n=256, scale=0.125, offset=40.0)
    shifts = s.align1D(reference_indices=(0,), also_align=[fine])
    np.testing.assert_allclose(shifts, 20.0 - true, atol=0.03)
    np.testing.assert_allclose(peak_position(s), 20.0, atol=0.26)
    np.testing.assert_allclose(peak_position(fine), 50.0, atol=0.07)
    assert fine.axes_manager.signal_axes[0].size == 256 - 8 - 4  # shifts -8..+4 channels


def test_align1D_rejects_also_align_of_another_shape_before_changing_anything():
    s = gaussians([20.0, 21.0, 22.0])
    other = gaussians([20.0, 21.0])
    before, before_other = state(s), state(other)
    with pytest.raises(ValueError, match=r"\(2,\).*\(3,\)"):
        s.align1D(also_align=[other])
    assert_unchanged(s, before)
    assert_unchanged(other, before_other)
    with pytest.raises(ValueError, match="itself"):
        s.align1D(also_align=[s])
    with pytest.raises(TypeError):
        s.align1D(also_align=[np.zeros((3, 64))])
    assert_unchanged(s, before)


def test_methods_exist_on_eels_spectra():
    s = EELSSpectrum(np.ones((2, 16)))
    for name in ("shift1D", "estimate_shift1D", "align1D", "find_spikes",
                 "spikes_removal_tool", "remove_spikes"):
        assert callable(getattr(s, name))
