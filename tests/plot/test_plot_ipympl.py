"""With the Jupyter widget backend (ipympl): live plot, events, and the slider browser.

Runs in a subprocess, since a backend is chosen once per process.
"""

import importlib.util
import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent("""
    import matplotlib
    matplotlib.use("module://ipympl.backend_nbagg")
    import numpy as np
    from matplotlib.backend_bases import KeyEvent, MouseEvent
    from emunmix.plot import browser
    from emunmix.signal import EELSSpectrum, Signal1D, Signal2D

    data = np.random.default_rng(0).poisson(100, (5, 7, 32)).astype(float)
    s = EELSSpectrum(data, axes=[
        {"name": "y", "units": "nm"}, {"name": "x", "units": "nm"},
        {"name": "Energy loss", "units": "eV", "navigate": False}])
    p = s.plot()
    fig = p.figure
    fig.canvas.draw()
    fig.canvas.callbacks.process(
        "key_press_event", KeyEvent("key_press_event", fig.canvas, key="right"))
    x, y = p.navigator_ax.transData.transform((4, 3))
    fig.canvas.callbacks.process(
        "button_press_event", MouseEvent("button_press_event", fig.canvas, x, y, button=1))
    assert p.pointer.indices == (4, 3), p.pointer.indices
    assert np.array_equal(p.lines[0].get_ydata(), data[3, 4])

    factors = Signal1D(np.random.rand(3, 32), axes=[
        {"name": "c", "navigate": True}, {"name": "E", "navigate": False}])
    loadings = Signal2D(np.random.rand(3, 5, 7))
    b = browser._jupyter_browser(factors, loadings, "BSS", "BSS component index")
    assert b.widget.children[1] is b.figure.canvas  # the canvas widget under the slider
    b.slider.value = 2
    assert b.index == 2
    print("OK")
""")


def test_widget_backend_plot_and_browser():
    # find_spec, not import: importing ipympl switches this process's backend
    for module in ("ipympl", "ipywidgets"):
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"{module} is not installed")
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().endswith("OK")
