"""Shared fixtures: small calibrated signals and the HyperSpy-made files in tests/data.

The spectrum image is deliberately non-square (y=3, x=5) so that natural order (x first)
and array order (y first) cannot be confused: its repr is ``(5, 3|10)``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from emunmix.signal import EELSSpectrum, Signal1D

DATA_DIR = Path(__file__).resolve().parent / "data"

# array order: y, x, energy
EELS_SHAPE = (3, 5, 10)
EELS_AXES = (
    {"name": "y", "units": "nm", "scale": 2.0, "offset": 1.0, "navigate": True},
    {"name": "x", "units": "nm", "scale": 0.5, "offset": -1.0, "navigate": True},
    {"name": "Energy loss", "units": "eV", "scale": 0.5, "offset": 400.0, "navigate": False},
)


def eels_axes() -> list[dict]:
    """Fresh copies of the small spectrum image's axis dicts (array order)."""
    return [dict(a) for a in EELS_AXES]


def make_eels(dtype=np.float32, title: str = "CL1") -> EELSSpectrum:
    """3 x 5 x 10 EELS spectrum image; value = 100*y + 10*x + channel (exact)."""
    y, x, e = np.meshgrid(*(np.arange(n) for n in EELS_SHAPE), indexing="ij")
    data = (100 * y + 10 * x + e).astype(dtype)
    return EELSSpectrum(
        data,
        axes=eels_axes(),
        metadata={
            "General": {"title": title},
            "Acquisition_instrument": {"TEM": {"beam_energy": 200.0}},
        },
        original_metadata={"Instrument": {"serial": "A-1", "gain": 2}},
    )


@pytest.fixture
def eels():
    """3 x 5 x 10 float32 EELSSpectrum, calibrated, title "CL1" (see :func:`make_eels`)."""
    return make_eels()


@pytest.fixture
def eels_int():
    """The same spectrum image with int64 data."""
    return make_eels(dtype=np.int64)


@pytest.fixture
def spectrum():
    """A single 10-channel float32 EELS spectrum with the image's energy axis."""
    return make_eels().inav[0, 0]


@pytest.fixture
def signal1d():
    """2 x 6 float64 generic Signal1D with default (uncalibrated) axes."""
    return Signal1D(np.arange(12, dtype=float).reshape(2, 6))


@pytest.fixture
def data_dir() -> Path:
    """Folder of the small committed fixture files (see tests/data/make_fixtures.py)."""
    return DATA_DIR


@pytest.fixture
def make_eels_signal():
    """The :func:`make_eels` factory, for tests that need several or other dtypes."""
    return make_eels
