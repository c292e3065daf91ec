"""Blind source separation: emunmix vs HyperSpy 2.5 on the same data, in one run.

    MPLBACKEND=Agg .venv/bin/python benchmarks/bench_bss.py [--quick]

Each case decomposes with Poisson normalisation (SVD) and then times only the
``blind_source_separation`` call (best of three), in this process for emunmix and in
a fresh HyperSpy-venv process for HyperSpy (seeded with ``np.random.seed(0)``, since
HyperSpy passes no random_state); both are scored here against the datasets' ground
truth: mean |correlation| after best matching, and the worst single component. The
"maps ceiling" column is what a perfect linear unmixing reaches on the noisy maps
(least squares of the data on the true spectra).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import hyperspy_python, print_table  # noqa: E402
from bench_decomposition import run_hyperspy_call, timed_emunmix  # noqa: E402

from emunmix.datasets import make_dataset  # noqa: E402
from emunmix.learn.metrics import match_components  # noqa: E402

CASES = [
    # label, dataset, hard, components, diff_order, extra emunmix keywords
    ("CL1 d1", "CL1", False, 4, 1, {}),
    ("CL2 d2", "CL2", False, 4, 2, {}),
    ("CL1 hard d1", "CL1", True, 7, 1, {}),
    ("CL1 hard d2", "CL1", True, 7, 2, {}),
    ("CL1 hard d2 smooth=2 fun=exp", "CL1", True, 7, 2, {"smooth": 2, "fun": "exp"}),
]


def _ceiling(ds):
    """Mean |corr| of the maps any linear unmixing can reach: least squares of the
    noisy data on the true spectra (the noise in the maps limits it)."""
    D = ds.data.reshape(-1, ds.data.shape[-1]).astype(float)
    maps = np.linalg.lstsq(ds.truth.spectra.T.astype(float), D.T, rcond=None)[0]
    _, cm = match_components(maps, ds.truth.maps.reshape(len(maps), -1))
    return cm.mean()


def _f(x):
    return f"{x:.5f}"


def _match(factors, loadings, truth):
    k = truth.maps.shape[0]
    _, cm = match_components(np.asarray(loadings).T, truth.maps.reshape(k, -1))
    _, cs = match_components(np.asarray(factors).T, truth.spectra)
    return cm, cs


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="one repeat instead of three")
    args = p.parse_args(argv)
    repeat = 1 if args.quick else 3
    print(f"HyperSpy python: {hyperspy_python() or 'n/a'}")
    rows = []
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        for label, name, hard, k, order, extra in CASES:
            ds = make_dataset(name, hard=hard)
            path = tmp / "data.npy"
            np.save(path, ds.data)
            s, t_em, _ = timed_emunmix(
                ds.data,
                lambda s, k=k, order=order, extra=extra: s.blind_source_separation(
                    k, diff_order=order, print_info=False, random_state=0, **extra),
                repeat, setup=lambda s: s.decomposition(True, print_info=False))
            lr = s.learning_results
            cm, cs = _match(lr.bss_factors, lr.bss_loadings, ds.truth)
            row = {"case": label, "emunmix s": t_em, "emunmix maps": _f(cm.mean()),
                   "emunmix spectra": _f(cs.mean()), "emunmix worst": _f(min(cm.min(), cs.min())),
                   "maps ceiling": _f(_ceiling(ds))}
            hs = run_hyperspy_call(
                path, f"s.blind_source_separation({k}, diff_order={order}, print_info=False)",
                tmp / "hs.npz", repeat, setup="s.decomposition(True, print_info=False)")
            if hs is not None:
                hm, hsp = _match(hs["bss_factors"], hs["bss_loadings"], ds.truth)
                row.update({"HyperSpy s": hs["time"], "speed-up": hs["time"] / t_em,
                            "HyperSpy maps": _f(hm.mean()), "HyperSpy spectra": _f(hsp.mean()),
                            "HyperSpy worst": _f(min(hm.min(), hsp.min()))})
            rows.append(row)
    cols = ["case", "emunmix s", "HyperSpy s", "speed-up", "emunmix maps", "HyperSpy maps",
            "emunmix spectra", "HyperSpy spectra", "emunmix worst", "HyperSpy worst",
            "maps ceiling"]
    rows = [{c: r.get(c, "n/a") for c in cols} for r in rows]
    print_table(rows, cols, title="BSS (sklearn_fastica) after Poisson SVD: time of the "
                "blind_source_separation call; mean |corr| after best matching; HyperSpy "
                "always runs its defaults; maps ceiling: least squares on the true spectra")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
