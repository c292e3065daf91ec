"""Small deterministic spectrum images for the learning tests (not a test module)."""

from __future__ import annotations

import numpy as np

from emunmix.signal import EELSSpectrum

# array order: y, x, energy (non-square so that natural and array order differ)
SHAPE = (6, 8, 40)
AXES = (
    {"name": "y", "units": "nm", "scale": 2.0, "offset": 1.0, "navigate": True},
    {"name": "x", "units": "nm", "scale": 0.5, "offset": -1.0, "navigate": True},
    {"name": "Energy loss", "units": "eV", "scale": 0.5, "offset": 400.0, "navigate": False},
)


def truth():
    """Three non-negative maps (3, 6, 8) and spectra (3, 40)."""
    y, x = np.mgrid[0 : SHAPE[0], 0 : SHAPE[1]]
    maps = np.stack([
        1.0 + 0.5 * x / (SHAPE[1] - 1),
        np.exp(-((x - 2.0) ** 2 + (y - 2.0) ** 2) / 6.0),
        np.exp(-((x - 6.0) ** 2 + (y - 4.0) ** 2) / 4.0),
    ])
    e = np.arange(SHAPE[2])
    spectra = np.stack([
        200.0 / (1.0 + e / 10.0),
        150.0 * np.exp(-((e - 12.0) ** 2) / 8.0),
        120.0 * np.exp(-((e - 28.0) ** 2) / 6.0),
    ])
    return maps, spectra


def noiseless() -> np.ndarray:
    maps, spectra = truth()
    return np.einsum("kyx,kc->yxc", maps, spectra)


def make_signal(noise: bool = True, dtype=np.float64, seed: int = 0) -> EELSSpectrum:
    """6 x 8 x 40 EELS spectrum image of three components (Poisson noise by default)."""
    data = noiseless()
    if noise:
        data = np.random.default_rng(seed).poisson(data).astype(float)
    return EELSSpectrum(data.astype(dtype), axes=[dict(a) for a in AXES],
                        metadata={"General": {"title": "mix"}})
