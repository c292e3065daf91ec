"""Lazy decomposition: a 256 x 256 x 1024 float32 Poisson SVD read from a file.

    MPLBACKEND=Agg .venv/bin/python benchmarks/bench_lazy.py [--old-src PATH] [--no-hyperspy]
                                                             [--formats hspy,zspy]

The data (256 MiB, CL1 maps enlarged 4x, Poisson noise) are written once to a
temporary .hspy (gzip, HyperSpy's default) and .zspy file with chunks of
32 x 256 x 1024 (8 row chunks of the unfolded (65536, 1024) matrix, 32 MiB each).
Each row is one fresh process: ``s = load(f, lazy=True)`` then
``s.decomposition(True)``; time of the call and peak memory (maximum resident set
minus the resident set after the imports). ``--old-src`` runs the same snippet with
another checkout's ``src`` first on ``sys.path`` (e.g. a ``git worktree`` of the code
before a change), for a before/after table. "distributed" rows run the decomposition
on a ``dask.distributed`` LocalCluster of 2 worker processes (1 thread each): peak is
then the client's (the workers read the data). HyperSpy 2.5 runs ``hs.load(f,
lazy=True).decomposition(True, output_dimension=32)`` in its own venv, under a time
limit (without ``output_dimension`` its lazy SVD raises ValueError).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import hyperspy_python, print_table, run_emunmix, run_python  # noqa: E402

SETUP = """
import numpy as np
from emunmix.datasets import make_dataset
from emunmix.signal import Signal1D
ds = make_dataset("CL1")
maps = ds.truth.maps.repeat(4, axis=1).repeat(4, axis=2)         # (k, 256, 256)
lam = np.einsum("kyx,kc->yxc", maps, ds.truth.spectra).astype(np.float32)
s = Signal1D(np.random.default_rng(0).poisson(lam).astype(np.float32))
for ext in {formats!r}:
    s.save({tmp!r} + "/data." + ext, chunks=(32, 256, 1024))
print('{{"ok": 1}}')
"""

EM_LAZY = r"""
import sys
if {src!r}:
    sys.path.insert(0, {src!r})
import json, resource, time
import numpy as np
import emunmix.api as hs
from emunmix.signal import Signal1D
client = None
if {distributed!r}:
    from distributed import Client, LocalCluster
    client = Client(LocalCluster(n_workers=2, threads_per_worker=1, processes=True))
base = [int(ln.split()[1]) for ln in open("/proc/self/status") if ln.startswith("VmRSS")][0]
s = hs.load({path!r}, lazy=True)
t0 = time.perf_counter()
s.decomposition(True, print_info=False)
dt = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base
ev = np.asarray(s.learning_results.explained_variance[:4], dtype=float).tolist()
print(json.dumps({{"time": dt, "peak_mib": peak / 2**10, "ev": ev}}))
"""

HS_LAZY = r"""
import json, resource, time, warnings, logging
import numpy as np
warnings.simplefilter("ignore")
logging.disable(logging.WARNING)
import hyperspy.api as hs
base = [int(ln.split()[1]) for ln in open("/proc/self/status") if ln.startswith("VmRSS")][0]
s = hs.load({path!r}, lazy=True)
t0 = time.perf_counter()
s.decomposition(True, output_dimension=32, print_info=False)
dt = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base
ev = np.asarray(s.learning_results.explained_variance[:4], dtype=float).tolist()
print(json.dumps({{"time": dt, "peak_mib": peak / 2**10, "ev": ev}}))
"""


#: HyperSpy's lazy SVD needs an output_dimension (its plain ``decomposition(True)``
#: raises ValueError): it runs dask's randomized SVD of 32 components, the number of
#: components emunmix computes at once (it also computes all 1024 singular values).
HS_LABEL = "HyperSpy 2.5, output_dimension=32"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--old-src", help="a checkout's src folder to compare with (before)")
    p.add_argument("--no-hyperspy", action="store_true")
    p.add_argument("--no-distributed", action="store_true")
    p.add_argument("--formats", default="hspy,zspy")
    p.add_argument("--hyperspy-timeout", type=float, default=300)
    args = p.parse_args(argv)
    formats = tuple(args.formats.split(","))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        run_emunmix(SETUP.format(tmp=tmp, formats=formats), timeout=1800)
        for ext in formats:
            path = f"{tmp}/data.{ext}"
            runs = []
            if args.old_src:
                runs.append(("emunmix before", str(Path(args.old_src).resolve()), False))
            runs.append(("emunmix", "", False))
            if not args.no_distributed:
                runs.append(("emunmix distributed", "", True))
            for label, src, dist in runs:
                r = run_emunmix(EM_LAZY.format(src=src, distributed=dist, path=path),
                                timeout=1800)
                rows.append({"file": ext, "run": label, "s": r["time"],
                             "peak MiB": r["peak_mib"], "ev[0]": r["ev"][0]})
            py = hyperspy_python()
            if py and not args.no_hyperspy:
                try:
                    r = run_python(py, HS_LAZY.format(path=path),
                                   timeout=args.hyperspy_timeout)
                    rows.append({"file": ext, "run": HS_LABEL, "s": r["time"],
                                 "peak MiB": r["peak_mib"], "ev[0]": r["ev"][0]})
                except Exception as exc:  # a timeout or a failure: say which
                    rows.append({"file": ext, "run": HS_LABEL,
                                 "s": f"failed: {type(exc).__name__}"})
    print_table(rows, ["file", "run", "s", "peak MiB", "ev[0]"],
                title="lazy 256x256x1024 float32 Poisson SVD (256 MiB, chunks 32x256x1024), "
                "decomposition(True), fresh processes (peak: max RSS minus RSS after imports)")


if __name__ == "__main__":
    main()
