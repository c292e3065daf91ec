"""Write the HyperSpy-made fixture files in this folder.

Runs in the HyperSpy venv, NOT the emunmix one (emunmix never imports HyperSpy):

    .venv-hyperspy/bin/python tests/data/make_fixtures.py

The files are committed; rerun only to refresh them. The data are deterministic so the
tests can recompute the expected values: ``arange`` scaled, see ``eels_data()``.

Files (each under 35 KB; no .zspy: a zarr folder is ~60 files and 100 KB):
- ``hs_eels.hspy``     3 x 4 x 16 float32 EELSSpectrum, calibrated axes, title "HS EELS",
                        beam energy 200 kV in the metadata.
- ``hs_eels.hdf5``     the same, saved with the .hdf5 extension (HyperSpy itself asks
                        for ``reader=`` to read it back; emunmix must not).
- ``hs_complex.hspy``  2 x 5 complex64 ComplexSignal1D.
- ``hs_image.hspy``    2 x 3 x 4 int16 Signal2D (a stack of two images).
- ``hs_spectrum.msa``  the spectrum at x=1, y=2 of hs_eels as an EMSA/MSA text file.
"""

from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def eels_data() -> np.ndarray:
    """(y=3, x=4, E=16) float32: value = 100*y + 10*x + E/4 (exactly representable)."""
    y, x, e = np.meshgrid(np.arange(3), np.arange(4), np.arange(16), indexing="ij")
    return (100 * y + 10 * x + e / 4).astype(np.float32)


def main() -> None:
    import hyperspy.api as hs

    s = hs.signals.Signal1D(eels_data())
    s.set_signal_type("EELS")
    s.metadata.General.title = "HS EELS"
    s.metadata.set_item("Acquisition_instrument.TEM.beam_energy", 200.0)
    for ax, (name, units, scale, offset) in zip(
        s.axes_manager._axes,
        [("y", "nm", 0.5, 1.0), ("x", "nm", 0.25, -2.0), ("Energy loss", "eV", 0.5, 450.0)],
    ):
        ax.name, ax.units, ax.scale, ax.offset = name, units, scale, offset
    s.save(HERE / "hs_eels.hspy", overwrite=True)
    s.save(HERE / "hs_eels.hdf5", overwrite=True, file_format="HSPY")
    s.inav[1, 2].save(HERE / "hs_spectrum.msa", overwrite=True)

    c = hs.signals.ComplexSignal1D(
        (np.arange(10) + 1j * np.arange(10)[::-1]).reshape(2, 5).astype(np.complex64)
    )
    c.metadata.General.title = "HS complex"
    c.save(HERE / "hs_complex.hspy", overwrite=True)

    im = hs.signals.Signal2D(np.arange(24, dtype=np.int16).reshape(2, 3, 4))
    im.metadata.General.title = "HS image"
    im.axes_manager[0].name = "frame"
    im.axes_manager[1].name, im.axes_manager[1].units, im.axes_manager[1].scale = "x", "nm", 0.1
    im.axes_manager[2].name, im.axes_manager[2].units, im.axes_manager[2].scale = "y", "nm", 0.1
    im.save(HERE / "hs_image.hspy", overwrite=True)


if __name__ == "__main__":
    main()
