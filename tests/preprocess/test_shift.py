"""shift_1d / estimate_shift_1d / crop and expand ranges: conventions and accuracy."""

from __future__ import annotations

import numpy as np
import pytest

from emunmix.preprocess.shift import (
    GAUSSIAN_SIGMA,
    crop_range_after_shift,
    estimate_shift_1d,
    expand_range_for_shift,
    shift_1d,
)

X = np.arange(128.0)


def gauss(centres, sigma=4.0, background=0.0, x=X):
    c = np.asarray(centres, dtype=float)[..., None]
    return np.exp(-0.5 * ((x - c) / sigma) ** 2) + background


def centroid(rows):
    rows = np.nan_to_num(rows)
    return (rows * X[: rows.shape[-1]]).sum(-1) / rows.sum(-1)


@pytest.mark.parametrize("kind", ["linear", "cubic", "nearest"])
def test_positive_shift_moves_features_to_higher_channels(kind):
    out = shift_1d(gauss([40.0]), [2.5], interpolation=kind)
    tol = 0.51 if kind == "nearest" else 0.02
    assert centroid(out)[0] == pytest.approx(42.5, abs=tol)
    out = shift_1d(gauss([40.0]), [-7.0], interpolation=kind)
    assert np.nanargmax(out[0]) == 33


def test_documented_convention_on_a_ramp():
    ramp = np.arange(6.0)[None]
    # out[i] = data[i - shift]
    np.testing.assert_array_equal(shift_1d(ramp, 2.0), [[np.nan, np.nan, 0, 1, 2, 3]])
    np.testing.assert_allclose(shift_1d(ramp, -0.5, fill_value=-1), [[0.5, 1.5, 2.5, 3.5, 4.5, -1]])


@pytest.mark.parametrize("kind,tol", [("linear", 0.01), ("cubic", 2e-3), ("nearest", 0.1)])
def test_subchannel_shift_matches_the_analytic_peak(kind, tol):
    rng = np.random.default_rng(0)
    c = rng.uniform(50, 80, 300)
    s = rng.uniform(-6, 6, 300)
    out = shift_1d(gauss(c, background=0.2), s, interpolation=kind)
    expected = gauss(c + s, background=0.2)
    assert np.nanmax(np.abs(out - expected)) < tol


def test_integer_shifts_copy_values_exactly():
    rng = np.random.default_rng(1)
    d = rng.poisson(50, (20, 30)).astype(float)
    s = rng.integers(-5, 6, 20)
    for kind in ("linear", "cubic", "nearest"):
        out = shift_1d(d, s, interpolation=kind)
        for i in range(20):
            k = s[i]
            src = d[i, max(0, -k) : 30 - max(0, k)]
            got = out[i, max(0, k) : 30 - max(0, -k)]
            np.testing.assert_allclose(got, src, atol=1e-9 if kind != "cubic" else 1e-9)


def test_fill_value_marks_exactly_the_channels_read_from_outside():
    d = np.ones((4, 10))
    out = shift_1d(d, [0.0, 1.0, -2.5, 0.25], fill_value=np.nan)
    np.testing.assert_array_equal(np.isnan(out).sum(1), [0, 1, 3, 1])
    assert np.isnan(out[1, 0]) and np.isnan(out[3, 0])
    assert np.isnan(out[2, -3:]).all() and not np.isnan(out[2, -4])
    out0 = shift_1d(d, [3.0, 0, 0, 0], fill_value=0.0)
    np.testing.assert_array_equal(out0[0], [0, 0, 0] + [1] * 7)


def test_nan_shift_leaves_the_spectrum_unchanged():
    d = gauss([30.0, 50.0])
    out = shift_1d(d, [np.nan, 3.0])
    np.testing.assert_array_equal(out[0], d[0])
    assert centroid(out[1:])[0] == pytest.approx(53.0, abs=0.01)


def test_nd_navigation_scalar_shift_and_float32():
    d = gauss(np.full((3, 4), 60.0)).astype(np.float32)
    out = shift_1d(d, 1.5)
    assert out.shape == (3, 4, 128) and out.dtype == np.float32
    assert np.all(np.abs(centroid(out) - 61.5) < 0.02)
    out = shift_1d(d, np.linspace(-2, 2, 12).reshape(3, 4))
    np.testing.assert_allclose(centroid(out), 60 + np.linspace(-2, 2, 12).reshape(3, 4), atol=0.02)


def test_crop_range_holds_no_fill_for_any_row():
    rng = np.random.default_rng(2)
    s = rng.uniform(-4, 4, 50)
    start, stop = crop_range_after_shift(s, 100)
    out = shift_1d(np.ones((50, 100)), s)
    valid = ~np.isnan(out).any(axis=0)
    assert valid[start:stop].all()
    assert not valid[:start].any() and not valid[stop:].any()
    assert (start, stop) == (int(np.ceil(s.max())), int(np.floor(99 + s.min())) + 1)
    cropped = shift_1d(np.ones((50, 100)), s, crop=True)
    assert cropped.shape == (50, stop - start) and not np.isnan(cropped).any()


def test_crop_range_edge_cases():
    assert crop_range_after_shift([0.0, 0.0], 10) == (0, 10)
    assert crop_range_after_shift([np.nan, 2.0], 10) == (2, 10)
    assert crop_range_after_shift([2.0 + 1e-12], 10) == (2, 10)  # round-off tolerated
    start, stop = crop_range_after_shift([20.0, -20.0], 10)
    assert start == stop


def test_expand_keeps_every_value():
    rng = np.random.default_rng(3)
    d = rng.poisson(30, (10, 40)).astype(float)
    s = rng.integers(-3, 4, 10).astype(float)
    before, after = expand_range_for_shift(s)
    assert (before, after) == (max(-s.min(), 0), max(s.max(), 0))
    out = shift_1d(d, s, expand=True)
    assert out.shape == (10, 40 + before + after)
    np.testing.assert_allclose(np.nansum(out, axis=1), d.sum(axis=1))
    # channel j of the output is channel j - before of the input axis
    back = shift_1d(out, -s)[:, before : before + 40]
    np.testing.assert_allclose(back, d)


def test_bad_arguments():
    with pytest.raises(ValueError, match="interpolation"):
        shift_1d(np.ones((2, 5)), 1, interpolation="quadratic")
    with pytest.raises(ValueError, match="navigation shape"):
        shift_1d(np.ones((2, 5)), [1, 2, 3])


# --------------------------------------------------------------------- estimate_shift_1d
def test_estimate_returns_the_shift_that_aligns():
    rng = np.random.default_rng(4)
    c = rng.uniform(55, 75, 200)
    data = gauss(c, background=0.5 + X / 300)
    ref = gauss([64.0], background=0.5 + X / 300)[0]
    s = estimate_shift_1d(data, reference=ref)
    np.testing.assert_allclose(s, 64.0 - c, atol=0.02)
    aligned = shift_1d(gauss(c), s, fill_value=0.0)
    np.testing.assert_allclose(centroid(aligned), 64.0, atol=0.02)


def test_estimate_sign_integer_and_reference_choices():
    data = gauss([30.0, 33.0, 27.0])
    np.testing.assert_allclose(estimate_shift_1d(data, reference=0), [0, -3, 3], atol=1e-6)
    s = estimate_shift_1d(data, subpixel=False)
    assert np.all(s == np.round(s))
    with pytest.raises(ValueError, match="channels"):
        estimate_shift_1d(data, reference=np.ones(5))


def test_estimate_window_max_shift_and_mask():
    data = gauss([60.0, 62.0, 75.0]) + gauss([100.0], sigma=2)
    s = estimate_shift_1d(data, reference=0, start=40, stop=90, max_shift=5)
    assert s[1] == pytest.approx(-2.0, abs=0.02)
    assert abs(s[2]) <= 5
    s = estimate_shift_1d(data, reference=0, mask=[False, True, False])
    assert np.isnan(s[1]) and np.isfinite(s[[0, 2]]).all()
    with pytest.raises(ValueError, match="finite"):
        estimate_shift_1d(np.where(X == 3, np.nan, data))


def test_expand_with_given_amounts_and_cubic():
    d = gauss([20.0, 100.0])
    out = shift_1d(d, [-30.0, 40.0], interpolation="cubic", expand=(35, 45))
    assert out.shape == (2, 128 + 80)
    # no NaN leaks through the cubic spline; every value survives
    np.testing.assert_allclose(np.nansum(out, axis=1), d.sum(axis=1), rtol=1e-6)
    assert np.nanargmax(out[0]) == 20 - 30 + 35 and np.nanargmax(out[1]) == 100 + 40 + 35
    with pytest.raises(ValueError, match="non-negative"):
        shift_1d(d, 1.0, expand=(-1, 0))


def test_gaussian_resampling_blurs_every_spectrum_alike():
    x = np.zeros((5, 40))
    x[:, 20] = 1.0
    fractions = np.array([0.0, 0.25, 0.5, 0.75, 0.9])
    for interpolation in ("gaussian", "linear"):
        y = shift_1d(x, fractions, interpolation=interpolation, fill_value=0.0)
        j = np.arange(40)
        mean = (y * j).sum(1) / y.sum(1)
        var = (y * (j - mean[:, None]) ** 2).sum(1) / y.sum(1)
        np.testing.assert_allclose(mean, 20 + fractions, atol=1e-6)  # no bias
        if interpolation == "linear":  # f(1 - f), from none to a quarter channel^2
            np.testing.assert_allclose(var, fractions * (1 - fractions), atol=1e-9)
        else:  # gaussian: the same for every fraction
            np.testing.assert_allclose(var, GAUSSIAN_SIGMA**2, rtol=1e-4)
        np.testing.assert_allclose(y.sum(1), 1.0)
    y = shift_1d(x, fractions, interpolation="gaussian", fill_value=0.0, sigma=1.0)
    mean = (y * j).sum(1) / y.sum(1)
    np.testing.assert_allclose((y * (j - mean[:, None]) ** 2).sum(1) / y.sum(1), 1.0, rtol=1e-4)


def test_gaussian_resampling_edges_nan_shifts_and_expand():
    x = np.full((4, 20), 7.0)
    y = shift_1d(x, [0.3, -1.7, 2.0, np.nan], interpolation="gaussian", crop=False)
    np.testing.assert_allclose(y[np.isfinite(y)], 7.0)  # cut kernels renormalised
    assert np.isnan(y).sum(axis=1).tolist() == [1, 2, 2, 0]
    y = shift_1d(x, [0.3, -1.7, 2.0, 0.0], interpolation="gaussian", crop=True)
    assert y.shape == (4, 20 - 2 - 2) and np.isfinite(y).all()
    y = shift_1d(x, [0.3, -1.7, 2.0, 0.0], interpolation="gaussian", expand=True)
    assert y.shape == (4, 20 + 2 + 2)
    # float32 stays float32, and the valid channels are those of linear interpolation
    x32 = np.random.default_rng(0).random((6, 30)).astype(np.float32)
    s = [0.3, -1.7, 2.0, 0.0, 2.5, -0.25]
    g = shift_1d(x32, s, interpolation="gaussian")
    assert g.dtype == np.float32
    np.testing.assert_array_equal(np.isnan(g), np.isnan(shift_1d(x32, s)))
