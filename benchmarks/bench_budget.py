"""The cost model of emunmix.learn.budget against measured times.

    PYTHONPATH=src python benchmarks/bench_budget.py

Prints, for FastICA, MLPCA and RPCA at a few sizes, the estimated worst-case seconds
(``max_iter`` iterations) and the measured time of a few iterations scaled to
``max_iter``; the estimates are meant to be the same order or above (they decide
whether a call warns that it will take minutes, not how long it takes).
"""

from __future__ import annotations

import time
import warnings

import numpy as np

from emunmix.learn.bss.fastica_steps import fit_fastica
from emunmix.learn.budget import fastica_seconds, mlpca_seconds, rpca_seconds
from emunmix.learn.decomposition.mlpca import mlpca
from emunmix.learn.decomposition.rpca import rpca


def _timed(f, *args, **kwargs) -> float:
    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f(*args, **kwargs)
    return time.perf_counter() - t


def main() -> None:
    rng = np.random.default_rng(0)
    _timed(fit_fastica, rng.laplace(size=(64, 2)), max_iter=2)  # imports scikit-learn
    print(f"{'algorithm':<8} {'shape':>14} {'k':>4} {'estimate s':>11} {'measured s':>11}")
    for rows, k in [(1024, 10), (1024, 50), (4096, 30), (1024, 100)]:
        X = rng.laplace(size=(rows, k))
        it = 10
        t = _timed(fit_fastica, X, max_iter=it, tol=0.0, random_state=0)
        print(f"{'FastICA':<8} {str((rows, k)):>14} {k:>4} "
              f"{fastica_seconds(rows, k, 1000):11.1f} {t * 1000 / it:11.1f}")
    for m, n, k in [(1024, 256, 10), (1024, 256, 40)]:
        X = rng.poisson(20, (m, n)).astype(float)
        t = _timed(mlpca, X, k, max_iter=3, tol=0.0)
        print(f"{'MLPCA':<8} {str((m, n)):>14} {k:>4} {mlpca_seconds(m, n, k, 500):11.1f} "
              f"{t * 500 / 3:11.1f}")
    for m, n, k in [(4096, 512, 10), (4096, 512, 80)]:
        X = rng.poisson(20, (m, n)).astype(np.float32)
        t = _timed(rpca, X, k, max_iter=5, tol=0.0)
        print(f"{'RPCA':<8} {str((m, n)):>14} {k:>4} {rpca_seconds(m, n, k, 30):11.1f} "
              f"{t * 30 / 5:11.1f}")


if __name__ == "__main__":
    main()
