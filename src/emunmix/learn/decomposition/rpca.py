"""Robust PCA: a low-rank part plus a sparse part (spikes, dead pixels, outliers).

``P = Low + Sparse + noise`` with ``rank(Low) = k``. The kernel alternates, in the
manner of GoDec (Zhou and Tao 2011, HyperSpy's "RPCA"):

- ``Low``: the rank-``k`` approximation of ``P - Sparse``, by one warm-started subspace
  iteration per step (two thin products, no full SVD);
- ``Sparse``: soft thresholding of the residual ``P - Low`` at ``threshold`` robust
  noise standard deviations (median absolute deviation of the residual), or at the
  absolute ``lambda1`` when given.

References
----------
T. Zhou and D. Tao, "GoDec: randomized low-rank & sparse matrix decomposition in noisy
case", ICML 2011.
E. J. Candes, X. Li, Y. Ma and J. Wright, "Robust principal component analysis?",
J. ACM 58 (2011) 11.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from emunmix.exceptions import convergence_warning, reexported_warnings
from emunmix.learn.budget import (
    RPCA_TYPICAL_ITERATIONS,
    IterationBudget,
    rpca_seconds,
    warn_if_slow,
)
from emunmix.learn.linalg.matrix_view import MatrixView
from emunmix.learn.linalg.svd import svd
from emunmix.learn.registry import DECOMPOSITION, KernelContext, KernelOutput
from emunmix.validation import check_2d


@dataclass
class RPCAResult:
    """``P ~ loadings @ factors.T + sparse``.

    Attributes
    ----------
    factors : ndarray, shape (n, k)
        Orthonormal right singular vectors of the low-rank part.
    loadings : ndarray, shape (m, k)
        Left singular vectors times singular values of the low-rank part.
    singular_values : ndarray, shape (k,)
    sparse : ndarray, shape (m, n)
        The sparse part (mostly zeros).
    threshold : float
        The soft threshold used at the end (data units of ``P``).
    n_iter : int
    converged : bool
    """

    factors: np.ndarray
    loadings: np.ndarray
    singular_values: np.ndarray
    sparse: np.ndarray
    threshold: float
    n_iter: int
    converged: bool


def soft_threshold(R, tau: float, out=None):
    """``sign(R) max(|R| - tau, 0)``, written into ``out`` (a new array by default).

    Examples
    --------
    >>> soft_threshold(np.array([-3.0, 0.5, 2.0]), 1.0)
    array([-2.,  0.,  1.])
    """
    out = np.empty_like(R) if out is None else out
    np.abs(R, out=out)
    out -= tau
    np.maximum(out, 0, out=out)
    out *= np.sign(R)
    return out


def robust_sigma(R, max_samples: int = 2**20, random_state=0) -> float:
    """Noise standard deviation from the median absolute deviation of ``R``."""
    flat = R.ravel()
    if flat.size > max_samples:
        idx = np.random.default_rng(random_state).choice(flat.size, max_samples, replace=False)
        flat = flat[idx]
    flat = flat.astype(np.float64)
    return float(1.4826 * np.median(np.abs(flat - np.median(flat))))


def rpca(
    X,
    rank: int,
    *,
    threshold: float = 4.0,
    lambda1: float | None = None,
    max_iter: int = 200,
    tol: float = 1e-4,
    random_state=None,
    show_progressbar=None,
    time_limit=None,
) -> RPCAResult:
    """Robust PCA of a (pixels, channels) matrix: rank-``k`` part plus sparse part.

    Parameters
    ----------
    X : ndarray or MatrixView, shape (m, n)
        The data (Poisson-normalised counts work best: the noise is then
        homogeneous). Never modified.
    rank : int
        Rank ``k`` of the low-rank part.
    threshold : float, default 4.0
        Soft threshold of the sparse part in units of the robust noise standard
        deviation, re-estimated each iteration.
    lambda1 : float, optional
        Absolute soft threshold (overrides ``threshold``).
    max_iter : int, default 200
    tol : float, default 1e-4
        Stop when ``||Low_t - Low_{t-1}||_F / ||Low_t||_F < tol``.
    random_state : optional
        Seeds the initial SVD when it is randomized.
    show_progressbar : bool, optional
        A bar over the iterations (None: when the run is estimated to be slow).
    time_limit : float, optional
        Seconds after which to stop (with an :class:`RPCAConvergenceWarning`). A run
        estimated to take minutes warns first (``SlowComputationWarning``).

    Returns
    -------
    RPCAResult

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 2)) @ rng.normal(size=(2, 50)) + 0.01 * rng.normal(size=(200, 50))
    >>> X[5, 7] += 50.0  # a spike
    >>> r = rpca(X, 2)
    >>> bool(r.sparse[5, 7] > 40), float(np.mean(r.sparse != 0)) < 0.01
    (True, True)
    """
    view = X if isinstance(X, MatrixView) else MatrixView(X)
    check_2d(view)
    m, n = view.shape
    k = int(rank)
    if not 1 <= k < min(m, n):
        raise ValueError(f"rank must be between 1 and {min(m, n) - 1}, got {k}")
    P = view.materialise()
    dtype = P.dtype
    init = svd(view, k, random_state=random_state)
    V = init.factors.astype(dtype)
    Low = init.loadings.astype(dtype) @ V.T
    S = np.zeros_like(P)
    R = np.empty_like(P)
    converged = False
    tau = float("nan")
    n_iter = 0
    estimate = rpca_seconds(m, n, k, min(max_iter, RPCA_TYPICAL_ITERATIONS))
    warn_if_slow(estimate, f"RPCA of rank {k} on {m} x {n} data",
                 "use a lower output_dimension or max_iter, or give time_limit=SECONDS")
    budget = IterationBudget(max_iter, "RPCA", show_progressbar, estimate, time_limit)
    for it in range(1, max_iter + 1):
        n_iter = it
        # sparse step: soft-threshold the residual of the current low-rank part
        np.subtract(P, Low, out=R)
        tau = float(lambda1) if lambda1 is not None else threshold * robust_sigma(R)
        soft_threshold(R, tau, S)
        # low-rank step: one subspace iteration on P - S, warm-started at V
        np.subtract(P, S, out=R)
        Q, _ = np.linalg.qr(R @ V)
        B = Q.T @ R
        Ub, sb, Vbt = np.linalg.svd(B.astype(np.float64), full_matrices=False)
        V = Vbt.T.astype(dtype)
        new_low = (Q @ (Ub * sb).astype(dtype)) @ Vbt.astype(dtype)
        change = np.linalg.norm(new_low - Low) / max(np.linalg.norm(new_low), 1e-300)
        Low = new_low
        if change < tol:
            converged = True
            break
        if not budget.step():
            break
    budget.close()
    if not converged:
        warnings.warn(
            f"RPCA stopped at {budget.reason(max_iter)} ({n_iter} iterations) without "
            f"reaching tol={tol}",
            convergence_warning("RPCAConvergenceWarning"),
            stacklevel=2,
        )
    # final consistent pair: sparse part of the final low rank, and its SVD
    np.subtract(P, Low, out=R)
    soft_threshold(R, tau, S)
    loadings = (Q @ (Ub * sb)).astype(dtype)
    return RPCAResult(
        factors=V,
        loadings=loadings,
        singular_values=np.asarray(sb, dtype=np.float64),
        sparse=S,
        threshold=tau,
        n_iter=n_iter,
        converged=converged,
    )


@DECOMPOSITION.register("RPCA", "rpca", "RPCA_GoDec", "rpca_godec",
                        options=("threshold", "lambda1", "max_iter", "tol",
                                 "show_progressbar", "time_limit"),
                        needs_output_dimension=True)
def rpca_kernel(view: MatrixView, k, ctx: KernelContext) -> KernelOutput:
    """Robust PCA, low rank plus sparse (:func:`rpca`)."""
    r = rpca(view, k, random_state=ctx.random_state, **ctx.options)
    ev = r.singular_values**2 / view.shape[0]
    info = {"n_iter": r.n_iter, "converged": r.converged, "threshold": r.threshold}
    return KernelOutput(r.factors, r.loadings, ev, sparse=r.sparse, info=info)

# the warning class is made on first use, so that importing this does not import sklearn
__getattr__ = reexported_warnings("RPCAConvergenceWarning")
