"""Zero-loss-peak centres: sub-channel accuracy, errors, and alignment of LL3/CL3."""

from __future__ import annotations

import numpy as np
import pytest

from _scree import poisson_scree
from emunmix.datasets import make_dataset
from emunmix.preprocess.shift import crop_range_after_shift, shift_1d
from emunmix.preprocess.zlp import (
    align_zlp_shifts,
    estimate_zlp_centre,
    signal_range_to_channels,
)

OFFSET, SCALE, N = -5.0, 0.05, 400
E = OFFSET + SCALE * np.arange(N)


def peaks(centres, fwhm=0.5, eta=0.0, height=1e4, background=5.0):
    """Pseudo-Voigt peaks (energies in eV) on the test axis."""
    c = np.asarray(centres, dtype=float)[..., None]
    x2 = ((E - c) * 2.0 / fwhm) ** 2
    return height * (eta / (1 + x2) + (1 - eta) * np.exp(-np.log(2) * x2)) + background


# sub-channel centres spread over a whole channel
CENTRES = 0.3 + SCALE * np.linspace(0, 1, 41)


@pytest.mark.parametrize("method", ["fit", "com"])
@pytest.mark.parametrize("fwhm", [0.15, 0.5, 1.0])
def test_gaussian_centres_to_a_fraction_of_a_channel(method, fwhm):
    c = estimate_zlp_centre(peaks(CENTRES, fwhm), OFFSET, SCALE, method=method)
    assert np.abs(c - CENTRES).max() / SCALE < 0.05


@pytest.mark.parametrize("method", ["fit", "com"])
def test_lorentzian_tails_relative_centres(method):
    # only the spread matters for alignment; "com" is unbiased for any symmetric shape
    c = estimate_zlp_centre(peaks(CENTRES, 0.5, eta=0.5), OFFSET, SCALE, method=method)
    err = (c - CENTRES) / SCALE
    assert np.ptp(err) < (0.1 if method == "fit" else 0.02)


def test_argmax_and_subpixel_false_give_channel_centres():
    c = estimate_zlp_centre(peaks(CENTRES), OFFSET, SCALE, subpixel=False)
    idx = (c - OFFSET) / SCALE
    np.testing.assert_allclose(idx, np.round(idx), atol=1e-9)
    assert np.abs(c - CENTRES).max() <= SCALE / 2 + 1e-9
    argmax = estimate_zlp_centre(peaks(CENTRES), OFFSET, SCALE, method="argmax")
    np.testing.assert_array_equal(c, argmax)


def test_noisy_peaks_and_nd_shape():
    rng = np.random.default_rng(0)
    true = rng.normal(0.0, 0.2, (6, 7))
    data = rng.poisson(peaks(true, 0.5)).astype(np.float32)
    c = estimate_zlp_centre(data, OFFSET, SCALE)
    assert c.shape == (6, 7)
    assert np.sqrt(np.mean((c - true) ** 2)) / SCALE < 0.05


def test_signal_range_restricts_the_search():
    data = peaks([0.0]) + peaks([3.0], height=3e4)  # a brighter peak at 3 eV
    assert estimate_zlp_centre(data, OFFSET, SCALE)[0] == pytest.approx(3.0, abs=1e-3)
    c = estimate_zlp_centre(data, OFFSET, SCALE, signal_range=(-1.0, 1.0))
    assert c[0] == pytest.approx(0.0, abs=1e-3)
    assert signal_range_to_channels((-1.0, 1.0), OFFSET, SCALE, N) == (80, 121)
    assert signal_range_to_channels((1.0, -1.0), OFFSET, SCALE, N) == (80, 121)
    assert signal_range_to_channels((-100.0, 1.0), OFFSET, SCALE, N) == (0, 121)


def test_range_outside_the_axis_names_range_and_limits():
    with pytest.raises(ValueError, match=r"\(20, 30\).*outside.*\[-5, 14\.95\]"):
        estimate_zlp_centre(peaks([0.0]), OFFSET, SCALE, signal_range=(20.0, 30.0))
    with pytest.raises(ValueError, match="at least 3"):
        estimate_zlp_centre(peaks([0.0]), OFFSET, SCALE, signal_range=(0.0, 0.06))


def test_no_peak_in_range_is_an_error():
    data = peaks([0.0, 0.1])
    with pytest.raises(ValueError, match=r"no zero-loss peak inside the signal range \[0\.5, 2\].*"
                                         r"energy axis \[-5, 14\.95\].*2 of 2"):
        estimate_zlp_centre(data, OFFSET, SCALE, signal_range=(0.5, 2.0))
    flat = np.ones((3, N))
    with pytest.raises(ValueError, match="flat"):
        estimate_zlp_centre(flat, OFFSET, SCALE)


def test_nan_is_an_error_unless_masked():
    data = peaks([0.0, 0.1, 0.2])
    data[1, 50] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        estimate_zlp_centre(data, OFFSET, SCALE)
    c = estimate_zlp_centre(data, OFFSET, SCALE, mask=[False, True, False])
    assert np.isnan(c[1]) and c[[0, 2]] == pytest.approx([0.0, 0.2], abs=1e-3)
    assert np.isnan(estimate_zlp_centre(data, OFFSET, SCALE, mask=True)).all()


def test_bad_method():
    with pytest.raises(ValueError, match="method"):
        estimate_zlp_centre(peaks([0.0]), OFFSET, SCALE, method="gauss")


def test_align_zlp_shifts_targets_units_and_nan():
    c = np.array([0.1, -0.1, np.nan, 0.3])
    np.testing.assert_allclose(align_zlp_shifts(c), [0.0, 0.2, np.nan, -0.2], atol=1e-12)
    np.testing.assert_allclose(align_zlp_shifts(c, scale=0.1), [0.0, 2.0, np.nan, -2.0], atol=1e-12)
    np.testing.assert_allclose(align_zlp_shifts(c, target=0.0), [-0.1, 0.1, np.nan, -0.3])
    median = align_zlp_shifts(c, target="median")
    np.testing.assert_allclose(median, [0.0, 0.2, np.nan, -0.2], atol=1e-12)
    with pytest.raises(ValueError, match="target"):
        align_zlp_shifts(c, target="max")
    with pytest.raises(ValueError, match="no finite"):
        align_zlp_shifts([np.nan])


def test_shifting_by_the_alignment_shifts_aligns():
    rng = np.random.default_rng(1)
    true = rng.uniform(-1.0, 1.0, 50)
    data = peaks(true, 0.4)
    c = estimate_zlp_centre(data, OFFSET, SCALE)
    aligned = shift_1d(data, align_zlp_shifts(c, scale=SCALE), fill_value=5.0)
    after = estimate_zlp_centre(aligned, OFFSET, SCALE)
    assert np.std(after) / SCALE < 0.02


# -------------------------------------------------------------------- synthetic EELS data
@pytest.fixture(scope="module", params=[False, True], ids=["easy", "hard"])
def ll3(request):
    return make_dataset("LL3", hard=request.param)


def _axis(ds):
    ax = ds.axes[-1]
    return ax["offset"], ax["scale"]


def test_ll3_residual_spread_below_a_tenth_of_a_channel(ll3):
    offset, scale = _axis(ll3)
    c = estimate_zlp_centre(ll3.data, offset, scale)
    residual = (c - ll3.truth.shifts) / scale  # the ZLP sits at +shift
    residual -= residual.mean()
    assert np.sqrt(np.mean(residual**2)) <= 0.1
    # measured again on the aligned data
    aligned = shift_1d(ll3.data, align_zlp_shifts(c, scale=scale))
    again = estimate_zlp_centre(np.nan_to_num(aligned), offset, scale)
    assert np.std(again) / scale <= 0.1


def test_cl3_aligned_with_ll3_looks_like_cl1():
    ll, cl3, cl1 = (make_dataset(n) for n in ("LL3", "CL3", "CL1"))
    offset, scale = _axis(ll)
    c = estimate_zlp_centre(ll.data, offset, scale)
    cl_scale = cl3.axes[-1]["scale"]
    shifts = align_zlp_shifts(c) / cl_scale  # the same energy shifts, in CL channels
    aligned = shift_1d(cl3.data, shifts)
    lo, hi = crop_range_after_shift(shifts, cl3.data.shape[-1])
    s_cl1 = poisson_scree(cl1.data[..., lo:hi])
    s_cl3 = poisson_scree(cl3.data[..., lo:hi])
    s_aligned = poisson_scree(aligned[..., lo:hi])
    # the same strong components as CL1, where CL3 has many more
    n_cl1 = int((s_cl1 > 2).sum())
    assert int((s_aligned > 2).sum()) == n_cl1 and int((s_cl3 > 2).sum()) > n_cl1 + 2
    # what is left above the noise comes from interpolating one-channel-wide white
    # lines: aligning with the true shifts leaves the same
    oracle = shift_1d(cl3.data, -(cl3.truth.shifts - cl3.truth.shifts.mean()) / cl_scale)
    s_oracle = poisson_scree(oracle[..., lo:hi])
    np.testing.assert_allclose(s_aligned[n_cl1 : n_cl1 + 6], s_oracle[n_cl1 : n_cl1 + 6],
                               rtol=0.03)
    assert s_aligned[n_cl1] < 1.6
    # aligned to 0 eV, CL3 falls on CL1's noiseless spectra
    at_zero = shift_1d(cl3.data, align_zlp_shifts(c, target=0.0) / cl_scale)
    truth = cl1.truth.noiseless
    z_before = ((cl3.data - truth) / np.sqrt(truth))[..., lo:hi]
    z_after = ((at_zero - truth) / np.sqrt(truth))[..., lo:hi]
    assert np.sqrt(np.nanmean(z_after**2)) < 0.9 < np.sqrt(np.mean(z_before**2))
