"""Write ``hs_decomposition.hspy``: a HyperSpy 2.5 signal saved with learning results.

Runs in the HyperSpy venv, NOT the emunmix one (emunmix never imports HyperSpy):

    .venv-hyperspy/bin/python tests/data/make_learning_fixture.py

The file (a few KB) is committed; ``tests/signal/test_learning_io.py`` checks that
emunmix restores its decomposition and BSS results. The data are a deterministic
rank-3 mixture (see ``mixture()``), so the test can rebuild them.
"""

from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def mixture() -> np.ndarray:
    """(y=4, x=6, E=20) float64 rank-3 non-negative data, exact."""
    y, x = np.mgrid[0:4, 0:6]
    maps = np.stack([1.0 + 0 * x, (x / 5.0), (y / 3.0) ** 2])  # (3, 4, 6)
    e = np.arange(20)
    spectra = np.stack([100.0 / (1 + e), 50.0 * np.exp(-((e - 8) ** 2) / 4.0),
                        30.0 * np.exp(-((e - 14) ** 2) / 2.0)])  # (3, 20)
    return np.einsum("kyx,kc->yxc", maps, spectra)


def main() -> None:
    import hyperspy.api as hs

    s = hs.signals.Signal1D(mixture())
    s.set_signal_type("EELS")
    s.metadata.General.title = "HS decomposition"
    for ax, (name, units, scale, offset) in zip(
        s.axes_manager._axes,
        [("y", "nm", 0.5, 0.0), ("x", "nm", 0.5, 0.0), ("Energy loss", "eV", 1.0, 500.0)],
    ):
        ax.name, ax.units, ax.scale, ax.offset = name, units, scale, offset
    s.decomposition(True, output_dimension=3)
    s.blind_source_separation(3, diff_order=1)
    s.save(HERE / "hs_decomposition.hspy", overwrite=True, compression=None)


if __name__ == "__main__":
    main()
