"""Pre-processing guards: an alignment on data without the feature it aligns refuses
(nothing modified), and spectra it cannot trust are left alone with a warning that
counts them."""

import warnings

import numpy as np
import pytest
from _cli_helpers import assert_state_unchanged, lowloss, signal_state

from emunmix.exceptions import AlignmentWarning
from emunmix.preprocess.zlp_checks import PEAK_SCORE_MIN, zlp_peak_scores, zlp_plausibility
from emunmix.signal import EELSSpectrum, Signal1D


def _noise(shape=(8, 8, 256), lam=10.0, seed=0, cls=EELSSpectrum):
    s = cls(np.random.default_rng(seed).poisson(lam, shape).astype(float))
    s.axes_manager[-1].scale, s.axes_manager[-1].offset = 0.1, -5.0
    return s


@pytest.mark.parametrize("lam", [0.5, 10.0, 1000.0])
def test_align_zlp_on_flat_poisson_noise_refuses_and_changes_nothing(lam):
    s, other = _noise(lam=lam), _noise(seed=1)
    before, before_other = signal_state(s), signal_state(other)
    with pytest.raises(ValueError) as info:
        s.align_zero_loss_peak(also_align=[other], print_stats=False)
    msg = str(info.value)
    assert "no zero-loss peak found in 64 of 64 spectra" in msg
    assert "nothing was changed" in msg and "signal_range" in msg and "mask" in msg
    assert_state_unchanged(s, before)
    assert_state_unchanged(other, before_other)


def test_align_zlp_refuses_when_most_spectra_lack_a_peak():
    s = lowloss(shape=(4, 5))
    rng = np.random.default_rng(3)
    s.data[:3] = rng.poisson(10, s.data[:3].shape)  # 15 of 20 spectra are noise
    before = signal_state(s)
    with pytest.raises(ValueError, match="no zero-loss peak found in 15 of 20 spectra"):
        s.align_zero_loss_peak(print_stats=False)
    assert_state_unchanged(s, before)


def test_a_few_spectra_without_a_peak_are_left_alone_with_a_warning():
    s = lowloss(shape=(4, 5))
    noise = np.random.default_rng(1).poisson(10, 128).astype("float32")
    s.data[0, 0] = noise
    s.data[2, 3, 120] = 1e5  # a hot channel far from the peak: an implausible centre
    hot = s.data[2, 3].copy()
    with pytest.warns(AlignmentWarning) as record:
        s.align_zero_loss_peak(print_stats=False, crop=False)
    msg = str(record[0].message)
    assert "2 of 20 spectra are left unshifted" in msg
    assert "1 without a zero-loss peak" in msg and "1 with an implausible shift" in msg
    assert "mask=" in msg
    np.testing.assert_array_equal(s.data[0, 0], noise)  # untouched
    np.testing.assert_array_equal(s.data[2, 3], hot)
    # the others are aligned: their peaks now share one channel
    peaks = np.nanargmax(s.data.reshape(20, -1), axis=1)
    kept = np.delete(peaks, [0, 13])
    assert np.ptp(kept) <= 1


def test_masking_the_bad_spectra_silences_the_warning():
    s = lowloss(shape=(4, 5))
    s.data[0, 0] = np.random.default_rng(1).poisson(10, 128)
    mask = np.zeros((4, 5), bool)
    mask[0, 0] = True
    with warnings.catch_warnings():
        warnings.simplefilter("error", AlignmentWarning)
        s.align_zero_loss_peak(print_stats=False, mask=mask)


def test_peaks_too_far_apart_for_a_crop_are_refused():
    s = lowloss(shape=(4, 5))
    # half the peaks 66 channels later: a crop would keep 128 - 66 < 64 of 128
    s.data[2:] = np.roll(s.data[2:], 66, axis=-1)
    before = signal_state(s)
    with pytest.raises(ValueError) as info:
        s.align_zero_loss_peak(print_stats=False)
    msg = str(info.value)
    assert "would keep only" in msg and "of 128 channels" in msg and "crop=False" in msg
    assert_state_unchanged(s, before)
    s.align_zero_loss_peak(print_stats=False, crop=False)  # asked for: done
    assert s.axes_manager.signal_shape == (128,)


def test_real_low_loss_data_align_without_warnings():
    s = lowloss(shape=(6, 7), seed=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error", AlignmentWarning)
        s.align_zero_loss_peak(print_stats=False)
    assert s.axes_manager.signal_shape[0] >= 110


def test_align1d_on_noise_refuses_and_changes_nothing():
    s, other = _noise(cls=Signal1D), _noise(seed=2, cls=Signal1D)
    before, before_other = signal_state(s), signal_state(other)
    with pytest.raises(ValueError) as info:
        s.align1D(also_align=[other], show_progressbar=False)
    msg = str(info.value)
    assert "would keep" in msg and "nothing was changed" in msg and "start/end" in msg
    assert_state_unchanged(s, before)
    assert_state_unchanged(other, before_other)


def test_peak_scores_separate_peaks_from_noise():
    e = np.arange(256.0)
    rng = np.random.default_rng(0)
    peaks = rng.poisson(500 * np.exp(-0.5 * ((e - 60) / 4) ** 2) + 20, (50, 256))
    noise = rng.poisson(20, (50, 256))
    assert (zlp_peak_scores(peaks) > 10 * PEAK_SCORE_MIN).all()
    assert (zlp_peak_scores(noise) < PEAK_SCORE_MIN).all()
    assert zlp_peak_scores(np.zeros((1, 8)))[0] == 0  # flat
    assert zlp_peak_scores(0.5 * np.eye(1, 8, 3))[0] == np.inf  # noiseless peak


def test_plausibility_flags_outlying_centres_only():
    rows = np.tile(np.exp(-0.5 * ((np.arange(64) - 30) / 2.0) ** 2) * 100, (10, 1))
    centres = np.r_[np.linspace(-0.1, 0.1, 9), 3.0]
    check = zlp_plausibility(rows, centres, 0.1)
    assert check.implausible.tolist() == [False] * 9 + [True]
    assert not check.no_peak.any() and check.n_checked == 10
    masked = zlp_plausibility(rows, np.r_[centres[:9], np.nan], 0.1)
    assert masked.n_checked == 9 and not masked.implausible.any()
