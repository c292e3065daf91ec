"""Decomposition: emunmix vs HyperSpy 2.5 on the same data, in one run.

    MPLBACKEND=Agg .venv/bin/python benchmarks/bench_decomposition.py [--quick] [--no-large]

emunmix runs in this process; HyperSpy in a fresh process of the HyperSpy venv
(``.venv-hyperspy``; its column reads "n/a" when it is not installed), reading the
same data from a temporary .npy file and handing its factors and loadings back in a
.npz file, so that both are scored here with the same code.

Tables:
1. CL1 (64 x 64 x 1024): SVD with and without Poisson normalisation, NMF(4) with
   Poisson normalisation: best wall time of the ``decomposition`` call, peak traced
   memory of the call (tracemalloc), and accuracy (RMS of the 4-component model
   against the noiseless data; mean |correlation| of maps/spectra for NMF).
   ``decomposition()`` of all components computes the factors and loadings of the
   first 32 only (the rest on first read); the "all 1024 read" rows time the call plus
   reading every component, against HyperSpy's call, which computes them all.
2. 256 x 256 x 1024 float32 Poisson SVD (256 MiB): time and peak memory of a fresh
   process (maximum resident set minus that after the imports, data included, as a
   multiple of the data size), without and with reading all components afterwards;
   timed without tracemalloc.
3. NMF accuracy on CL1 and hard CL1 (7 components): mean |correlation| after best
   matching, maps and spectra; also with the spatial prior
   (``spatial_smoothness="auto"``, emunmix only) and the time of one call.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    EMUNMIX_PYTHON,
    hyperspy_python,
    print_table,
    run_emunmix,
    run_python,
)

from emunmix.datasets import make_dataset  # noqa: E402
from emunmix.learn.metrics import match_components  # noqa: E402
from emunmix.signal import Signal1D  # noqa: E402

# A HyperSpy snippet: load DATA, run CALL `repeat` times, keep the best time and the
# peak traced memory of one call, write factors/loadings (and BSS ones) to OUT.
HS_SNIPPET = r"""
import json, time, tracemalloc, warnings, logging
import numpy as np
warnings.simplefilter("ignore")
logging.disable(logging.WARNING)
import hyperspy.api as hs
np.random.seed(0)
data = np.load({data!r})
s = hs.signals.Signal1D(data)
setup = {setup!r}
if setup:
    exec(setup)
best = float("inf")
for i in range({repeat}):
    if i == 0:
        tracemalloc.start()
    t0 = time.perf_counter()
    {call}
    dt = time.perf_counter() - t0
    if i == 0:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    best = min(best, dt)
lr = s.learning_results
out = dict(factors=lr.factors, loadings=lr.loadings)
if lr.bss_factors is not None:
    out.update(bss_factors=lr.bss_factors, bss_loadings=lr.bss_loadings)
np.savez({out!r}, **out)
print(json.dumps({{"time": best, "peak_mib": peak / 2**20}}))
"""


def run_hyperspy_call(data_path, call, out_path, repeat=3, setup=""):
    """Time ``call`` (a statement on ``s``) in HyperSpy; None when not installed."""
    py = hyperspy_python()
    if py is None:
        return None
    code = HS_SNIPPET.format(data=str(data_path), call=call, repeat=repeat,
                             out=str(out_path), setup=setup)
    res = run_python(py, code, timeout=1800)
    with np.load(out_path) as z:
        res.update({k: z[k] for k in z.files})
    return res


def timed_emunmix(data, call, repeat=3, setup=None):
    """Best time and peak traced memory of ``call(s)`` on an emunmix signal of ``data``."""
    s = Signal1D(data)
    if setup is not None:
        setup(s)
    best = float("inf")
    peak = None
    for i in range(repeat):
        if i == 0:
            tracemalloc.start()
        t0 = time.perf_counter()
        call(s)
        dt = time.perf_counter() - t0
        if i == 0:
            peak = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
        best = min(best, dt)
    return s, best, peak


def scores(factors, loadings, truth):
    """Mean |correlation| after best matching: (maps, spectra). NaN-free inputs."""
    k = truth.maps.shape[0]
    _, cm = match_components(np.asarray(loadings).T, truth.maps.reshape(k, -1))
    _, cs = match_components(np.asarray(factors).T, truth.spectra)
    return float(cm.mean()), float(cs.mean())


def rms(a, b):
    return float(np.sqrt(np.mean((np.asarray(a, float) - np.asarray(b, float)) ** 2)))


def ratio(hs_time, em_time):
    return None if hs_time is None else hs_time / em_time


def _na(v):
    return "n/a" if v is None else v


#: Rows whose emunmix call also reads all components (the deferred ones computed).
ALL_READ = "all 1024 read: "


def cl1_table(tmp, repeat):
    ds = make_dataset("CL1")
    clean = ds.truth.noiseless.reshape(-1, ds.data.shape[-1])
    path = tmp / "cl1.npy"
    np.save(path, ds.data)
    rows = []
    cases = [
        ("SVD", dict(normalize_poissonian_noise=False),
         "s.decomposition(False, print_info=False)"),
        ("SVD Poisson", dict(normalize_poissonian_noise=True),
         "s.decomposition(True, print_info=False)"),
        (ALL_READ + "SVD Poisson", dict(normalize_poissonian_noise=True),
         "s.decomposition(True, print_info=False)"),
        ("NMF(4) Poisson", dict(normalize_poissonian_noise=True, algorithm="NMF",
                                output_dimension=4, random_state=0),
         "s.decomposition(True, algorithm='NMF', output_dimension=4, print_info=False)"),
    ]
    for name, kwargs, hs_call in cases:
        complete = name.startswith(ALL_READ)

        def call(s, kw=kwargs, complete=complete):
            s.decomposition(print_info=False, **kw)
            if complete:  # read all 1024 factors and loadings (computes the deferred ones)
                s.learning_results.complete_components()

        s, t_em, mem_em = timed_emunmix(ds.data, call, repeat)
        lr = s.learning_results
        model = lr.loadings[:, :4] @ lr.factors[:, :4].T
        row = {"method": name, "emunmix s": t_em, "emunmix MiB": mem_em,
               "emunmix RMS": rms(model, clean)}
        hs = run_hyperspy_call(path, hs_call, tmp / "hs.npz", repeat)
        if hs is not None:
            hmodel = hs["loadings"][:, :4] @ hs["factors"][:, :4].T
            row.update({"HyperSpy s": hs["time"], "HyperSpy MiB": hs["peak_mib"],
                        "HyperSpy RMS": rms(hmodel, clean)})
        if name.startswith("NMF"):
            row["emunmix maps/spectra"] = "%.4f/%.4f" % scores(lr.factors, lr.loadings,
                                                               ds.truth)
            if hs is not None:
                row["HyperSpy maps/spectra"] = "%.4f/%.4f" % scores(
                    hs["factors"], hs["loadings"], ds.truth)
        row["speed-up"] = ratio(row.get("HyperSpy s"), t_em)
        rows.append({k: _na(v) if k.startswith("HyperSpy") or k == "speed-up" else v
                     for k, v in row.items()})
    cols = ["method", "emunmix s", "HyperSpy s", "speed-up", "emunmix MiB", "HyperSpy MiB",
            "emunmix RMS", "HyperSpy RMS", "emunmix maps/spectra", "HyperSpy maps/spectra"]
    print_table(rows, cols, title="CL1 64x64x1024 float32: decomposition "
                "(RMS: 4-component model vs noiseless data; noisy data RMS = "
                f"{rms(ds.data.reshape(clean.shape), clean):.2f})")


LARGE_SETUP = """
import numpy as np
from emunmix.datasets import make_dataset
ds = make_dataset("CL1")
maps = ds.truth.maps.repeat(4, axis=1).repeat(4, axis=2)         # (k, 256, 256)
lam = np.einsum("kyx,kc->yxc", maps, ds.truth.spectra).astype(np.float32)
data = np.random.default_rng(0).poisson(lam).astype(np.float32)
np.save({path!r}, data)
print('{{"shape": %s}}' % list(data.shape))
"""

# Time without tracemalloc (tracing numpy's large allocations slows both libraries
# unevenly), peak as the process's maximum resident set minus its resident set
# after the imports (both KiB): data plus everything the decomposition allocates.
EM_LARGE = r"""
import json, resource, time
import numpy as np
from emunmix.signal import Signal1D
base = [int(ln.split()[1]) for ln in open("/proc/self/status") if ln.startswith("VmRSS")][0]
data = np.load({path!r})
s = Signal1D(data)
t0 = time.perf_counter()
s.decomposition(True, print_info=False)
dt = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base
t0 = time.perf_counter()
s.learning_results.complete_components()  # then read all 1024 components
dt_all = dt + time.perf_counter() - t0
peak_all = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base
print(json.dumps({{"time": dt, "peak_mib": peak / 2**10, "data_mib": data.nbytes / 2**20,
                  "time_all": dt_all, "peak_all_mib": peak_all / 2**10}}))
"""

HS_LARGE = r"""
import json, resource, time, warnings, logging
import numpy as np
warnings.simplefilter("ignore")
logging.disable(logging.WARNING)
import hyperspy.api as hs
base = [int(ln.split()[1]) for ln in open("/proc/self/status") if ln.startswith("VmRSS")][0]
data = np.load({path!r})
s = hs.signals.Signal1D(data)
t0 = time.perf_counter()
s.decomposition(True, print_info=False)
dt = time.perf_counter() - t0
peak = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) / 2**10 * 2**20
print(json.dumps({{"time": dt, "peak_mib": peak / 2**20, "data_mib": data.nbytes / 2**20}}))
"""


def large_table(tmp):
    path = tmp / "large.npy"
    run_emunmix(LARGE_SETUP.format(path=str(path)), timeout=1800)
    em = run_emunmix(EM_LARGE.format(path=str(path)), timeout=1800)
    py = hyperspy_python()
    hs = run_python(py, HS_LARGE.format(path=str(path)), timeout=3600) if py else None
    rows = []
    for label, t_key, p_key in (("SVD Poisson", "time", "peak_mib"),
                                (ALL_READ + "SVD Poisson", "time_all", "peak_all_mib")):
        row = {"method": label, "emunmix s": em[t_key],
               "emunmix peak/data": em[p_key] / em["data_mib"],
               "emunmix peak MiB": em[p_key]}
        if hs is not None:
            row.update({"HyperSpy s": hs["time"], "HyperSpy peak/data": hs["peak_mib"] /
                        hs["data_mib"], "HyperSpy peak MiB": hs["peak_mib"],
                        "speed-up": hs["time"] / em[t_key]})
        rows.append({k: row.get(k, "n/a") for k in (
            "method", "emunmix s", "HyperSpy s", "speed-up", "emunmix peak MiB",
            "HyperSpy peak MiB", "emunmix peak/data", "HyperSpy peak/data")})
    print_table(rows, list(rows[0]), title="256x256x1024 float32 (256 MiB) Poisson SVD, fresh "
                "processes (peak: max RSS minus RSS after imports, data included)")
    path.unlink()


#: Rows of the NMF accuracy table with ``spatial_smoothness="auto"``.
SPATIAL = "spatial prior: "


def nmf_accuracy_table(tmp):
    rows = []
    cases = [("CL1", False, 4, None), ("CL1 hard", True, 7, None),
             (SPATIAL + "CL1", False, 4, "auto"), (SPATIAL + "CL1 hard", True, 7, "auto")]
    for label, hard, k, smooth in cases:
        ds = make_dataset("CL1", hard=hard)
        path = tmp / "nmf.npy"
        np.save(path, ds.data)
        s, t_em, _ = timed_emunmix(
            ds.data, lambda s, k=k, smooth=smooth: s.decomposition(
                True, algorithm="NMF", output_dimension=k, random_state=0, print_info=False,
                spatial_smoothness=smooth), 2)  # best of 2: without warm-up and tracemalloc
        lr = s.learning_results
        em_m, em_s = scores(lr.factors, lr.loadings, ds.truth)
        row = {"data": label, "k": k, "emunmix maps": f"{em_m:.4f}",
               "emunmix spectra": f"{em_s:.4f}", "emunmix s": f"{t_em:.2f}"}
        hs = None
        if smooth is None:  # HyperSpy has no spatial prior
            hs = run_hyperspy_call(path, "s.decomposition(True, algorithm='NMF', "
                                   f"output_dimension={k}, print_info=False)",
                                   tmp / "hs.npz", 1)
        if hs is not None:
            hm, hsp = scores(hs["factors"], hs["loadings"], ds.truth)
            row.update({"HyperSpy maps": f"{hm:.4f}", "HyperSpy spectra": f"{hsp:.4f}",
                        "HyperSpy s": hs["time"]})
        rows.append({k_: row.get(k_, "n/a") for k_ in (
            "data", "k", "emunmix maps", "HyperSpy maps", "emunmix spectra",
            "HyperSpy spectra", "emunmix s")})
    print_table(rows, list(rows[0]), title="NMF accuracy (Poisson-normalised; mean |corr| "
                "after best matching; best time of two calls)")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="one repeat instead of three")
    p.add_argument("--no-large", action="store_true", help="skip the 256 MiB case")
    args = p.parse_args(argv)
    print(f"emunmix python: {EMUNMIX_PYTHON}; HyperSpy python: {hyperspy_python() or 'n/a'}")
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        cl1_table(tmp, 1 if args.quick else 3)
        print()
        nmf_accuracy_table(tmp)
        if not args.no_large:
            print()
            large_table(tmp)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
