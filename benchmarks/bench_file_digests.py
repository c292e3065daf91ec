"""The cost of the damage checks: save and load times of a ~200 MB spectrum image,
with this checkout's emunmix and with another source tree (e.g. main before the digests).

    MPLBACKEND=Agg .venv/bin/python benchmarks/bench_file_digests.py [OTHER_SRC]
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from _common import EMUNMIX_PYTHON, REPO, print_table, run_python

CODE = r"""
import json, os, shutil, sys, tempfile, time
import numpy as np
sys.path.insert(0, SRC)
import emunmix.api as hs
folder = tempfile.mkdtemp(dir=os.environ.get("BENCH_DIR"))
s = hs.signals.Signal1D(np.random.default_rng(0).random((100, 128, 2048)).astype("float64"))
out = {}
def best(fn, n=3):
    times = []
    for _ in range(n):
        t = time.perf_counter(); fn(); times.append(time.perf_counter() - t)
    return min(times)
for ext, kw in (("hspy", {"compression": None}), ("zspy", {})):
    p = os.path.join(folder, "a." + ext)
    out[ext + " save"] = best(lambda: s.save(p, overwrite=True, **kw), 2)
    out[ext + " load"] = best(lambda: hs.load(p), 5)
    out[ext + " lazy compute"] = best(lambda: hs.load(p, lazy=True).data.compute(), 5)
shutil.rmtree(folder)
print(json.dumps(out))
"""


def main() -> None:
    trees = {"this checkout": os.fspath(REPO / "src")}
    if len(sys.argv) > 1:
        trees["other"] = os.fspath(Path(sys.argv[1]).resolve())
    results = {name: run_python(EMUNMIX_PYTHON, f"SRC = {src!r}\n" + CODE, timeout=1200)
               for name, src in trees.items()}
    keys = list(next(iter(results.values())))
    first = "200 MB (100x128x2048 float64)"
    rows = [{first: k, **{n: f"{results[n][k]:.2f} s" for n in trees}} for k in keys]
    print_table(rows, [first] + list(trees), title="save/load with and without the chunk digests")


if __name__ == "__main__":
    main()
