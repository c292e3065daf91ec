"""Write tests/data/real/expected.json: what HyperSpy 2.5 gives for each real file.

Run with HyperSpy's interpreter (never a dependency of emunmix or its tests):

    /work/main/.venv-hyperspy/bin/python tests/data/make_real_expected.py

The files in tests/data/real/ are small test files of RosettaSciIO (GPL-3.0, like
emunmix), gzip-compressed; ``describe`` records class, shapes, dtype, axes (with the
values of non-uniform axes), key metadata and a data checksum. The same function
describes emunmix signals in tests/test_io_real_files.py.
"""

from __future__ import annotations

import gzip
import json
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent / "real"

# metadata items compared when HyperSpy has them
METADATA_KEYS = [
    "General.title", "General.original_filename", "General.date", "General.time",
    "Signal.signal_type", "Signal.quantity",
    "Acquisition_instrument.TEM.beam_energy",
    "Acquisition_instrument.TEM.microscope",
    "Acquisition_instrument.TEM.magnification",
    "Acquisition_instrument.TEM.convergence_angle",
    "Acquisition_instrument.TEM.Detector.EELS.collection_angle",
    "Acquisition_instrument.TEM.Detector.EELS.exposure",
    "Acquisition_instrument.TEM.Detector.EELS.aperture_size",
    "Acquisition_instrument.TEM.Detector.EDS.live_time",
    "Acquisition_instrument.TEM.Detector.EDS.azimuth_angle",
    "Acquisition_instrument.TEM.Detector.EDS.elevation_angle",
    "Acquisition_instrument.TEM.Detector.EDS.real_time",
    "Acquisition_instrument.TEM.Stage.tilt_alpha",
    "Acquisition_instrument.TEM.camera_length",
    "Acquisition_instrument.SEM.beam_energy",
    "Acquisition_instrument.SEM.microscope",
    "Acquisition_instrument.SEM.Detector.EDS.live_time",
    "Acquisition_instrument.SEM.Detector.EDS.energy_resolution_MnKa",
    "Acquisition_instrument.SEM.Stage.tilt_alpha",
    "Acquisition_instrument.Detector.exposure_per_frame",
    "Acquisition_instrument.Spectrometer.Grating.groove_density",
    "Acquisition_instrument.Laser.wavelength",
    "Sample.elements",
]

# (shipped file, reader keyword arguments); each may give several signals
FILES = {
    "EELS_SI.dm4": {},
    "test-MonarcCL_spectrum-SI.dm4": {},
    "test-EELS_spectrum.dm3": {},
    "test_STEM_image.dm3": {},
    "16x16_12bit_packed_8bit.bcf": {},
    "example_signal.emd": {},
    "jobinyvon_test_linescan.xml": {"reader": "JobinYvon"},
    "linescan.tvf": {},
    "renishaw_test_undefined.wdf": {},
    "test_loading_image_saved_with_imageJ.tif": {},
    "test2.blo": {},
    "Elid2Version4.elid": {},
    "example1_v1.2.hdf5": {"reader": "HSPY"},
    "test_tvips_2233_000.tvips": {},
    "test_tvips_2345_000.tvips": {},  # its time axis has scale 0
    "velox_SI_16x16.emd": {},  # "Test SI 16x16 215 kx.emd" of RosettaSciIO, renamed
    "128x128-TEM_search.emi": {},
    "16x16-line_profile_horizontal_10x1024.emi": {},  # a line scan of spectra
}

# files a shipped file reads too (unpacked beside it)
COMPANIONS = {"128x128-TEM_search.emi": ["128x128-TEM_search_1.ser"],
              "16x16-line_profile_horizontal_10x1024.emi":
                  ["16x16-line_profile_horizontal_10x1024_1.ser"]}


def _plain(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def describe(signal) -> dict:
    """Class, shapes, dtype, axes and key metadata of a HyperSpy or emunmix signal."""
    am = signal.axes_manager
    data = np.asarray(signal.data)
    axes = []
    for ax in list(am.navigation_axes) + list(am.signal_axes):
        d = {"name": str(ax.name), "units": str(ax.units), "size": int(ax.size),
             "navigate": bool(ax.navigate), "uniform": bool(getattr(ax, "is_uniform", True))}
        if d["uniform"]:
            d["scale"], d["offset"] = float(ax.scale), float(ax.offset)
        else:
            d["values"] = [float(v) for v in np.asarray(ax.axis)]
        axes.append(d)
    md = {}
    for key in METADATA_KEYS:
        if signal.metadata.has_item(key):
            md[key] = _plain(signal.metadata.get_item(key))
    finite = data[np.isfinite(data)] if data.dtype.kind in "fc" else data
    return {
        "class": type(signal).__name__,
        "navigation_shape": list(am.navigation_shape),
        "signal_shape": list(am.signal_shape),
        "data_shape": list(data.shape),
        "dtype": str(data.dtype),
        "axes": axes,
        "metadata": md,
        "data_sum": float(np.sum(finite, dtype=float).real) if data.dtype.kind != "V" else 0.0,
        "data_first": _plain(data.ravel()[:5]) if data.dtype.kind not in "cV" else [],
        "has_original_metadata": bool(len(signal.original_metadata.keys())),
    }


def unpacked(name: str, folder: Path) -> Path:
    """The shipped ``name``.gz decompressed into ``folder``."""
    for companion in COMPANIONS.get(name, []):
        unpacked(companion, folder)
    target = folder / name
    with gzip.open(HERE / (name + ".gz"), "rb") as src, open(target, "wb") as dst:
        shutil.copyfileobj(src, dst)
    return target


def nonuniform_values() -> np.ndarray:
    """The wavelength axis of hs_nonuniform.hspy: 400 + i**1.5 nm (i = 0..7)."""
    return 400.0 + np.arange(8) ** 1.5


def write_nonuniform(hs) -> None:
    """real/hs_nonuniform.hspy: a HyperSpy-written 3 x 8 Signal1D whose signal axis is
    non-uniform (data = 10 * row + channel)."""
    data = (10 * np.arange(3)[:, None] + np.arange(8)[None, :]).astype(np.float32)
    s = hs.signals.Signal1D(data)
    s.axes_manager[0].name, s.axes_manager[0].units = "x", "um"
    s.axes_manager[0].scale = 0.5
    s.axes_manager[-1].convert_to_non_uniform_axis()
    ax = s.axes_manager.signal_axes[0]
    ax.axis = nonuniform_values()
    ax.name, ax.units = "Wavelength", "nm"
    s.metadata.General.title = "HS non-uniform"
    s.save(HERE / "hs_nonuniform.hspy", overwrite=True)


def main() -> None:
    import hyperspy.api as hs

    write_nonuniform(hs)
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, kwargs in FILES.items():
            path = unpacked(name, Path(tmp))
            loaded = hs.load(path, **kwargs)
            loaded = loaded if isinstance(loaded, list) else [loaded]
            out[name] = [describe(s) for s in loaded]
            try:
                lazy = hs.load(path, lazy=True, **kwargs)
            except NotImplementedError:  # the reader cannot load lazily
                lazy = [None] * len(loaded)
            lazy = lazy if isinstance(lazy, list) else [lazy]
            for entry, s in zip(out[name], lazy):
                entry["lazy"] = None if s is None else bool(s._lazy)
            print(name, [(e["class"], e["navigation_shape"], e["signal_shape"])
                         for e in out[name]], file=sys.stderr)
    (HERE / "expected.json").write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
