"""``inav`` / ``isig``: ints, negative ints, slices, steps, calibrated floats, views."""

import numpy as np
import pytest

from emunmix.signal import BaseSignal, EELSSpectrum, Signal2D


def test_inav_ints_pick_a_pixel_in_natural_order(eels):
    sp = eels.inav[4, 2]  # x=4, y=2
    assert isinstance(sp, EELSSpectrum)
    assert sp.axes_manager.navigation_shape == ()
    np.testing.assert_array_equal(sp.data, eels.data[2, 4])
    assert sp.data[0] == 240


def test_inav_single_int_indexes_x(eels):
    line = eels.inav[1]
    assert line.axes_manager.navigation_shape == (3,)
    assert line.axes_manager.navigation_axes[0].name == "y"
    np.testing.assert_array_equal(line.data, eels.data[:, 1])


def test_inav_negative_ints(eels):
    np.testing.assert_array_equal(eels.inav[-1, -1].data, eels.data[-1, -1])
    np.testing.assert_array_equal(eels.inav[-5, -3].data, eels.data[0, 0])


def test_isig_int_drops_the_signal_axis(eels):
    img = eels.isig[3]
    assert isinstance(img, BaseSignal) and not isinstance(img, EELSSpectrum)
    assert img.axes_manager.navigation_shape == (5, 3)
    assert img.axes_manager.signal_shape == ()
    np.testing.assert_array_equal(img.data, eels.data[..., 3])


def test_indexing_every_axis_gives_a_one_point_generic_signal(eels):
    p = eels.inav[1, 2].isig[3]
    assert type(p) is BaseSignal
    assert p.data.shape == (1,) and p.data[0] == 213
    assert p.axes_manager[0].name == "Scalar"


def test_slices_keep_axes_and_calibration(eels):
    sub = eels.inav[1:4, :2]
    assert sub.axes_manager.navigation_shape == (3, 2)
    np.testing.assert_array_equal(sub.data, eels.data[:2, 1:4])
    assert sub.axes_manager["x"].offset == -1.0 + 1 * 0.5
    assert sub.axes_manager["x"].scale == 0.5
    assert sub.axes_manager["y"].offset == 1.0
    assert sub.metadata.General.title == "CL1"


def test_slice_with_step_updates_offset_and_scale(eels):
    sub = eels.isig[1::3]
    ax = sub.axes_manager["Energy loss"]
    np.testing.assert_array_equal(sub.data, eels.data[..., 1::3])
    assert ax.size == 3  # channels 1, 4, 7
    assert ax.offset == 400.5
    assert ax.scale == 1.5
    np.testing.assert_allclose(ax.axis, eels.axes_manager["Energy loss"].axis[1::3])


def test_negative_step_reverses_the_axis(eels):
    rev = eels.isig[::-1]
    np.testing.assert_array_equal(rev.data, eels.data[..., ::-1])
    ax = rev.axes_manager["Energy loss"]
    assert ax.size == 10 and ax.offset == 404.5 and ax.scale == -0.5
    np.testing.assert_allclose(ax.axis, eels.axes_manager["Energy loss"].axis[::-1])
    part = eels.isig[7:2:-2]
    np.testing.assert_array_equal(part.data, eels.data[..., 7:2:-2])
    np.testing.assert_allclose(part.axes_manager[-1].axis,
                               eels.axes_manager[-1].axis[7:2:-2])


def test_negative_slice_bounds(eels):
    np.testing.assert_array_equal(eels.isig[-3:].data, eels.data[..., -3:])
    assert eels.isig[-3:].axes_manager[-1].offset == 403.5


def test_float_slice_uses_calibrated_values(eels):
    # energy axis: 400.0, 400.5, ..., 404.5
    sub = eels.isig[401.0:403.0]
    np.testing.assert_array_equal(sub.data, eels.data[..., 2:6])
    assert sub.axes_manager[-1].offset == 401.0
    assert sub.axes_manager[-1].size == 4


def test_float_and_int_bounds_mix(eels):
    np.testing.assert_array_equal(eels.isig[401.0:8].data, eels.data[..., 2:8])
    np.testing.assert_array_equal(eels.isig[:402.0].data, eels.data[..., :4])


def test_float_index_picks_nearest_point(eels):
    np.testing.assert_array_equal(eels.isig[402.0].data, eels.data[..., 4])
    np.testing.assert_array_equal(eels.isig[402.2].data, eels.data[..., 4])
    # navigation x: -1.0, -0.5, 0, 0.5, 1.0 ; y: 1, 3, 5
    np.testing.assert_array_equal(eels.inav[0.0, 3.0].data, eels.data[1, 2])


def test_float_step_is_in_calibrated_units(eels):
    sub = eels.isig[400.0:404.0:1.0]  # 1 eV = 2 channels
    np.testing.assert_array_equal(sub.data, eels.data[..., 0:8:2])
    assert sub.axes_manager[-1].scale == 1.0


def test_float_slice_bounds_beyond_the_axis_clip(eels):
    np.testing.assert_array_equal(eels.isig[300.0:402.0].data, eels.data[..., :4])


def test_results_are_views(eels):
    for sub in (eels.inav[1:3], eels.inav[1, 1], eels.isig[2:8:2], eels.isig[401.0:403.0],
                eels.isig[4], eels.isig[::-1]):
        assert np.shares_memory(sub.data, eels.data)
    eels.inav[0, 0].data[0] = -7
    assert eels.data[0, 0, 0] == -7


@pytest.mark.parametrize("key, axis, rng", [
    (5, "x", "-5 to 4"), (-6, "x", "-5 to 4"), ((0, 3), "y", "-3 to 2")])
def test_inav_out_of_range_int_names_axis_and_range(eels, key, axis, rng):
    with pytest.raises(IndexError) as exc:
        eels.inav[key]
    assert repr(axis) in str(exc.value) and rng in str(exc.value)


def test_isig_out_of_range_int_names_axis(eels):
    with pytest.raises(IndexError, match=r"'Energy loss'.*size 10"):
        eels.isig[10]


def test_out_of_range_float_names_axis_and_range(eels):
    with pytest.raises(IndexError) as exc:
        eels.isig[500.0]
    msg = str(exc.value)
    assert "'Energy loss'" in msg and "[400, 404.5]" in msg and "eV" in msg
    with pytest.raises(IndexError, match=r"'x'.*\[-1, 1\] nm"):
        eels.inav[3.0]


def test_empty_slice_is_an_error_naming_the_axis(eels):
    with pytest.raises(IndexError, match=r"selects nothing on axis 'Energy loss'.*\[400, 404.5\]"):
        eels.isig[500.0:600.0]
    with pytest.raises(IndexError, match="'x'"):
        eels.inav[3:3]


def test_too_many_indices(eels):
    with pytest.raises(IndexError, match=r"too many navigation indices: got 3.*2 navigation"):
        eels.inav[0, 0, 0]
    with pytest.raises(IndexError, match=r"too many signal indices: got 2.*1 signal"):
        eels.isig[0, 0]


@pytest.mark.parametrize("key", ["a", [0, 1], None, True])
def test_unsupported_index_types(eels, key):
    with pytest.raises(TypeError):
        eels.inav[key]


def test_isig_on_an_image_in_natural_order():
    im = Signal2D(np.arange(2 * 3 * 4).reshape(2, 3, 4))  # nav 2, image x=4, y=3
    sub = im.isig[1:3, 0]  # x 1..2, y 0
    np.testing.assert_array_equal(sub.data, im.data[:, 0, 1:3])
    assert sub.axes_manager.signal_shape == (2,)


def test_lazy_indexing_stays_lazy_with_same_values(eels):
    lz = eels.as_lazy()
    sub = lz.isig[401.0:403.0].inav[1:, 0]
    assert sub._lazy
    np.testing.assert_array_equal(np.asarray(sub.data), eels.data[0, 1:, 2:6])
