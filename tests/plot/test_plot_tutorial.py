"""The seed tutorial's s.plot() calls on the synthetic CL1 dataset (decomposition-free).

``sc`` stands in for ``s.get_decomposition_model(4)``: any signal of the same shape.
"""

import numpy as np
import pytest

from emunmix.datasets import CL1


@pytest.fixture(scope="module")
def cl1():
    s = CL1()
    return s, s * 0.9


def test_tutorial_plots(cl1, tmp_path, click):
    s, sc = cl1
    # In [3]: s.plot()
    p = s.plot()
    assert p.signal_ax.get_xlabel() == "Energy loss (eV)"
    assert p.navigator_ax.get_xlabel() == "x (nm)" and p.navigator_ax.get_ylabel() == "y (nm)"
    click(p.navigator_ax, 30, 30)
    np.testing.assert_array_equal(p.lines[0].get_ydata(), s.data[30, 30])
    p.figure.savefig(tmp_path / "s.png")

    # In [14]: (s + sc * 1j).plot()
    p = (s + sc * 1j).plot()
    p.pointer.set_indices((30, 30))
    real, imag = p.lines
    np.testing.assert_allclose(real.get_ydata(), s.data[30, 30])
    np.testing.assert_allclose(imag.get_ydata(), sc.data[30, 30])
    p.figure.savefig(tmp_path / "complex.png")

    # In [15]: (s - sc).inav[30, 30].plot()
    p = (s - sc).inav[30, 30].plot()
    assert p.navigator is None
    np.testing.assert_allclose(p.lines[0].get_ydata(), s.data[30, 30] - sc.data[30, 30])

    # In [16]: (s - sc).plot()
    p = (s - sc).plot()
    np.testing.assert_allclose(p.navigator_image.get_array(), (s.data - sc.data).sum(-1),
                               rtol=1e-5)
    p.figure.savefig(tmp_path / "residual.png")
    assert all((tmp_path / f).stat().st_size > 10_000
               for f in ("s.png", "complex.png", "residual.png"))
