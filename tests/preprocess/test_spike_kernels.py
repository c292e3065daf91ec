"""Spike finding and removal: accuracy against the datasets' ground truth, and options."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.ndimage import binary_dilation

from emunmix.datasets import make_dataset
from emunmix.preprocess.spikes import (
    derivative_histogram_threshold,
    find_spikes,
    remove_spikes,
    spectral_outlier_score,
    spike_model,
)


def small_image(n_pix=600, n_chan=80, seed=0):
    """Rank-2 Poisson spectra with a sharp peak, and 6 injected spikes."""
    rng = np.random.default_rng(seed)
    e = np.arange(n_chan)
    s1 = 200 * np.exp(-e / 40) + 20
    s2 = 150 * np.exp(-0.5 * ((e - 30) / 1.5) ** 2)  # a peak a few channels wide
    maps = rng.uniform(0.3, 1.0, (n_pix, 2))
    truth = maps @ np.stack([s1, s2])
    data = rng.poisson(truth).astype(float)
    spikes = np.zeros(data.shape, bool)
    rows = rng.choice(n_pix, 6, replace=False)
    cols = np.array([2, 10, 30, 31, 60, n_chan - 2])
    spikes[rows, cols] = True
    data[rows, cols] += 5 * truth[rows, cols]
    return data, truth, spikes


def near(mask, width=2):
    struct = np.zeros((1,) * (mask.ndim - 1) + (2 * width + 1,), bool) | True
    return binary_dilation(mask, structure=struct)


# ------------------------------------------------------------------------ small data
def test_lowrank_finds_injected_spikes_and_nothing_else():
    data, truth, spikes = small_image()
    found = find_spikes(data)
    np.testing.assert_array_equal(found, spikes)


def test_removal_with_the_model_changes_only_spike_channels():
    data, truth, spikes = small_image()
    mask, model = find_spikes(data, return_model=True)
    assert model.shape == data.shape
    clean = remove_spikes(data, mask, model=model, random_state=0)
    changed = clean != data
    assert not (changed & ~spikes).any()
    z = (clean[spikes] - truth[spikes]) / np.sqrt(truth[spikes])
    assert np.abs(z).max() < 4
    # without the model it is recomputed, treating the mask as missing
    clean2 = remove_spikes(data, mask, add_noise=False)
    assert np.all(np.abs(clean2[spikes] - truth[spikes]) < 2 * np.sqrt(truth[spikes]))


def test_interpolation_bridges_the_spike_width():
    x = np.full((1, 40), 10.0)
    x[0, 20] = 500.0
    mask = x > 100
    out = remove_spikes(x, mask, add_noise=False, default_spike_width=3,
                        replacement="interpolate")
    np.testing.assert_allclose(out, 10.0)
    ramp = np.linspace(0, 39, 40)[None] * 2.0
    spiky = ramp.copy()
    spiky[0, 10] += 300
    out = remove_spikes(spiky, spiky - ramp > 100, add_noise=False, default_spike_width=2,
                        replacement="interpolate")
    np.testing.assert_allclose(out, ramp)
    cubic = remove_spikes(spiky, spiky - ramp > 100, add_noise=False, replacement="interpolate",
                          interpolator_kind="cubic")
    np.testing.assert_allclose(cubic, ramp, atol=1e-9)


def test_random_state_reproducibility():
    data, truth, spikes = small_image()
    a = remove_spikes(data, spikes, random_state=3)
    b = remove_spikes(data, spikes, random_state=3)
    c = remove_spikes(data, spikes, random_state=4)
    np.testing.assert_array_equal(a, b)
    assert (a[spikes] != c[spikes]).any()
    np.testing.assert_array_equal(find_spikes(data, random_state=1), find_spikes(data))


def test_other_methods_find_a_large_spike():
    rng = np.random.default_rng(5)
    data = rng.poisson(100.0, (40, 64)).astype(float)
    data[7, 30] += 2000
    for method in ("derivative", "median"):
        found = find_spikes(data, method=method)
        assert found[7, 30], method
    thr = derivative_histogram_threshold(data)
    assert 0 < thr < 2000
    found = find_spikes(data, method="derivative", threshold=1500)
    assert found.sum() == 1 and found[7, 30]


def test_masks_exclude_channels_and_spectra():
    data, truth, spikes = small_image()
    r, c = np.argwhere(spikes)[0]
    smask = np.zeros(data.shape[1], bool)
    smask[c] = True
    found = find_spikes(data, signal_mask=smask)
    assert not found[:, c].any() and found.sum() == spikes.sum() - spikes[:, c].sum()
    nmask = np.zeros(data.shape[0], bool)
    nmask[r] = True
    found = find_spikes(data, navigation_mask=nmask)
    assert not found[r].any() and found.sum() == spikes.sum() - spikes[r].sum()
    data_nan = data.copy()
    data_nan[r, 5] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        find_spikes(data_nan)
    assert not find_spikes(data_nan, navigation_mask=nmask)[r].any()


def test_nd_input_and_bad_arguments():
    data, truth, spikes = small_image()
    cube = data.reshape(20, 30, -1)
    np.testing.assert_array_equal(find_spikes(cube), spikes.reshape(cube.shape))
    clean = remove_spikes(cube, spikes.reshape(cube.shape), add_noise=False)  # model refitted
    assert clean.shape == cube.shape
    np.testing.assert_array_equal(clean.reshape(data.shape)[~spikes], data[~spikes])
    assert np.all(np.abs(clean.reshape(data.shape)[spikes] - truth[spikes])
                  < 3 * np.sqrt(truth[spikes]))
    with pytest.raises(ValueError, match="method"):
        find_spikes(data, method="wavelet")
    with pytest.raises(ValueError, match="at least 3 spectra"):
        find_spikes(data[:2])
    with pytest.raises(ValueError, match="signal_mask"):
        find_spikes(data, signal_mask=np.zeros(3, bool))
    with pytest.raises(ValueError, match="mask has shape"):
        remove_spikes(data, spikes[:, :5])
    with pytest.raises(ValueError, match="replacement"):
        remove_spikes(data, spikes, replacement="zero")


def test_spectral_outlier_score_edges():
    x = np.full((1, 10), 50.0)
    x[0, [0, 1, 8, 9]] = 500.0
    excess, sd = spectral_outlier_score(x)
    # no channel predicts itself: the end spikes stand out fully from their neighbours
    assert (excess[0, [1, 8]] > 200).all() and (sd > 0).all()
    model = spike_model(small_image()[0])
    assert model.dtype == np.float32 and (model >= 0).all()


# ------------------------------------------------------------------ synthetic EELS data
@pytest.fixture(scope="module", params=[False, True], ids=["easy", "hard"])
def cl4(request):
    ds = make_dataset("CL4", hard=request.param)
    mask, model = find_spikes(ds.data, return_model=True)
    return ds, mask, model


def test_cl4_automatic_removal_accuracy(cl4):
    ds, mask, model = cl4
    spikes = ds.truth.spike_mask
    detected = (mask & spikes).sum() / spikes.sum()
    clean = remove_spikes(ds.data, mask, model=model, random_state=0)
    changed_elsewhere = int(((clean != ds.data) & ~near(spikes)).sum())
    # HyperSpy 2.5: 58 % and 76 other channels; we need >= 98 % and <= 10
    assert detected >= 0.98
    assert changed_elsewhere <= 10
    truth = ds.truth.noiseless[spikes]
    z = (clean[spikes] - truth) / np.sqrt(truth)
    assert np.abs(z).max() < 4
    # the same data before the spikes were added (energy-shifted, like CL3)
    assert find_spikes(ds.truth.spike_free).sum() <= 3


def test_no_spikes_found_in_spike_free_data():
    for name, hard in (("CL1", False), ("CL1", True), ("LL3", False), ("LL3", True)):
        found = find_spikes(make_dataset(name, hard=hard).data)
        assert found.sum() <= 2, (name, hard)


def test_small_spikes_in_well_modelled_data():
    # 12-sigma spikes (a fraction of the signal) on CL1: found unless they sit next to a
    # sharp white line, where a spike must at least double the signal
    ds = make_dataset("CL1")
    data = ds.data.reshape(-1, ds.data.shape[-1]).copy()
    truth = ds.truth.noiseless.reshape(data.shape)
    rng = np.random.default_rng(0)
    rows = rng.choice(data.shape[0], 100, replace=False)
    cols = rng.integers(1, data.shape[1] - 1, 100)
    data[rows, cols] += np.round(12 * np.sqrt(truth[rows, cols]))
    spikes = np.zeros(data.shape, bool)
    spikes[rows, cols] = True
    found = find_spikes(data)
    assert (found & spikes).sum() >= 90 and not (found & ~spikes).any()


@pytest.mark.parametrize("n_components", [None, 2, 5])
def test_spike_model_follows_the_truth_and_ignores_known_spikes(n_components):
    data, truth, spikes = small_image(seed=3)
    for mask in (None, spikes):
        model = spike_model(data, mask=mask, n_components=n_components)
        assert model.shape == data.shape and (model >= 0).all()
        # within the noise of the truth, also at the spikes (replaced, not fitted)
        z = (model - truth) / np.sqrt(truth)
        assert np.sqrt(np.mean(z**2)) < 0.5
        assert np.abs(z[spikes]).max() < 4
    # a spike a thousand times the noise cannot pull a component towards itself
    big = data.copy()
    big[5, 40] += 1e5
    assert abs(spike_model(big, n_components=2)[5, 40] - truth[5, 40]) < 4 * np.sqrt(
        truth[5, 40])


@pytest.mark.parametrize("value", [0.0, 7.0])
def test_flat_data_have_no_spikes_and_a_finite_model(value):
    x = np.full((40, 30), value)
    found, model = find_spikes(x, return_model=True)
    assert not found.any() and np.isfinite(model).all()


# -- short line scans (fewer than 16 spectra) -------------------------------------------
def _short_scans(n):
    """Line scans of ``n`` spectra cut from the energy-shifted CL3 (sharp white lines
    that move by up to 3.5 channels from spectrum to spectrum), with their expected counts."""
    from emunmix.synthetic import make_dataset

    ds = make_dataset("CL3", random_state=0)
    for row, col in ((0, 0), (16, 32), (40, 32)):
        sl = (row, slice(col, col + n))
        yield np.asarray(ds.data[sl], float), ds.truth.noiseless[sl]


@pytest.mark.parametrize("n", [5, 10, 15])
def test_short_line_scans_clean_and_with_three_spikes(n):
    rng = np.random.default_rng(n)
    for data, lam in _short_scans(n):
        assert not find_spikes(data).any()  # no false positive on shifted sharp edges
        spiky, want = data.copy(), np.zeros(data.shape, bool)
        # away from the white lines (where a spike in two spectra a channel apart can be
        # taken for a shifted peak: over 48 such scans, 98 % of spikes are found)
        curv = np.abs(np.diff(lam, 2, axis=1)).max(axis=0) < np.sqrt(lam[:, 1:-1].min(axis=0))
        smooth = np.flatnonzero(np.convolve(~curv, np.ones(11), mode="same") == 0) + 1
        rows = rng.choice(n, 3)
        for i, j in zip(rows, rng.choice(smooth, 3, replace=False)):
            spiky[i, j] += 2 * lam[i, j] + 12 * np.sqrt(lam[i, j])  # 3x, as CL4 at least
            want[i, j] = True
        np.testing.assert_array_equal(find_spikes(spiky), want)
