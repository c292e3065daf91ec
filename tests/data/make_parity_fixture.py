"""Write ``hs_parity.npz``: HyperSpy 2.5's decomposition and BSS of small EELS data.

Run with the emunmix interpreter (it makes the data with ``hs.datasets`` and then runs
itself under HyperSpy's interpreter, which is never a dependency of emunmix)::

    PYTHONPATH=src .venv/bin/python tests/data/make_parity_fixture.py

(``HYPERSPY_PYTHON=/path/to/python`` if HyperSpy's venv is not ``.venv-hyperspy``.)

The data (CL1, every 8th column and 4th row, first 512 channels: 16 x 8 pixels of
Poisson counts) are stored in the file too, so the test does not depend on the dataset
generator. Each case gives the data other calibrations and shapes, so that HyperSpy's
scaling conventions show: BSS derivatives in calibrated units (the axis scale), and the
SVD of data with fewer pixels than channels (``auto_transpose``: the singular values go
with the factors). ``tests/signal/test_parity_scaling.py`` compares emunmix with it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
OUT = HERE / "hs_parity.npz"
HYPERSPY_PYTHON = os.environ.get(
    "HYPERSPY_PYTHON", str(HERE.parents[1] / ".venv-hyperspy" / "bin" / "python"))

# name: (slice of the data, energy scale, energy offset, navigation scale,
#        decomposition kwargs, BSS kwargs or None)
CASES = {
    # more pixels (128) than channels (120): no transposition; scale as an EDS map (keV)
    "map": ((slice(None), slice(None), slice(0, 120)), 0.02, 0.1, 2.0,
            {"normalize_poissonian_noise": True}, {"number_of_components": 3}),
    # fewer pixels (128) than channels (512): HyperSpy transposes
    "scan": ((slice(None), slice(None), slice(None)), 0.01, 0.2, 2.0,
             {"normalize_poissonian_noise": True}, {"number_of_components": 4}),
    "scan_on_loadings": ((slice(None), slice(None), slice(None)), 0.01, 0.2, 2.0,
                         {"normalize_poissonian_noise": True},
                         {"number_of_components": 4, "on_loadings": True}),
    "scan_plain": ((slice(None), slice(None), slice(None)), 0.01, 0.2, 2.0,
                   {"output_dimension": 4}, None),
    # a 16-spectrum line scan of 512 channels (transposed), EELS-like 0.5 eV channels
    "line": ((slice(None), 3, slice(None)), 0.5, 400.0, 1.5,
             {"normalize_poissonian_noise": True}, {"number_of_components": 3}),
}
SEED = 0  # FastICA's random_state (HyperSpy passes it on through **kwargs)


def case_data(data, name):
    """The array of one case (numpy order: y, x, E or x, E)."""
    return np.ascontiguousarray(data[CASES[name][0]], dtype=np.float64)


def make_data() -> np.ndarray:
    import emunmix.api as hs

    s = hs.datasets.CL1(random_state=0)
    return s.inav[::8, ::4].isig[:512].data.astype(np.uint16)


def run_hyperspy(data: np.ndarray) -> dict:
    """HyperSpy's results for every case (runs in HyperSpy's interpreter)."""
    import hyperspy.api as hs

    out = {}
    for name, (_, scale, offset, nav_scale, dec, bss) in CASES.items():
        s = hs.signals.Signal1D(case_data(data, name))
        for ax in s.axes_manager.navigation_axes:
            ax.scale, ax.units = nav_scale, "nm"
        sig = s.axes_manager.signal_axes[0]
        sig.scale, sig.offset, sig.units = scale, offset, "keV"
        s.decomposition(print_info=False, **dec)
        lr = s.learning_results
        k = bss["number_of_components"] if bss else dec["output_dimension"]
        out[f"{name}/factors"] = lr.factors[:, :k]
        out[f"{name}/loadings"] = lr.loadings[:, :k]
        out[f"{name}/explained_variance"] = lr.explained_variance[:k]
        if bss:
            s.blind_source_separation(print_info=False, random_state=SEED, **bss)
            out[f"{name}/bss_factors"] = lr.bss_factors
            out[f"{name}/bss_loadings"] = lr.bss_loadings
            out[f"{name}/unmixing_matrix"] = lr.unmixing_matrix
    return out


def hs_version() -> str:
    import hyperspy

    return hyperspy.__version__


def main() -> None:
    if "--hyperspy" in sys.argv:
        src, dst = sys.argv[2], sys.argv[3]
        with np.load(src) as f:
            results = run_hyperspy(f["data"])
        results["hyperspy_version"] = np.array(hs_version())
        np.savez(dst, **results)
        return
    data = make_data()
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "in.npz", Path(tmp) / "out.npz"
        np.savez(src, data=data)
        subprocess.run([str(HYPERSPY_PYTHON), __file__, "--hyperspy", str(src), str(dst)],
                       check=True)
        with np.load(dst) as f:
            results = {k: f[k] for k in f.files}
    results = {k: v.astype(np.float32) if v.dtype == np.float64 else v
               for k, v in results.items()}  # float32: ample for the tolerances, half the size
    np.savez_compressed(OUT, data=data, **results)
    print(f"wrote {OUT} ({OUT.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
