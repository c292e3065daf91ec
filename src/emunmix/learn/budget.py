"""Bounded work for the iterative solvers whose cost grows faster than the number of
components (FastICA, MLPCA, RPCA): a cost estimate, a warning before a call that will
take minutes, a progress bar and an optional time limit.

The estimates are a simple model of one iteration times the iterations:
``a * rows * k**2 + b * k**2`` for FastICA, ``rows * cols * (a + b * k)`` for RPCA
(thresholding and the robust noise level do not depend on k) and
``rows * cols * k * (a + b * k)`` for MLPCA (k x k weighted least squares per row and
column), with constants measured by ``benchmarks/bench_budget.py`` on a shared
two-core machine and rounded up: they say "seconds" or "minutes", not the exact
time. FastICA and MLPCA (tol 1e-10) are estimated on ``max_iter`` iterations, RPCA
(tol 1e-4, usually met in a few) on :data:`RPCA_TYPICAL_ITERATIONS`. Every solver
stops at ``max_iter``; ``time_limit`` (seconds) stops it earlier, with the solver's
convergence warning saying so.
"""

from __future__ import annotations

import time
import warnings

from emunmix.exceptions import SlowComputationWarning

#: a call estimated to take longer than this many seconds warns first
SLOW_SECONDS = 60.0
#: RPCA (GoDec) usually meets its tol (1e-4) within a few iterations: its warning is
#: estimated on this many (MLPCA and FastICA, whose tol is 1e-10, on ``max_iter``)
RPCA_TYPICAL_ITERATIONS = 30

# seconds per unit of work, from benchmarks/bench_budget.py (rounded up)
_FASTICA_PER_ROW_K2 = 2e-9
_FASTICA_PER_K2 = 3e-5
_RPCA_PER_MN = 1.5e-7
_RPCA_PER_MNK = 3e-9
_MLPCA_PER_MNK = 2.5e-8
_MLPCA_PER_MNK2 = 5e-11


def fastica_seconds(rows: int, k: int, max_iter: int) -> float:
    """Estimated worst-case seconds of FastICA (``max_iter`` iterations) on rows x k."""
    return max_iter * (_FASTICA_PER_ROW_K2 * rows * k * k + _FASTICA_PER_K2 * k * k)


def rpca_seconds(rows: int, cols: int, k: int, max_iter: int) -> float:
    """Estimated worst-case seconds of robust PCA (GoDec) on rows x cols, rank k."""
    return max_iter * rows * cols * (_RPCA_PER_MN + _RPCA_PER_MNK * k)


def mlpca_seconds(rows: int, cols: int, k: int, max_iter: int) -> float:
    """Estimated worst-case seconds of MLPCA on rows x cols, rank k."""
    return max_iter * rows * cols * k * (_MLPCA_PER_MNK + _MLPCA_PER_MNK2 * k)


def _duration(seconds: float) -> str:
    return f"{seconds / 60:.0f} minutes" if seconds >= 90 else f"{seconds:.0f} s"


def warn_if_slow(seconds: float, what: str, advice: str, stacklevel: int = 3) -> bool:
    """Warn (:class:`SlowComputationWarning`) when ``seconds`` exceeds
    :data:`SLOW_SECONDS`; return whether it did."""
    if seconds <= SLOW_SECONDS:
        return False
    warnings.warn(f"{what} may take about {_duration(seconds)} (a rough estimate of the "
                  f"worst case); {advice}", SlowComputationWarning, stacklevel=stacklevel)
    return True


def check_time_limit(time_limit) -> float | None:
    """``time_limit`` as seconds (None: no limit); refuses what is not a positive number."""
    if time_limit is None:
        return None
    if isinstance(time_limit, bool) or not isinstance(time_limit, (int, float)) or not (
            time_limit > 0):
        raise ValueError(f"time_limit must be a positive number of seconds (or None), got "
                         f"{time_limit!r}")
    return float(time_limit)


class IterationBudget:
    """A progress bar over at most ``max_iter`` iterations, and a time limit.

    Parameters
    ----------
    max_iter : int
    desc : str
        The bar's label.
    show_progressbar : bool or None
        True: a bar; False: none; None: a bar when the estimate says the call is slow.
    estimate : float
        The estimated seconds (for ``show_progressbar=None``).
    time_limit : float, optional
        Seconds after which :meth:`step` returns False.
    """

    def __init__(self, max_iter: int, desc: str, show_progressbar=None,
                 estimate: float = 0.0, time_limit=None):
        self.time_limit = check_time_limit(time_limit)
        self.timed_out = False
        self._t0 = time.monotonic()
        show = estimate > 10.0 if show_progressbar is None else bool(show_progressbar)
        self._bar = None
        if show:
            from tqdm.auto import tqdm

            self._bar = tqdm(total=max_iter, desc=desc, leave=False)

    def step(self, n: int = 1) -> bool:
        """Count ``n`` iterations; False once the time limit has passed."""
        if self._bar is not None:
            self._bar.update(n)
        if self.time_limit is not None and time.monotonic() - self._t0 > self.time_limit:
            self.timed_out = True
            return False
        return True

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()

    def __enter__(self) -> IterationBudget:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def reason(self, max_iter: int) -> str:
        """Why the solver stopped without converging, for its warning."""
        if self.timed_out:
            return f"the time limit of {self.time_limit:g} s"
        return f"max_iter={max_iter}"
