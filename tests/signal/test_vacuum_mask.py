"""vacuum_mask on EELS and EDS-TEM signals, and EDS-TEM's decomposition defaults (exspy's)."""

import numpy as np
import pytest
from scipy import ndimage

import emunmix.api as hs


def eds_map(seed=0):
    """A 12 x 16 two-phase EDS map with vacuum in its first four columns."""
    rng = np.random.default_rng(seed)
    e = np.arange(200)
    spec = np.stack([np.exp(-((e - 60) / 3.0) ** 2), np.exp(-((e - 120) / 3.0) ** 2)]) * 20 + 0.5
    yy, xx = np.mgrid[:12, :16]
    maps = np.stack([np.clip((xx - 4) / 12, 0, 1), np.clip(yy / 12, 0, 1) * (xx >= 4)])
    lam = np.einsum("kyx,kc->yxc", maps, spec) * (xx >= 4)[..., None]
    return rng.poisson(lam).astype(float)


def closed(mask):
    return ndimage.binary_erosion(ndimage.binary_dilation(mask, border_value=0), border_value=1)


def test_eds_vacuum_mask_is_max_below_threshold_closed():
    data = eds_map()
    data[5, 1, 7] = 3  # one vacuum pixel with a stray count: closing keeps it vacuum
    s = hs.signals.EDSTEMSpectrum(data)
    m = s.vacuum_mask()
    assert m.data.dtype == bool and m.data.shape == (12, 16)
    assert m.axes_manager.navigation_dimension == 2 and m.axes_manager.signal_dimension == 0
    raw = data.max(-1) <= 1.0
    assert not raw[5, 1]
    np.testing.assert_array_equal(m.data, closed(raw))
    assert m.data[5, 1] and m.data[:, :4].all()
    np.testing.assert_array_equal(s.vacuum_mask(closing=False).data, raw)
    opened = ndimage.binary_dilation(ndimage.binary_erosion(raw, border_value=1),
                                     border_value=0)
    np.testing.assert_array_equal(s.vacuum_mask(closing=False, opening=True).data, opened)
    np.testing.assert_array_equal(s.vacuum_mask(threshold=1e9, closing=False).data,
                                  np.ones((12, 16), bool))
    with pytest.raises(RuntimeError, match="navigation axes"):
        hs.signals.EDSTEMSpectrum(data[0, 0]).vacuum_mask()


def test_eels_vacuum_mask_uses_the_mean_of_the_last_quarter():
    data = eds_map() * 10
    s = hs.signals.EELSSpectrum(data)
    s.axes_manager.signal_axes[0].scale = 0.5  # energies 0 .. 99.5
    mean = data[..., 149:].mean(-1)  # from 0.75 * 99.5 = 74.625 eV: channel round(149.25)
    np.testing.assert_array_equal(s.vacuum_mask(closing=False).data, mean <= 10.0)
    lo = data[..., 20:].mean(-1)
    np.testing.assert_array_equal(s.vacuum_mask(50.0, start_energy=10.0, closing=False).data,
                                  lo <= 50.0)
    np.testing.assert_array_equal(s.vacuum_mask().data, closed(mean <= 10.0))


def _poisson_svd_factors(data, mask, k):
    """Keenan-Kotula normalised SVD of the unmasked pixels (independent numpy)."""
    X = data.reshape(-1, data.shape[-1])[~mask.ravel()]
    a, b = X.sum(1), X.sum(0)
    a[a == 0], b[b == 0] = 1, 1
    _, _, vt = np.linalg.svd(X / np.sqrt(a)[:, None] / np.sqrt(b)[None, :], full_matrices=False)
    f = vt[:k].T * np.sqrt(b)[:, None]
    return f / np.linalg.norm(f, axis=0)


def test_eds_tem_decomposition_defaults_are_exspys():
    data = eds_map()
    s = hs.signals.EDSTEMSpectrum(data)
    s.decomposition(print_info=False)
    lr = s.learning_results
    assert lr.poissonian_noise_normalized
    mask = closed(data.max(-1) <= 1.0)
    np.testing.assert_array_equal(np.asarray(lr.navigation_mask).reshape(12, 16), mask)
    loadings = np.asarray(lr.loadings).reshape(12, 16, -1)
    assert np.isnan(loadings[mask]).all() and np.isfinite(loadings[~mask]).all()
    ours = np.asarray(lr.factors)[:, :2]
    ours = ours / np.linalg.norm(ours, axis=0)
    want = _poisson_svd_factors(data, mask, 2)
    np.testing.assert_allclose(np.abs(np.sum(ours * want, axis=0)), 1.0, atol=1e-8)
    # a float is a threshold; None is no mask; the plain SVD is still one argument away
    s.decomposition(print_info=False, navigation_mask=None, normalize_poissonian_noise=False)
    assert s.learning_results.navigation_mask is None or \
        not np.asarray(s.learning_results.navigation_mask).any()
    assert not s.learning_results.poissonian_noise_normalized
    s.decomposition(True, "SVD", 3, print_info=False, navigation_mask=0.5)
    assert np.asarray(s.learning_results.factors).shape[1] == 3
    # other EDS classes keep the base defaults, as exspy
    sem = hs.signals.EDSSEMSpectrum(data)
    sem.decomposition(print_info=False)
    assert not sem.learning_results.poissonian_noise_normalized
