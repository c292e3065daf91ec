"""Import time, load times (.hspy, instrument files) and HyperSpy interoperability:
emunmix vs HyperSpy 2.5.

    MPLBACKEND=Agg .venv/bin/python benchmarks/bench_io.py [--repeat 5]

Each timing runs in a fresh subprocess (best of ``--repeat``). The load benchmark reads
one 64 x 64 x 1024 float32 EELS .hspy file, written once by emunmix into a temporary
folder, with both libraries. The HyperSpy columns and the interoperability checks need
the HyperSpy venv (.venv-hyperspy, or EMUNMIX_HYPERSPY_PYTHON); without it they show '-'.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    EMUNMIX_PYTHON,
    hyperspy_python,
    peak_memory_subprocess,
    print_table,
    run_python,
    time_subprocess,
)

IMPORTS = {"emunmix": "import emunmix.api", "hyperspy": "import hyperspy.api"}
LOADERS = {"emunmix": "import emunmix.api as hs", "hyperspy": "import hyperspy.api as hs"}

_LOAD_SNIPPET = """
{import_line}
import json, time
import numpy as np
best = float("inf")
for _ in range({repeat}):
    t0 = time.perf_counter()
    s = hs.load({path!r}, lazy={lazy})
    if not {lazy}:
        float(np.asarray(s.data).sum())  # the data really is in memory
    best = min(best, time.perf_counter() - t0)
print(json.dumps({{"seconds": best, "shape": list(s.data.shape), "cls": type(s).__name__}}))
"""


def _ratio(ours, theirs):
    return None if ours is None or theirs is None else theirs / ours


def bench_import(repeat: int, hs_py: str | None) -> list[dict]:
    rows = []
    base_ours = time_subprocess(EMUNMIX_PYTHON, "pass", repeat=repeat)
    ours = time_subprocess(EMUNMIX_PYTHON, IMPORTS["emunmix"], repeat=repeat)
    theirs = time_subprocess(hs_py, IMPORTS["hyperspy"], repeat=repeat) if hs_py else None
    rows.append({"benchmark": "import <pkg>.api (s, fresh process)", "emunmix": ours,
                 "hyperspy": theirs, "hyperspy/emunmix": _ratio(ours, theirs)})
    rows.append({"benchmark": "  python start-up alone (s)", "emunmix": base_ours,
                 "hyperspy": time_subprocess(hs_py, "pass", repeat=repeat) if hs_py else None})
    mem_ours = peak_memory_subprocess(IMPORTS["emunmix"])
    mem_theirs = peak_memory_subprocess(IMPORTS["hyperspy"], python=hs_py) if hs_py else None
    rows.append({"benchmark": "  peak memory after import (MiB)", "emunmix": mem_ours,
                 "hyperspy": mem_theirs, "hyperspy/emunmix": _ratio(mem_ours, mem_theirs)})
    return rows


def bench_load(folder: Path, repeat: int, hs_py: str | None) -> list[dict]:
    import numpy as np

    from emunmix.signal import EELSSpectrum

    path = folder / "si_64x64x1024.hspy"
    rng = np.random.default_rng(0)
    s = EELSSpectrum(
        rng.poisson(100, size=(64, 64, 1024)).astype(np.float32),
        axes=[{"name": "y", "units": "nm"}, {"name": "x", "units": "nm"},
              {"name": "Energy loss", "units": "eV", "scale": 1.0, "offset": 400.0,
               "navigate": False}],
        metadata={"General": {"title": "bench"}},
    )
    s.save(path)
    rows = []
    for lazy in (False, True):
        res = {}
        for pkg, py in (("emunmix", EMUNMIX_PYTHON), ("hyperspy", hs_py)):
            if py is None:
                res[pkg] = None
                continue
            code = _LOAD_SNIPPET.format(import_line=LOADERS[pkg], repeat=repeat,
                                        path=str(path), lazy=lazy)
            out = run_python(py, code)
            assert out["shape"] == [64, 64, 1024] and out["cls"].endswith("EELSSpectrum"), out
            res[pkg] = out["seconds"]
        label = "load 64x64x1024 float32 .hspy" + (" lazy=True" if lazy else "")
        rows.append({"benchmark": label + " (s)", **res,
                     "hyperspy/emunmix": _ratio(res["emunmix"], res["hyperspy"])})
    return rows


REAL = Path(__file__).resolve().parents[1] / "tests" / "data" / "real"
REAL_FILES = ["EELS_SI.dm4", "16x16_12bit_packed_8bit.bcf", "linescan.tvf"]

_REAL_LOAD_SNIPPET = """
{import_line}
import json, time, warnings, logging
warnings.simplefilter("ignore")
logging.disable(logging.WARNING)
best = float("inf")
for _ in range({repeat}):
    t0 = time.perf_counter()
    s = hs.load({path!r}{reader})
    best = min(best, time.perf_counter() - t0)
s = s if isinstance(s, list) else [s]
print(json.dumps({{"seconds": best, "repr": [repr(x) for x in s]}}))
"""


def _unpacked_real(folder: Path) -> list[Path]:
    import gzip
    import shutil

    paths = []
    for name in REAL_FILES:
        with gzip.open(REAL / f"{name}.gz", "rb") as f, open(folder / name, "wb") as g:
            shutil.copyfileobj(f, g)
        paths.append(folder / name)
    return paths


def bench_real_loads(folder: Path, repeat: int, hs_py: str | None) -> list[dict]:
    """Instrument files (RosettaSciIO test files): the same reader, plus emunmix's
    HyperSpy-style post-processing and metadata mapping."""
    rows = []
    for path in _unpacked_real(folder):
        res, reprs = {}, {}
        for pkg, py in (("emunmix", EMUNMIX_PYTHON), ("hyperspy", hs_py)):
            if py is None:
                res[pkg] = None
                continue
            code = _REAL_LOAD_SNIPPET.format(import_line=LOADERS[pkg], repeat=repeat,
                                             path=str(path), reader="")
            out = run_python(py, code)
            res[pkg], reprs[pkg] = out["seconds"], out["repr"]
        if len(reprs) == 2:
            assert reprs["emunmix"] == reprs["hyperspy"], reprs
        rows.append({"benchmark": f"load {path.name} (s)", **res,
                     "hyperspy/emunmix": _ratio(res["emunmix"], res["hyperspy"])})
    return rows


_HS_READS_REAL = """
import json, warnings, logging
warnings.simplefilter("ignore")
logging.disable(logging.WARNING)
import numpy as np
import hyperspy.api as hs
out = {{}}
for name in {names!r}:
    s = hs.load({folder!r} + "/" + name)
    ax = s.axes_manager.signal_axes[0]
    out[name] = {{"repr": repr(s), "uniform": bool(ax.is_uniform),
                  "values": [float(v) for v in ax.axis],
                  "beam_energy": s.metadata.get_item("Acquisition_instrument.TEM.beam_energy")}}
print(json.dumps(out))
"""


def check_real_interop(folder: Path, hs_py: str | None) -> list[dict]:
    """Instrument files loaded by emunmix and saved as .hspy/.zspy open in HyperSpy with
    their class, axes (a non-uniform wavelength axis too) and instrument metadata."""
    if hs_py is None:
        return []
    import numpy as np

    import emunmix.api as em

    saved = folder / "real_saved"
    saved.mkdir()
    names, want = [], {}
    for path in _unpacked_real(folder)[::2]:  # the DM spectrum image, the TriVista scan
        s = em.load(path)
        for ext in ("hspy", "zspy"):
            name = f"{path.stem}.{ext}"
            s.save(saved / name)
            names.append(name)
            want[name] = s
    got = run_python(hs_py, _HS_READS_REAL.format(names=names, folder=str(saved)))
    rows = []
    for name in names:
        s, r = want[name], got[name]
        ax = s.axes_manager.signal_axes[0]
        problems = [k for k, ok in [
            ("class/shape", r["repr"] == repr(s)), ("uniform", r["uniform"] == ax.is_uniform),
            ("axis values", np.allclose(r["values"], ax.axis, rtol=0, atol=1e-12)),
            ("beam energy", r["beam_energy"] == s.metadata.get_item(
                "Acquisition_instrument.TEM.beam_energy", None))] if not ok]
        kind = "non-uniform axis" if not ax.is_uniform else "instrument metadata"
        rows.append({"direction": "emunmix -> HyperSpy", "file": f"{name} (from a real file)",
                     "result": f"ok ({r['repr']}, {kind})" if not problems
                     else "FAIL " + ", ".join(problems)})
    return rows


_HS_READS_OURS = """
import json, warnings
warnings.simplefilter("ignore")
import hyperspy.api as hs
out = {{}}
for name in {names!r}:
    kw = {{"reader": "HSPY"}} if name.endswith(".hdf5") else {{}}  # HyperSpy asks otherwise
    try:
        s = hs.load({folder!r} + "/" + name, **kw)
        axes = [[a.name, a.units, a.scale, a.offset, a.navigate, a.size]
                for a in s.axes_manager._axes]
        out[name] = {{"cls": type(s).__name__, "title": s.metadata.General.title,
                      "signal_type": s.metadata.Signal.signal_type, "axes": axes,
                      "dtype": str(s.data.dtype), "sum": float(s.data.sum())}}
    except Exception as err:
        out[name] = {{"error": type(err).__name__ + ": " + str(err)[:200]}}
print(json.dumps(out))
"""

_HS_WRITES = """
import json, warnings
warnings.simplefilter("ignore")
import numpy as np
import hyperspy.api as hs
s = hs.signals.Signal1D(np.arange(3 * 5 * 10, dtype=np.float32).reshape(3, 5, 10))
s.set_signal_type("EELS")
s.metadata.General.title = "CL1"
for ax, (n, u, sc, of) in zip(s.axes_manager._axes, {axes!r}):
    ax.name, ax.units, ax.scale, ax.offset = n, u, sc, of
for name in {names!r}:
    kw = {{"file_format": "HSPY"}} if name.endswith(".hdf5") else {{}}
    s.save({folder!r} + "/" + name, overwrite=True, **kw)
print(json.dumps({{"ok": True}}))
"""

_AXES = [("y", "nm", 2.0, 1.0, True), ("x", "nm", 0.5, -1.0, True),
         ("Energy loss", "eV", 0.5, 400.0, False)]
_NAMES = ["si.hspy", "si.zspy", "si.hdf5"]


def _expected_signal():
    import numpy as np

    from emunmix.signal import EELSSpectrum

    return EELSSpectrum(
        np.arange(3 * 5 * 10, dtype=np.float32).reshape(3, 5, 10),
        axes=[{"name": n, "units": u, "scale": sc, "offset": of, "navigate": nav}
              for n, u, sc, of, nav in _AXES],
        metadata={"General": {"title": "CL1"}},
    )


def check_interop(folder: Path, hs_py: str | None) -> list[dict]:
    """HyperSpy reads emunmix's files and emunmix reads HyperSpy's; one row per file."""
    if hs_py is None:
        return [{"direction": "HyperSpy venv not found", "file": "-", "result": "skipped"}]
    import numpy as np

    import emunmix.api as em

    rows = []
    ours = folder / "written_by_emunmix"
    ours.mkdir()
    ref = _expected_signal()
    for name in _NAMES:
        ref.save(ours / name)
    got = run_python(hs_py, _HS_READS_OURS.format(names=_NAMES, folder=str(ours)))
    want_axes = [[n, u, sc, of, nav, size] for (n, u, sc, of, nav), size
                 in zip(_AXES, (3, 5, 10))]
    for name in _NAMES:
        r = got[name]
        if "error" in r:
            verdict = "FAIL " + r["error"]
        else:
            problems = [k for k, ok in [
                ("class", r["cls"] == "EELSSpectrum"), ("title", r["title"] == "CL1"),
                ("signal_type", r["signal_type"] == "EELS"), ("axes", r["axes"] == want_axes),
                ("dtype", r["dtype"] == "float32"),
                ("data", r["sum"] == float(ref.data.sum()))] if not ok]
            verdict = "ok (EELSSpectrum, title, axes, dtype, data)" if not problems \
                else "FAIL " + ", ".join(problems)
        note = " (reader='HSPY')" if name.endswith(".hdf5") else ""
        rows.append({"direction": "emunmix -> HyperSpy", "file": name + note,
                     "result": verdict})

    theirs = folder / "written_by_hyperspy"
    theirs.mkdir()
    run_python(hs_py, _HS_WRITES.format(axes=[a[:4] for a in _AXES], names=_NAMES,
                                        folder=str(theirs)))
    for name in _NAMES:
        try:
            s = em.load(theirs / name)  # no reader= for .hdf5
            problems = [k for k, ok in [
                ("class", type(s).__name__ == "EELSSpectrum"),
                ("title", s.metadata.General.title == "CL1"),
                ("axes", [(a.name, a.units, a.scale, a.offset, a.navigate)
                          for a in s.axes_manager._array_axes] == _AXES),
                ("data", np.array_equal(s.data, ref.data))] if not ok]
            verdict = "ok (EELSSpectrum, title, axes, dtype, data)" if not problems \
                else "FAIL " + ", ".join(problems)
        except Exception as err:  # noqa: BLE001 - report, do not stop the benchmark
            verdict = f"FAIL {type(err).__name__}: {err}"
        rows.append({"direction": "HyperSpy -> emunmix", "file": name, "result": verdict})
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="best of N (default 5)")
    args = parser.parse_args(argv)
    hs_py = hyperspy_python()
    print(f"emunmix python:  {EMUNMIX_PYTHON}")
    print(f"hyperspy python: {hs_py or 'not found: HyperSpy columns skipped'}")
    with tempfile.TemporaryDirectory(prefix="emunmix-bench-io-") as tmp:
        folder = Path(tmp)
        rows = (bench_import(args.repeat, hs_py) + bench_load(folder, args.repeat, hs_py)
                + bench_real_loads(folder, args.repeat, hs_py))
        print()
        print_table(rows, ["benchmark", "emunmix", "hyperspy", "hyperspy/emunmix"],
                    title="Speed (best of %d; hyperspy/emunmix > 1: emunmix faster)"
                    % args.repeat)
        interop = check_interop(folder, hs_py) + check_real_interop(folder, hs_py)
        print()
        print_table(interop, ["direction", "file", "result"], title="Interoperability")
    failed = [r for r in interop if r["result"].startswith("FAIL")]
    print(json.dumps({"interop_failures": len(failed)}))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
