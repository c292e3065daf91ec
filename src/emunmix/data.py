"""HyperSpy 2.5's example-data generators (``hs.data``), with the same names, parameters,
shapes and axes.

``two_gaussians``, ``luminescence_signal``, ``wave_image`` and
``atomic_resolution_image`` make the small synthetic signals that HyperSpy's
documentation uses. The random parts draw from ``numpy.random.default_rng(random_state)``
in the same order as HyperSpy, so the same seed gives the same values. Where HyperSpy's
output is plainly a slip, ours differs and says so (see ``docs/datasets.md``):
``two_gaussians`` honours ``add_noise`` and names its energy axis "Energy" in "eV";
every generator also takes ``lazy=True`` (a dask-backed signal).

>>> import emunmix.api as hs
>>> s = hs.data.two_gaussians()
>>> s.data.shape
(32, 32, 1024)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["atomic_resolution_image", "luminescence_signal", "two_gaussians", "wave_image"]

_HC = 1239.84198  # nm eV: wavelength to photon energy
_FWHM_TO_SIGMA = 1.0 / (2.0 * np.sqrt(2.0 * np.log(2.0)))


def _finish(signal, lazy):
    return signal.as_lazy() if lazy else signal


def _gaussian_hf(x, height, centre, fwhm):
    """HyperSpy's ``GaussianHF``: a Gaussian given by its height and full width."""
    sigma = fwhm * _FWHM_TO_SIGMA
    return height * np.exp(-((x - centre) ** 2) / (2.0 * sigma**2))


@dataclass
class TwoGaussiansTruth:
    """The parameters ``two_gaussians`` used, per pixel (arrays of the navigation shape).

    Attributes
    ----------
    energy : ndarray
        The energy axis (eV).
    components : dict
        ``{"wide": {...}, "narrow": {...}}``, each with ``height``, ``centre`` (eV)
        and ``fwhm`` (eV) maps.
    """

    energy: np.ndarray
    components: dict

    def as_array(self) -> np.ndarray:
        """The noiseless spectra, shape (32, 32, 1024) (before rounding to integers)."""
        out = np.zeros(self.components["wide"]["height"].shape + self.energy.shape)
        for p in self.components.values():
            out += _gaussian_hf(self.energy, p["height"][..., None], p["centre"][..., None],
                                p["fwhm"][..., None])
        return out


def two_gaussians(add_noise=True, return_model=False, random_state=0, lazy=False):
    """A 32 x 32 map of spectra holding two Gaussians whose centres and heights vary.

    As HyperSpy's ``hs.data.two_gaussians``: a "wide" Gaussian (FWHM 60 eV) and a
    "narrow" one (FWHM 6 eV), centred near 50 eV (40-60 eV for the narrow one), on a
    1024-channel axis of 0.1 eV steps; heights
    follow ``(0.5 + sin(r)**2)`` and ``(0.5 + cos(r)**2)`` rings under a broad Gaussian
    envelope, centres a ``sin(3 pi x / 32) cos(4 pi y / 32)`` pattern; the data are
    integer counts with Poisson noise.

    Parameters
    ----------
    add_noise : bool, default True
        Poisson noise on the (integer) expected counts. HyperSpy 2.5 adds it even
        when this is False; here False gives the noiseless counts.
    return_model : bool, default False
        Also return the parameters used, a :class:`TwoGaussiansTruth` (HyperSpy
        returns a fitted ``Model``; emunmix has no curve-fitting models).
    random_state : int, Generator or None, default 0
        Seed of the noise (HyperSpy always uses 0: the default gives its values).
    lazy : bool, default False
        Return a lazy (dask-backed) signal.

    Returns
    -------
    Signal1D, or (Signal1D, TwoGaussiansTruth)

    Examples
    --------
    >>> s = two_gaussians()
    >>> s.axes_manager.signal_axes[0].scale
    0.1
    """
    from .signal import Signal1D

    domain, hfactor = 32, 600
    c = domain // 2
    y, x = np.ogrid[-c:domain - c, -c:domain - c]
    pattern = np.sin(3 * np.pi * x / domain) * np.cos(4 * np.pi * y / domain)
    envelope = np.exp(-(x**2 / 2 / 20.0**2 + y**2 / 2 / 10.0**2))
    r = np.sqrt(x**2 + y**2)
    energy = 0.1 * np.arange(1024)
    truth = TwoGaussiansTruth(energy, {
        "wide": {"height": (0.5 + np.cos(r) ** 2) * envelope * hfactor,
                 "centre": 50 + 10 * (-0.1 * pattern), "fwhm": np.full((domain,) * 2, 60.0)},
        "narrow": {"height": 0.5 * (0.5 + np.sin(r) ** 2) * envelope * hfactor,
                   "centre": 50 + 10 * pattern, "fwhm": np.full((domain,) * 2, 6.0)},
    })
    data = truth.as_array().astype(np.int64)
    if add_noise:
        data = np.random.default_rng(random_state).poisson(data).astype(np.int64)
    axes = [{"name": "y", "units": "nm", "navigate": True},
            {"name": "x", "units": "nm", "navigate": True},
            {"name": "Energy", "units": "eV", "scale": 0.1, "offset": 0.0, "navigate": False}]
    s = _finish(Signal1D(data, axes=axes, metadata={"General": {"title": "Two Gaussians"}}),
                lazy)
    return (s, truth) if return_model else s


def luminescence_signal(navigation_dimension=0, uniform=False, add_baseline=False,
                        add_noise=True, random_state=None, lazy=False):
    """A luminescence peak as a diffracting spectrometer records it, as HyperSpy's.

    A Gaussian of area 5000 centred at 375 nm (sigma 25 nm) on a 1024-channel
    wavelength axis (offset 222.495 nm, 0.54 nm per channel), in every pixel of a
    ``10 x 10 x ...`` map of ``navigation_dimension`` axes ("X0", "X1", ..., 2.1 um
    steps). With ``uniform=False`` (the default) the axis is converted to photon
    energy, ``E = hc / wavelength``: a non-uniform "Energy" axis in eV, increasing,
    with the intensities multiplied by the Jacobian ``hc / E**2``.

    Parameters
    ----------
    navigation_dimension : int, default 0
        0: one spectrum; 1: a line scan; 2: a map; ...
    uniform : bool, default False
        Keep the uniform wavelength axis (nm) instead of the non-uniform energy one.
    add_baseline : bool, default False
        Add a constant 350 (on the wavelength scale: an inverse power law in energy).
    add_noise : bool, default True
        Add uniform noise in [-0.7, 0.7).
    random_state : int, Generator or None
        Seed of the noise (the same seed gives HyperSpy's values).
    lazy : bool, default False
        Return a lazy (dask-backed) signal.

    Returns
    -------
    Signal1D

    Examples
    --------
    >>> s = luminescence_signal(navigation_dimension=1, uniform=True, random_state=0)
    >>> s.data.shape
    (10, 1024)
    """
    from .signal import Signal1D

    if isinstance(navigation_dimension, bool) or int(navigation_dimension) != navigation_dimension \
            or navigation_dimension < 0:
        raise ValueError(f"Value {navigation_dimension!r} invalid as navigation dimension: "
                         "give 0 (a spectrum), 1 (a line scan), 2 (a map), ...")
    nav = int(navigation_dimension)
    rng = np.random.default_rng(random_state)
    nm = 222.495 + 0.54 * np.arange(1024)
    peak = 5000.0 / (25.0 * np.sqrt(2 * np.pi)) * np.exp(-((nm - 375.0) ** 2) / (2 * 25.0**2))
    data = np.ones((10,) * nav + (1024,)) * peak
    if add_noise:
        data += (rng.uniform(size=data.shape) - 0.5) * 1.4
    if add_baseline:
        data += 350.0
    axes = [{"name": f"X{i}", "units": "um", "scale": 2.1, "offset": 0.0, "navigate": True}
            for i in range(nav)]
    if uniform:
        axes.append({"name": "Wavelength", "units": "nm", "scale": 0.54, "offset": 222.495,
                     "navigate": False})
    else:
        energy = _HC / nm[::-1]
        data = data[..., ::-1] * (_HC / energy**2)
        axes.append({"name": "Energy", "units": "eV", "axis": energy, "navigate": False})
    title = f"{nav:d}d-map Artificial Luminescence Signal"
    return _finish(Signal1D(data, axes=axes, metadata={"General": {"title": title}}), lazy)


def wave_image(angle=45, wavelength=10, shape=(256, 256), add_noise=True, random_state=None,
               lazy=False):
    """A plane wave ``sin(2 pi (x cos(angle) + y sin(angle)) / wavelength)``, as HyperSpy's.

    Parameters
    ----------
    angle : float, default 45
        Direction of the wave vector, in degrees from the x axis.
    wavelength : float, default 10
        In pixels.
    shape : tuple of int, default (256, 256)
        ``(width, height)`` as HyperSpy takes it: the data have shape
        ``(shape[1], shape[0])``.
    add_noise : bool, default True
        Add uniform noise in [0, 1).
    random_state : int, Generator or None
        Seed of the noise (the same seed gives HyperSpy's values).
    lazy : bool, default False
        Return a lazy (dask-backed) signal.

    Returns
    -------
    Signal2D
        Axes in nm, 0.01 nm per pixel.

    Examples
    --------
    >>> wave_image(shape=(100, 50), add_noise=False).data.shape
    (50, 100)
    """
    from .signal import Signal2D

    X, Y = np.meshgrid(np.arange(shape[0]), np.arange(shape[1]))
    a = np.deg2rad(angle)
    data = np.sin(2 * np.pi * (X * np.cos(a) + Y * np.sin(a)) / wavelength)
    if add_noise:
        data = data + np.random.default_rng(random_state).random(data.shape)
    axes = [{"units": "nm", "scale": 0.01, "offset": 0.0, "navigate": False} for _ in range(2)]
    return _finish(Signal2D(data, axes=axes), lazy)


def _inscribed_rectangle(width, height, angle):
    """Width and height of the largest axis-aligned rectangle inside a ``width x height``
    rectangle rotated by ``angle`` degrees (both centred)."""
    if width <= 0 or height <= 0:
        return 0.0, 0.0
    sin_a, cos_a = abs(np.sin(np.radians(angle))), abs(np.cos(np.radians(angle)))
    long_side, short_side = max(width, height), min(width, height)
    if short_side <= 2.0 * sin_a * cos_a * long_side:
        # two corners on the long side, the other two on the mid-line
        half = 0.5 * short_side
        if width >= height:
            return half / sin_a, half / cos_a
        return half / cos_a, half / sin_a
    cos_2a = cos_a**2 - sin_a**2  # all four sides touched
    return ((width * cos_a - height * sin_a) / cos_2a,
            (height * cos_a - width * sin_a) / cos_2a)


def atomic_resolution_image(size=512, spacing=0.2, column_radius=0.05, rotation_angle=0,
                            pixel_size=0.015, add_noise=False, random_state=None, lazy=False):
    """A square lattice of Gaussian atomic columns, as HyperSpy's.

    Each ``spacing x spacing`` cell (rounded to whole pixels) holds one column, a
    normalised 2-D Gaussian of ``column_radius`` (sigma) times 1000 at its centre;
    cells that do not fit whole at the far edges stay empty, as in HyperSpy.

    Parameters
    ----------
    size : int or tuple of int, default 512
        Pixels along each array axis.
    spacing : float or tuple of float, default 0.2
        Column spacing (nm) along each array axis.
    column_radius : float, default 0.05
        Gaussian sigma of a column (nm).
    rotation_angle : float, default 0
        Rotation of the lattice (degrees); the image is then cropped to the largest
        rectangle without empty corners, with the same sizes as HyperSpy's crop.
    pixel_size : float, default 0.015
        nm per pixel.
    add_noise : bool, default False
        Add Poisson counts of the image to it (HyperSpy's ``data += poisson(data)``).
    random_state : int, Generator or None
        Seed of the noise (the same seed gives HyperSpy's values).
    lazy : bool, default False
        Return a lazy (dask-backed) signal.

    Returns
    -------
    Signal2D
        float32 data, axes in nm of ``pixel_size``.

    Examples
    --------
    >>> atomic_resolution_image(size=(60, 40)).data.shape
    (60, 40)
    """
    import scipy.ndimage

    from .signal import Signal2D

    if isinstance(size, (int, np.integer)) and not isinstance(size, bool):
        size = (int(size),) * 2
    elif not isinstance(size, tuple):
        raise ValueError(f"`size` must be an integer or tuple of int, got {size!r}.")
    if isinstance(spacing, float):
        spacing = (spacing,) * 2
    elif not isinstance(spacing, tuple):
        raise ValueError(f"`spacing` must be a float or tuple of float (nm), got {spacing!r}.")
    size_x, size_y = (int(v) for v in size)
    step_x, step_y = (int(round(v / pixel_size)) for v in spacing)
    sigma = column_radius / pixel_size
    u, v = np.mgrid[:step_x, :step_y]
    column = np.exp(-((u - step_x / 2) ** 2 + (v - step_y / 2) ** 2) / (2 * sigma**2)) \
        / (2 * np.pi * sigma**2)
    nx, ny = int(size_x / step_x), int(size_y / step_y)
    image = np.zeros((size_x, size_y), dtype=np.float32)
    image[:nx * step_x, :ny * step_y] = np.tile(column, (nx, ny))
    image *= 1e3
    if add_noise:
        image += np.random.default_rng(random_state).poisson(image)
    offsets = [0.0, 0.0]
    if rotation_angle != 0:
        image = scipy.ndimage.rotate(image, angle=rotation_angle, reshape=False)
        w, h = image.shape[1], image.shape[0]
        wr, hr = _inscribed_rectangle(w, h, rotation_angle)
        w_cut, h_cut = w - wr, h - hr
        # HyperSpy crops the first array axis by the width's margins and the second by
        # the height's (the same for a square image); the sizes here follow it
        top, left = int(w_cut / 2), int(h_cut / 2)
        image = image[top:int(w - w_cut / 2), left:int(h - h_cut / 2)]
        offsets = [top * pixel_size, left * pixel_size]
    axes = [{"units": "nm", "scale": pixel_size, "offset": off, "navigate": False}
            for off in offsets]
    return _finish(Signal2D(image, axes=axes), lazy)
