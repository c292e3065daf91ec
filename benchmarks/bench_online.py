"""Online and incremental decompositions against HyperSpy 2.5: ORPCA, ORNMF (in memory)
and the incremental SVD (lazy data), on the same data and the same number of components.

    MPLBACKEND=Agg .venv/bin/python benchmarks/bench_online.py [--pixels 2048]
        [--channels 256] [--k 4] [--batch 256] [--no-hyperspy]

emunmix runs in this process (best of 3); HyperSpy runs in its own venv twice, with the
default BLAS threads and with OPENBLAS_NUM_THREADS=1, and the better of the two is shown
(each best of 3). Both get the same soft thresholds (4 x the Poisson noise of the mean count:
HyperSpy's fixed default of 1.0 turns most of count data into "sparse" part) and the same
batch size. The load average is printed: the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

from _common import hyperspy_python, print_table, run_python, time_call  # noqa: E402

CASES = {  # name -> (algorithm, decomposition keywords besides output_dimension, lazy)
    "ORPCA": ("ORPCA", {"lambda1": 0.1, "lambda2": None}, False),
    "ORNMF": ("ORNMF", {"lambda1": None}, False),
    "incremental SVD": ("SVD", {"svd_solver": "incremental"}, True),
}

_SNIPPET = """
import json, time, warnings
import numpy as np
import {module} as hs
warnings.simplefilter("ignore")
X = np.load({path!r})
s = hs.signals.Signal1D(X.reshape({shape}))
if {lazy}:
    s = s.as_lazy()
kw = {kw}
best = float("inf")
for _ in range(3):
    t = s.deepcopy() if not {lazy} else s
    t0 = time.perf_counter()
    t.decomposition(algorithm={algorithm!r}, output_dimension={k}, print_info=False, **kw)
    best = min(best, time.perf_counter() - t0)
f = np.asarray(t.learning_results.factors)
l = np.asarray(t.learning_results.loadings)
model = l @ f.T
err = float(np.linalg.norm(model - {low_expr}) / np.linalg.norm({low_expr}))
print(json.dumps({{"seconds": best, "error": err}}))
"""


def make_data(pixels: int, channels: int, k: int, seed: int = 0):
    """Non-negative Gaussian peaks, Poisson counts and 1% outliers of +200 (float32)."""
    rng = np.random.default_rng(seed)
    x = np.linspace(0, 1, channels)
    F = np.stack([np.exp(-((x - c) ** 2) / 0.003) for c in np.linspace(0.15, 0.85, k)], 1)
    low = (rng.gamma(2, 1, (pixels, k)) * 10) @ (F + 0.02).T
    X = rng.poisson(low).astype(np.float32)
    X[rng.random(X.shape) < 0.01] += 200
    return X, low


def _case_kwargs(name, batch, threshold):
    algorithm, kw, lazy = CASES[name]
    kw = {key: (threshold if value is None else value) for key, value in kw.items()}
    if algorithm in ("ORPCA", "ORNMF"):
        kw["batch_size"] = batch
    return algorithm, kw, lazy


def run_emunmix(name, X, low, shape, k, batch, threshold):
    import emunmix.api as hs

    algorithm, kw, lazy = _case_kwargs(name, batch, threshold)
    s = hs.signals.Signal1D(X.reshape(shape))
    if lazy:
        s = s.as_lazy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        seconds = time_call(lambda: s.decomposition(algorithm=algorithm, output_dimension=k,
                                                    print_info=False, **kw), repeat=3)
    lr = s.learning_results
    model = np.asarray(lr.loadings) @ np.asarray(lr.factors).T
    return seconds, float(np.linalg.norm(model - low) / np.linalg.norm(low))


def run_hyperspy(name, data_path, low_path, shape, k, batch, threshold, timeout):
    algorithm, kw, lazy = _case_kwargs(name, batch, threshold)
    code = _SNIPPET.format(module="hyperspy.api", path=data_path, shape=shape, lazy=lazy,
                           kw=kw, algorithm=algorithm, k=k,
                           low_expr=f"np.load({low_path!r})")
    best = None
    for env in ({}, {"OPENBLAS_NUM_THREADS": "1"}):
        try:
            out = run_python(hyperspy_python(), code, timeout=timeout, env=env)
        except Exception as exc:  # noqa: BLE001 - report, keep going
            return None, None, f"failed: {str(exc).splitlines()[0][:60]}"
        if best is None or out["seconds"] < best[0]:
            best = (out["seconds"], out["error"], "1 thread" if env else "default threads")
    return best


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--pixels", type=int, default=2048)
    p.add_argument("--channels", type=int, default=256)
    p.add_argument("--k", type=int, default=4)
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--no-hyperspy", action="store_true")
    p.add_argument("--hyperspy-timeout", type=float, default=300)
    args = p.parse_args(argv)
    X, low = make_data(args.pixels, args.channels, args.k)
    side = int(np.sqrt(args.pixels))
    shape = (args.pixels // side, side, args.channels) if side * side == args.pixels else (
        args.pixels, args.channels)
    threshold = float(4 * np.sqrt(X.mean()))
    use_hs = hyperspy_python() is not None and not args.no_hyperspy
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        data_path, low_path = os.path.join(tmp, "X.npy"), os.path.join(tmp, "low.npy")
        np.save(data_path, X)
        np.save(low_path, low)
        for name in CASES:
            sec, err = run_emunmix(name, X, low, shape, args.k, args.batch, threshold)
            row = {"case": name, "emunmix s": sec, "emunmix err": err}
            if use_hs:
                hsec, herr, how = run_hyperspy(name, data_path, low_path, shape, args.k,
                                               args.batch, threshold,
                                               args.hyperspy_timeout)
                row.update({"HyperSpy s": hsec, "HyperSpy err": herr, "HyperSpy best of": how})
                if hsec:
                    row["speed-up"] = hsec / sec
            rows.append(row)
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"data: {shape} float32, k={args.k}, batch_size={args.batch}; "
          f"threshold {threshold:.1f}; load average {load}")
    print_table(rows, ["case", "emunmix s", "HyperSpy s", "speed-up", "HyperSpy best of",
                       "emunmix err", "HyperSpy err"])
    print(json.dumps({"load_average": os.getloadavg()}))


if __name__ == "__main__":
    main()
