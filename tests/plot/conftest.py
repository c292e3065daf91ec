"""Plot tests run headless (Agg) on small calibrated, non-square signals."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.backend_bases import KeyEvent, MouseEvent  # noqa: E402

from emunmix.signal import EELSSpectrum, Signal1D, Signal2D  # noqa: E402

NY, NX, NE = 6, 9, 50  # non-square so an x/y swap shows


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def si():
    """A 9 x 6 spectrum image, 50 channels, every axis calibrated (offsets, scales)."""
    rng = np.random.default_rng(1)
    data = rng.poisson(100, (NY, NX, NE)).astype(float)
    data += np.arange(NY * NX).reshape(NY, NX, 1) * 10.0  # each pixel distinct
    return EELSSpectrum(data, axes=[
        {"name": "y", "units": "nm", "scale": 0.5, "offset": -1.0},
        {"name": "x", "units": "nm", "scale": 2.0, "offset": 10.0},
        {"name": "Energy loss", "units": "eV", "scale": 0.5, "offset": 300.0,
         "navigate": False},
    ], metadata={"General": {"title": "SI"}})


@pytest.fixture
def line_scan():
    rng = np.random.default_rng(2)
    return Signal1D(rng.random((7, 40)), axes=[
        {"name": "x", "units": "nm", "scale": 1.5, "offset": 2.0},
        {"name": "Energy loss", "units": "eV", "offset": 400.0, "navigate": False},
    ], metadata={"General": {"title": "Line"}})


@pytest.fixture
def image():
    rng = np.random.default_rng(3)
    return Signal2D(rng.random((12, 16)), axes=[
        {"name": "y", "units": "nm", "scale": 0.25, "offset": 1.0},
        {"name": "x", "units": "nm", "scale": 0.25, "offset": 0.0},
    ], metadata={"General": {"title": "Image"}})


@pytest.fixture
def stack():
    rng = np.random.default_rng(4)
    return Signal2D(rng.random((3, 12, 16)), axes=[
        {"name": "Decomposition component index"},
        {"name": "y", "units": "nm", "scale": 0.25},
        {"name": "x", "units": "nm", "scale": 0.25},
    ], metadata={"General": {"title": "Loadings"}})


@pytest.fixture
def factors():
    """Four spectra (one navigation axis of components) on a calibrated energy axis."""
    energy = 400.0 + np.arange(80)
    data = np.array([np.exp(-((energy - 420 - 12 * k) ** 2) / 20) for k in range(4)])
    return Signal1D(data, axes=[
        {"name": "Decomposition component index", "navigate": True},
        {"name": "Energy loss", "units": "eV", "offset": 400.0, "navigate": False},
    ], metadata={"General": {"title": "Factors"}})


@pytest.fixture
def loadings():
    """Four 5 x 7 maps (x, y in nm) matching ``factors``."""
    yy, xx = np.mgrid[:5, :7]
    data = np.array([np.exp(-((xx - k * 2) ** 2 + (yy - 2) ** 2) / 3) for k in range(4)])
    return Signal2D(data, axes=[
        {"name": "Decomposition component index"},
        {"name": "y", "units": "nm", "scale": 2.0},
        {"name": "x", "units": "nm", "scale": 2.0},
    ], metadata={"General": {"title": "Maps"}})


@pytest.fixture
def click():
    """``click(ax, x, y, name="button_press_event", button=1)`` at data coordinates."""
    def _click(ax, x, y, name="button_press_event", button=1):
        fig = ax.get_figure(root=True)
        fig.canvas.draw()  # final layout, so data -> pixel transforms are right
        px, py = ax.transData.transform((x, y))
        event = MouseEvent(name, fig.canvas, px, py, button=button)
        fig.canvas.callbacks.process(name, event)
        return event
    return _click


@pytest.fixture
def press():
    """``press(fig, key)``: a key press on the figure's canvas."""
    def _press(fig, key):
        event = KeyEvent("key_press_event", fig.canvas, key=key)
        fig.canvas.callbacks.process("key_press_event", event)
        return event
    return _press
