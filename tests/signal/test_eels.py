"""EELSSpectrum zero-loss-peak tools against the datasets' ground truth, and bad input."""

import numpy as np
import pytest
from _state import assert_unchanged, state

import emunmix.api as hs
from _scree import components_above_noise
from emunmix.signal import BaseSignal, EELSSpectrum

LL_SCALE = 0.1  # eV per low-loss channel


@pytest.fixture
def ll3():
    return hs.datasets.LL3(return_truth=True)


@pytest.fixture
def cl3():
    return hs.datasets.CL3(return_truth=True)


def noiseless_copy(signal, truth):
    """The same signal holding the noiseless truth (to measure what a shift did)."""
    return signal._new_like(np.array(truth.noiseless), cls=EELSSpectrum)


# -- estimate_zero_loss_peak_centre --------------------------------------------------
def test_estimate_centre_is_a_navigation_signal_close_to_the_truth(ll3):
    s, truth = ll3
    c = s.estimate_zero_loss_peak_centre()
    assert isinstance(c, BaseSignal) and not isinstance(c, EELSSpectrum)
    assert c.axes_manager.navigation_shape == (64, 64)
    assert c.axes_manager.signal_dimension == 0
    assert c.metadata.get_item("General.title") == "ZLP(LL3)"
    err = (c.data - truth.shifts) / LL_SCALE
    assert np.std(err) < 0.05 and abs(np.mean(err)) < 0.05
    coarse = s.estimate_zero_loss_peak_centre(subpixel=False)  # exspy: brightest channel
    idx = (coarse.data + 20.0) / LL_SCALE
    np.testing.assert_allclose(idx, np.round(idx), atol=1e-6)
    assert np.max(np.abs(coarse.data - truth.shifts)) <= LL_SCALE  # noise: +-1 channel


def test_estimate_centre_mask_and_single_spectrum(ll3):
    s, truth = ll3
    mask = np.zeros((64, 64), bool)
    mask[3, 5] = True
    c = s.estimate_zero_loss_peak_centre(mask=mask)
    assert np.isnan(c.data[3, 5]) and np.isfinite(c.data[~mask]).all()
    one = s.inav[5, 3].estimate_zero_loss_peak_centre()
    assert one.data.shape == (1,)
    assert one.data[0] == pytest.approx(truth.shifts[3, 5], abs=0.01)


# -- align_zero_loss_peak: accuracy -------------------------------------------------------
def test_align_residual_spread_below_a_tenth_of_a_channel_and_zlp_at_zero(ll3, capsys):
    s, truth = ll3
    witness = noiseless_copy(s, truth)  # gets exactly the same shifts
    s.align_zero_loss_peak(also_align=[witness], print_stats=False)
    assert capsys.readouterr().out == ""
    # where the noiseless peaks went (estimator error ~0.001 channel on noiseless data)
    after = witness.estimate_zero_loss_peak_centre().data
    assert np.std(after) / LL_SCALE <= 0.1
    assert np.sqrt(np.mean(after**2)) / LL_SCALE <= 0.1  # calibrated: the ZLP at 0 eV
    assert abs(np.mean(s.estimate_zero_loss_peak_centre().data)) < 0.005
    # both cropped to channels valid everywhere, the same for both
    assert np.isfinite(s.data).all() and np.isfinite(witness.data).all()
    assert s.axes_manager.signal_axes[0] == witness.axes_manager.signal_axes[0]
    assert s.axes_manager.signal_axes[0].size < 1024


def test_also_align_core_loss_matches_the_unshifted_truth(ll3, cl3):
    ll, _ = ll3
    s3, truth = cl3
    witness = noiseless_copy(s3, truth)
    ll.align_zero_loss_peak(also_align=[s3, witness], print_stats=False)
    assert s3.axes_manager.navigation_shape == ll.axes_manager.navigation_shape == (64, 64)
    ax = s3.axes_manager.signal_axes[0]
    assert ax == witness.axes_manager.signal_axes[0]
    assert ax.size < 1024 and np.isfinite(s3.data).all()
    # after alignment and calibration each pixel is the unshifted CL2 spectrum
    cl2 = hs.datasets.CL2()
    e2 = cl2.axes_manager.signal_axes[0].axis
    ref = np.stack([np.interp(ax.axis, e2, row) for row in cl2.data.reshape(-1, 1024)])
    got = witness.data.reshape(-1, ax.size)
    rel = np.abs(got - ref).max() / ref.max()
    before = np.abs(truth.noiseless[..., 8:-8].reshape(-1, 1008) -
                    cl2.data[..., 8:-8].reshape(-1, 1008)).max() / ref.max()
    assert rel < 0.3 * before  # what is left is linear interpolation of 1 eV channels


def test_aligned_cl3_has_as_many_components_above_noise_as_cl1(ll3, cl3):
    ll, _ = ll3
    s3, _ = cl3
    n_cl1 = components_above_noise(hs.datasets.CL1().data)
    assert n_cl1 == 4
    assert components_above_noise(s3.data) > n_cl1 + 4  # the instability adds components
    linear = s3.deepcopy()
    ll.deepcopy().align_zero_loss_peak(also_align=[linear], print_stats=False,
                                       interpolation_method="linear")
    ll.align_zero_loss_peak(also_align=[s3], print_stats=False)
    assert components_above_noise(s3.data) == n_cl1
    # exspy's linear interpolation leaves its fraction-dependent blur as a component
    assert components_above_noise(linear.data) > n_cl1


def test_aligned_cl3_scree_with_the_decomposition_matches_cl1(ll3, cl3):
    pytest.importorskip("emunmix.learn.decomposition.pipeline")
    ll, _ = ll3
    s3, _ = cl3
    s1 = hs.datasets.CL1()
    s1.decomposition(True, print_info=False)
    ll.align_zero_loss_peak(also_align=[s3], print_stats=False)
    s3.decomposition(True, print_info=False)
    assert (s3.learning_results.number_significant_components
            == s1.learning_results.number_significant_components)


def test_print_stats_layout(ll3, capsys):
    s, truth = ll3
    s.align_zero_loss_peak()
    lines = capsys.readouterr().out.splitlines()
    assert lines[:4] == ["Initial ZLP position statistics", "-" * 31,
                         "Summary statistics", "-" * 18]
    keys = [ln.split("\t")[0] for ln in lines[4:] if ln]
    assert keys == ["mean:", "std:", "min:", "Q1:", "median:", "Q3:", "max:"]
    stats = {ln.split("\t")[0]: float(ln.split("\t")[1]) for ln in lines[4:] if ln}
    assert stats["std:"] == pytest.approx(np.std(truth.shifts), rel=0.01)
    assert stats["max:"] == pytest.approx(truth.shifts.max(), abs=0.01)


def test_no_calibrate_keeps_the_peaks_at_their_mean(ll3):
    s, truth = ll3
    s.align_zero_loss_peak(calibrate=False, print_stats=False)
    c = s.estimate_zero_loss_peak_centre().data
    assert np.mean(c) == pytest.approx(np.mean(truth.shifts), abs=0.005)


def test_crop_false_keeps_the_axis_and_mask_keeps_pixels(ll3):
    s, _ = ll3
    mask = np.zeros((64, 64), bool)
    mask[10, 20] = True
    kept = s.data[10, 20].copy()
    offset = s.axes_manager.signal_axes[0].offset
    s.align_zero_loss_peak(crop=False, calibrate=False, print_stats=False, mask=mask)
    assert s.axes_manager.signal_axes[0].size == 1024
    assert s.axes_manager.signal_axes[0].offset == offset
    np.testing.assert_array_equal(s.data[10, 20], kept)
    assert np.isnan(s.data).any()


def test_subpixel_false_is_channel_precise(ll3):
    s, truth = ll3
    witness = noiseless_copy(s, truth)
    s.align_zero_loss_peak(also_align=[witness], subpixel=False, print_stats=False)
    after = witness.estimate_zero_loss_peak_centre().data
    assert 0.1 < np.std(after) / LL_SCALE < 0.5


def test_progressbar_only_when_asked(ll3, capsys):
    s, _ = ll3
    s.align_zero_loss_peak(print_stats=False, show_progressbar=True)
    assert "align_zero_loss_peak" in capsys.readouterr().err


def test_signal_range_in_energies_and_indices(ll3):
    s, truth = ll3
    a = s.estimate_zero_loss_peak_centre(signal_range=(-5.0, 5.0)).data
    b = s.estimate_zero_loss_peak_centre(signal_range=(150, 250)).data
    np.testing.assert_allclose(a, b)
    np.testing.assert_allclose(a, truth.shifts, atol=0.01)


# -- align_zero_loss_peak: bad input changes nothing ---------------------------------------
@pytest.fixture
def pair():
    ll = hs.datasets.LL3().inav[:8, :6]
    cl = hs.datasets.CL3().inav[:8, :6]
    return ll, cl


def test_also_align_with_another_navigation_shape(pair):
    ll, cl = pair
    wrong = hs.datasets.CL3().inav[:6, :8]
    b_ll, b_cl, b_w = state(ll), state(cl), state(wrong)
    with pytest.raises(ValueError, match=r"\(6, 8\).*\(8, 6\)") as err:
        ll.align_zero_loss_peak(also_align=[cl, wrong])
    assert "also_align[1]" in str(err.value)
    for s, b in ((ll, b_ll), (cl, b_cl), (wrong, b_w)):
        assert_unchanged(s, b)


@pytest.mark.parametrize("kwargs, match", [
    ({"signal_range": (30.0, 40.0)}, "no zero-loss peak"),
    ({"signal_range": (200.0, 300.0)}, "outside the energy axis"),
    ({"signal_range": (1.0,)}, "pair"),
    ({"mask": np.ones((6, 8), bool)}, "masked"),
    ({"mask": np.ones((3, 3), bool)}, "mask"),
])
def test_bad_arguments_raise_before_any_change(pair, kwargs, match, capsys):
    ll, cl = pair
    b_ll, b_cl = state(ll), state(cl)
    with pytest.raises(ValueError, match=match):
        ll.align_zero_loss_peak(also_align=[cl], **kwargs)
    assert_unchanged(ll, b_ll)
    assert_unchanged(cl, b_cl)
    assert "Initial ZLP" not in capsys.readouterr().out


def test_nan_values_raise_before_any_change(pair):
    ll, cl = pair
    ll.data[2, 3, 200] = np.nan
    b_ll, b_cl = state(ll), state(cl)
    with pytest.raises(ValueError, match="NaN"):
        ll.align_zero_loss_peak(also_align=[cl])
    assert_unchanged(ll, b_ll)
    assert_unchanged(cl, b_cl)
    # masking the bad pixel makes it work
    mask = np.zeros((6, 8), bool)
    mask[2, 3] = True
    ll.align_zero_loss_peak(also_align=[cl], mask=mask, print_stats=False)


def test_no_peak_anywhere_is_a_clear_error(pair):
    ll, _ = pair
    flat = ll._new_like(np.ones_like(ll.data))
    with pytest.raises(ValueError, match="no zero-loss peak"):
        flat.align_zero_loss_peak()


def test_unknown_keyword_and_wrong_types(pair):
    ll, cl = pair
    before = state(ll)
    with pytest.raises(TypeError, match="unexpected"):
        ll.align_zero_loss_peak(also_align=[cl], bogus=1)
    with pytest.raises(TypeError):
        ll.align_zero_loss_peak(also_align=[cl.data])
    with pytest.raises(ValueError, match="interpolation_method"):
        ll.align_zero_loss_peak(also_align=[cl], interpolation_method="quartic")
    assert_unchanged(ll, before)


def test_lazy_signals_align_like_eager_ones(pair):
    ll, cl = pair
    ll2, cl2 = ll.as_lazy(), cl.as_lazy()
    ll.align_zero_loss_peak(also_align=[cl], print_stats=False)
    ll2.align_zero_loss_peak(also_align=[cl2], print_stats=False)
    cl2.compute()
    np.testing.assert_allclose(cl2.data, cl.data, rtol=1e-6)
    assert cl2.axes_manager.signal_axes[0] == cl.axes_manager.signal_axes[0]


def test_crop_false_with_calibration_puts_the_zlp_at_zero_despite_nan_edges(ll3):
    s, truth = ll3
    witness = noiseless_copy(s, truth)
    s.align_zero_loss_peak(also_align=[witness], crop=False, print_stats=False)
    assert s.axes_manager.signal_axes[0].size == 1024 and np.isnan(s.data).any()
    c = witness.estimate_zero_loss_peak_centre(signal_range=(-3.0, 3.0)).data
    assert abs(np.mean(c)) / LL_SCALE < 0.05
    assert np.std(c) / LL_SCALE <= 0.1
