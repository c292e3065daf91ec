"""hs.data: HyperSpy 2.5's example-data generators (shapes, axes, analytic properties)."""

import numpy as np
import pytest

import emunmix.api as hs


def test_two_gaussians_shape_axes_and_peaks():
    s, truth = hs.data.two_gaussians(return_model=True)
    assert type(s).__name__ == "Signal1D" and s.data.shape == (32, 32, 1024)
    assert s.data.dtype == np.int64 and s.metadata.General.title == "Two Gaussians"
    names = [a.name for a in s.axes_manager._axes]
    assert names == ["y", "x", "Energy"]
    e = s.axes_manager.signal_axes[0]
    assert (e.scale, e.offset, e.units) == (0.1, 0.0, "eV")
    noiseless = hs.data.two_gaussians(add_noise=False).data
    np.testing.assert_array_equal(noiseless, truth.as_array().astype(np.int64))
    # the noise is Poisson: mean and variance of data - noiseless match the counts
    resid = s.data - noiseless
    assert abs(resid.mean()) < 0.05 and abs(resid.var() / noiseless.mean() - 1) < 0.02
    # at the centre pixel the narrow peak (FWHM 6 eV) sits at its centre value
    c = truth.components["narrow"]["centre"][16, 16]
    i = int(np.argmax(noiseless[16, 16]))
    assert abs(i * 0.1 - c) <= 0.1
    np.testing.assert_array_equal(hs.data.two_gaussians().data, s.data)  # seeded


def test_luminescence_signal_axes_jacobian_and_noise():
    s = hs.data.luminescence_signal(uniform=True, add_noise=False)
    ax = s.axes_manager.signal_axes[0]
    assert (ax.name, ax.units, ax.scale, ax.offset, ax.size) == ("Wavelength", "nm", 0.54,
                                                                 222.495, 1024)
    peak = ax.offset + ax.scale * np.argmax(s.data)
    assert abs(peak - 375) <= 0.54
    assert abs(s.data.sum() * 0.54 - 5000) < 1  # the Gaussian's area
    e = hs.data.luminescence_signal(add_noise=False)
    eax = e.axes_manager.signal_axes[0]
    assert not eax.is_uniform and (eax.name, eax.units) == ("Energy", "eV")
    np.testing.assert_allclose(eax.axis, 1239.84198 / (222.495 + 0.54 * np.arange(1024))[::-1])
    # the Jacobian keeps the area: the integral over energy equals that over wavelength
    assert abs(np.trapezoid(e.data, eax.axis) - np.trapezoid(s.data, ax.axis)) < 0.5
    m = hs.data.luminescence_signal(navigation_dimension=2, uniform=True, add_baseline=True,
                                    random_state=1)
    assert m.data.shape == (10, 10, 1024)
    assert [a.name for a in m.axes_manager._axes] == ["X0", "X1", "Wavelength"]
    noise = m.data - 350 - s.data
    assert noise.min() >= -0.7 and noise.max() < 0.7 and abs(noise.mean()) < 0.01
    assert m.metadata.General.title == "2d-map Artificial Luminescence Signal"
    np.testing.assert_array_equal(
        m.data, hs.data.luminescence_signal(2, True, True, random_state=1).data)
    with pytest.raises(ValueError, match="navigation dimension"):
        hs.data.luminescence_signal(navigation_dimension=-1)


def test_wave_image_is_the_plane_wave():
    s = hs.data.wave_image(angle=0, wavelength=8, shape=(64, 32), add_noise=False)
    assert s.data.shape == (32, 64)
    assert all(a.units == "nm" and a.scale == 0.01 for a in s.axes_manager.signal_axes)
    np.testing.assert_allclose(s.data[5], np.sin(2 * np.pi * np.arange(64) / 8), atol=1e-12)
    noisy = hs.data.wave_image(angle=0, wavelength=8, shape=(64, 32), random_state=3)
    noise = noisy.data - s.data
    assert noise.min() >= 0 and noise.max() < 1 and abs(noise.mean() - 0.5) < 0.02


def test_atomic_resolution_image_lattice_and_rotation():
    s = hs.data.atomic_resolution_image(size=(120, 90))
    assert s.data.shape == (120, 90) and s.data.dtype == np.float32
    assert all(a.units == "nm" and a.scale == 0.015 for a in s.axes_manager.signal_axes)
    # 0.2 nm / 0.015 nm = 13 pixels per cell; a column is centred at 6.5 pixels in each
    # cell with 1000 / (2 pi sigma**2) there, sigma = 0.05 / 0.015 pixels
    sigma = 0.05 / 0.015
    top = 1e3 / (2 * np.pi * sigma**2) * np.exp(-0.5 / (2 * sigma**2))  # 0.5 px off in x, y
    assert abs(s.data[6, 6] - top) < 1e-3
    assert s.data[6 + 13, 6 + 13] == pytest.approx(s.data[6, 6])
    assert not s.data[117:].any()  # 120 = 9 x 13 + 3: the partial cells stay empty
    r = hs.data.atomic_resolution_image(size=(200, 100), rotation_angle=15)
    assert r.data.shape == (51, 97)  # HyperSpy's crop
    with pytest.raises(ValueError, match="spacing"):
        hs.data.atomic_resolution_image(spacing=1)
    noisy = hs.data.atomic_resolution_image(size=64, add_noise=True, random_state=0)
    clean = hs.data.atomic_resolution_image(size=64)
    assert np.all(noisy.data >= clean.data)  # plus Poisson counts of the image


def test_lazy_option_and_namespace():
    assert sorted(n for n in dir(hs.data) if not n.startswith("_") and n in hs.data.__all__) \
        == ["atomic_resolution_image", "luminescence_signal", "two_gaussians", "wave_image"]
    lz = hs.data.wave_image(shape=(16, 16), random_state=0, lazy=True)
    assert lz._lazy
    lz.compute()
    np.testing.assert_array_equal(lz.data, hs.data.wave_image(shape=(16, 16), random_state=0).data)
