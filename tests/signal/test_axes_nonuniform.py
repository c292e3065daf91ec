"""Non-uniform axes (given by their values) through indexing, arithmetic, processing,
plotting and save/load; tools that need a uniform axis refuse them."""

from pathlib import Path

import matplotlib
import numpy as np
import pytest

import emunmix.api as hs
from emunmix.signal import Signal1D
from emunmix.signal.axes_nonuniform import NonUniformAxisError, NonUniformDataAxis

matplotlib.use("Agg")

REAL = Path(__file__).parents[1] / "data" / "real"
VALUES = 400.0 + np.arange(8) ** 1.5  # as in tests/data/make_real_expected.py


def _values(n=12):
    return 500.0 + np.cumsum(np.linspace(0.5, 2.0, n)) - 0.5  # spacing grows 0.5 -> 2


@pytest.fixture
def cl():
    """(4, 3 | 12) spectra on a wavelength axis whose spacing grows."""
    rng = np.random.default_rng(0)
    data = rng.poisson(20, (3, 4, 12)).astype(float)
    axes = [{"name": "y", "size": 3, "navigate": True, "scale": 2.0},
            {"name": "x", "size": 4, "navigate": True, "scale": 2.0},
            {"name": "Wavelength", "units": "nm", "navigate": False, "axis": _values()}]
    return Signal1D(data, axes=axes)


def test_axis_from_values_keeps_them_and_has_no_scale(cl):
    ax = cl.axes_manager.signal_axes[0]
    assert isinstance(ax, NonUniformDataAxis) and not ax.is_uniform
    np.testing.assert_array_equal(ax.axis, _values())
    assert (ax.low_value, ax.high_value) == (_values()[0], _values()[-1])
    with pytest.raises(NonUniformAxisError, match="non-uniform.*no scale"):
        _ = ax.scale
    assert "non-unif" in repr(cl.axes_manager)
    assert cl.axes_manager.navigation_axes[0].is_uniform


def test_value_to_index_is_the_nearest_value():
    ax = NonUniformDataAxis(axis=[1.0, 2.0, 4.0, 8.0], name="E")
    assert [ax.value2index(v) for v in (1.0, 1.4, 2.9, 3.1, 5.9, 6.1, 8.0)] == \
        [0, 0, 1, 2, 2, 3, 3]
    np.testing.assert_array_equal(ax.value2index([1.0, 8.0]), [0, 3])
    assert ax.index2value(2) == 4.0
    with pytest.raises(IndexError, match="out of the range"):
        ax.value2index(11.0)  # beyond half the last step (2)
    falling = NonUniformDataAxis(axis=[8.0, 4.0, 2.0, 1.0])
    assert [falling.value2index(v) for v in (8.0, 3.1, 1.2)] == [0, 1, 3]


@pytest.mark.parametrize("values", [[1.0, 1.0, 2.0], [1.0, 3.0, 2.0], [1.0, np.nan]])
def test_values_must_be_strictly_monotonic_and_finite(values):
    with pytest.raises(ValueError, match="strictly|finite"):
        NonUniformDataAxis(axis=values, name="E")


def test_isig_by_value_selects_the_nearest_channels(cl):
    v = _values()
    part = cl.isig[float(v[3]):float(v[9])]
    np.testing.assert_array_equal(part.axes_manager.signal_axes[0].axis, v[3:9])
    np.testing.assert_array_equal(part.data, cl.data[..., 3:9])
    # a value between channels picks the nearest one, as on a uniform axis
    point = cl.isig[float(v[5] + 0.1)]
    np.testing.assert_array_equal(point.data, cl.data[..., 5])
    stepped = cl.isig[::3]
    np.testing.assert_array_equal(stepped.axes_manager.signal_axes[0].axis, v[::3])
    with pytest.raises(TypeError, match="non-uniform.*integer"):
        cl.isig[::2.0]


def test_crop_keeps_the_axis_object_and_its_values(cl):
    ax = cl.axes_manager.signal_axes[0]
    cl.crop_signal1D(float(_values()[2]), float(_values()[7]))
    assert cl.axes_manager.signal_axes[0] is ax
    np.testing.assert_array_equal(ax.axis, _values()[2:7])
    assert cl.data.shape == (3, 4, 5)


def test_arithmetic_and_reductions_keep_the_values(cl):
    for result in (cl + 1, cl * cl, np.sqrt(cl), cl.sum(), cl.inav[1, 2], cl.T.T):
        np.testing.assert_array_equal(result.axes_manager.signal_axes[0].axis, _values())
    np.testing.assert_array_equal((cl * 2).data, cl.data * 2)


@pytest.mark.parametrize("ext", ["hspy", "zspy"])
def test_save_load_round_trip_keeps_the_values(tmp_path, cl, ext):
    cl.save(tmp_path / f"cl.{ext}")
    s = hs.load(tmp_path / f"cl.{ext}")
    ax = s.axes_manager.signal_axes[0]
    assert not ax.is_uniform
    np.testing.assert_array_equal(ax.axis, _values())
    assert (ax.name, ax.units) == ("Wavelength", "nm")
    np.testing.assert_array_equal(s.data, cl.data)


@pytest.mark.parametrize("ext", ["tif", "msa", "rpl", "emd"])
def test_formats_without_non_uniform_axes_refuse_them_and_write_nothing(tmp_path, cl, ext):
    s = cl.inav[0, 0] if ext == "msa" else cl
    with pytest.raises(ValueError, match="stores only uniform axes.*'Wavelength'.*hspy"):
        s.save(tmp_path / f"cl.{ext}")
    assert list(tmp_path.iterdir()) == []


def test_file_written_by_hyperspy_keeps_its_non_uniform_axis():
    s = hs.load(REAL / "hs_nonuniform.hspy")
    ax = s.axes_manager.signal_axes[0]
    assert repr(s) == "<Signal1D, title: HS non-uniform, dimensions: (3|8)>"
    assert not ax.is_uniform and (ax.name, ax.units) == ("Wavelength", "nm")
    np.testing.assert_allclose(ax.axis, VALUES, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(s.data, 10 * np.arange(3)[:, None] + np.arange(8))
    nav = s.axes_manager.navigation_axes[0]
    assert nav.is_uniform and (nav.name, nav.scale) == ("x", 0.5)


def test_decomposition_and_bss_treat_channels_as_channels(cl):
    # rank-2 data on the non-uniform axis: two components explain everything
    rng = np.random.default_rng(1)
    spectra = rng.random((2, 12))
    maps = rng.random((12, 2))
    cl.data = (maps @ spectra).reshape(3, 4, 12)
    cl.decomposition(print_info=False)
    ratio = cl.learning_results.explained_variance_ratio
    assert ratio[:2].sum() > 1 - 1e-10
    factors = cl.get_decomposition_factors()
    np.testing.assert_array_equal(factors.axes_manager.signal_axes[0].axis, _values())
    model = cl.get_decomposition_model(2)
    np.testing.assert_allclose(model.data, cl.data, atol=1e-10)
    np.testing.assert_array_equal(model.axes_manager.signal_axes[0].axis, _values())
    cl.blind_source_separation(2, print_info=False)
    bss = cl.get_bss_factors()
    np.testing.assert_array_equal(bss.axes_manager.signal_axes[0].axis, _values())


@pytest.mark.parametrize("call", [
    lambda s: s.align1D(),
    lambda s: s.shift1D(np.zeros((3, 4))),
    lambda s: s.estimate_shift1D(),
    lambda s: s.spikes_removal_tool(interactive=False),
    lambda s: s.find_spikes(),
    lambda s: s.remove_spikes(),
])
def test_tools_that_need_a_uniform_axis_refuse_with_a_clear_message(cl, call):
    before = cl.data.copy()
    with pytest.raises(NonUniformAxisError, match="needs a uniform axis.*'Wavelength'"):
        call(cl)
    np.testing.assert_array_equal(cl.data, before)


def test_zero_loss_peak_tools_refuse_a_non_uniform_energy_axis(cl):
    cl.set_signal_type("EELS")
    with pytest.raises(NonUniformAxisError, match="align_zero_loss_peak"):
        cl.align_zero_loss_peak()
    with pytest.raises(NonUniformAxisError, match="estimate_zero_loss_peak_centre"):
        cl.estimate_zero_loss_peak_centre()


def test_rebin_refuses_to_bin_a_non_uniform_axis_but_bins_the_others(cl):
    with pytest.raises(ValueError, match="non-uniform"):
        cl.rebin(scale=(1, 1, 2))
    binned = cl.rebin(scale=(2, 1, 1))
    np.testing.assert_array_equal(binned.axes_manager.signal_axes[0].axis, _values())
    np.testing.assert_array_equal(binned.data, cl.data[:, 0::2] + cl.data[:, 1::2])


def test_plot_draws_spectra_at_their_values(cl):
    import matplotlib.pyplot as plt

    cl.plot()
    fig = plt.gcf()
    lines = [ln for ax in fig.axes for ln in ax.get_lines() if len(ln.get_xdata()) == 12]
    assert lines, "no spectrum line drawn"
    np.testing.assert_array_equal(lines[0].get_xdata(), _values())
    plt.close("all")


def test_navigation_axis_given_by_values_plots_and_indexes():
    values = np.array([0.0, 1.0, 3.0, 7.0])
    s = Signal1D(np.arange(20.0).reshape(4, 5),
                 axes=[{"name": "t", "axis": values, "navigate": True}, {"navigate": False}])
    np.testing.assert_array_equal(s.inav[2.9].data, s.data[2])
    np.testing.assert_array_equal(s.inav[1.0:].axes_manager.navigation_axes[0].axis,
                                  values[1:])
    import matplotlib.pyplot as plt

    s.plot()
    plt.close("all")
