"""Online robust NMF (ORNMF): non-negative factors and loadings plus a sparse part,
learnt in one streaming pass over the pixels (Zhao and Tan 2016, HyperSpy's ``"ORNMF"``).

Each pixel ``v`` (``n`` channels) is modelled as ``v = W h + e`` with ``W >= 0`` an
``(n, k)`` dictionary (the factors), ``h >= 0`` its loadings and ``e`` sparse. For a batch
of pixels, with ``W`` fixed, ``(h, e)`` minimise ``1/2 ||v - W h - e||^2 + lambda1 ||e||_1``
(``h >= 0``, ``|e| <= vmax``): the fixed point of HyperSpy's projected gradient steps
``h = max(h - eta W'(W h + e - v), 0)`` alternated with
``e = clip(soft(v - W h, lambda1), -vmax, vmax)``, reached here by exact block steps (a
non-negative least-squares fit of ``h``, then ``e``), about 5 times fewer rounds;
then ``W`` is updated from the running sums ``A = sum h h'`` and ``B = sum (v - e) h'``:

- ``"PGD"``: one projected gradient step ``W - kappa/||A||_F (W A - B)``, clipped at 0 and
  scaled into the unit Frobenius ball (the default);
- ``"RobustPGD"``: such steps, with each column kept in the unit ball, until the
  surrogate ``tr(W'W A)/2 - tr(W'B)`` stops changing (as in the paper);
- ``"MomentumSGD"``: a gradient step with momentum on the batch's own sums,
  ``rate_t = eta (1 + eta lambda1 t)``.

A second pass projects every pixel on the final dictionary (its loadings and sparse
part, without clipping).

References
----------
R. Zhao and V. Y. F. Tan, "Online nonnegative matrix factorization with outliers",
ICASSP 2016, 2662-2666.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from emunmix.exceptions import convergence_warning
from emunmix.learn.decomposition.online import (
    check_batch_size,
    check_momentum,
    check_positive,
    projection_pass,
    sparse_threshold,
    store_sparse,
)
from emunmix.learn.decomposition.rpca import soft_threshold
from emunmix.learn.linalg.matrix_view import MatrixView
from emunmix.learn.linalg.stream import read_rows, stream_batches
from emunmix.learn.registry import DECOMPOSITION, KernelContext, KernelOutput
from emunmix.validation import check_2d, check_random_state

ORNMF_METHODS = ("PGD", "RobustPGD", "MomentumSGD")

#: Most projected-gradient steps of one "RobustPGD" dictionary update.
ROBUST_STEPS = 1000


@dataclass
class ORNMFResult:
    """``P ~ loadings @ factors.T + sparse`` with non-negative factors and loadings.

    Attributes
    ----------
    factors : ndarray, shape (n, k)
        The dictionary ``W`` (HyperSpy's ``components_.T``).
    loadings : ndarray, shape (m, k)
    sparse : ndarray, shape (m, n), or None
    not_converged : int
        Batches whose inner (h, e) iteration stopped at ``max_iter``.
    """

    factors: np.ndarray
    loadings: np.ndarray
    sparse: np.ndarray | None
    not_converged: int


#: Most coordinate-descent sweeps of ``H`` per (H, E) round: warm-started, a few sweeps
#: a round suffice (the rounds go on until neither moves), and more only cost time.
NNLS_SWEEPS = 5


def _nnls_sweeps(G, C, H, scale: float, tol: float):
    """``argmin_{H >= 0} 1/2 tr(H G H') - tr(H C')`` (rows independent: each pixel's
    ``min_{h >= 0} ||v - W h||^2`` with ``G = W'W``, ``C = V W``) by exact coordinate
    descent from ``H`` (HALS's closed-form step per component), until a sweep moves
    ``H`` by less than ``tol * scale``. ``H`` is updated in place and returned."""
    k = G.shape[0]
    diag = np.maximum(np.diag(G), 1e-300)
    for _ in range(NNLS_SWEEPS):
        moved = 0.0
        for j in range(k):
            step = (C[:, j] - H @ G[:, j]) / diag[j]
            new = np.maximum(H[:, j] + step, 0.0)
            moved += float(np.dot(new - H[:, j], new - H[:, j]))
            H[:, j] = new
        if np.sqrt(moved) <= tol * scale:
            break
    return H


def _projector(W, lambda1: float, max_iter: int, tol: float, clip: bool):
    """``project(V) -> (H, E, converged)`` for batches ``V`` (b, n) on the dictionary ``W``.

    ``(H, E)`` minimise ``1/2 ||V - H W' - E||^2 + lambda1 ||E||_1`` with ``H >= 0`` (and
    ``|E| <= max V`` when ``clip``), by alternating exact block minimisations: ``H`` the
    non-negative least-squares fit of ``V - E`` (:func:`_nnls_sweeps`, warm-started) and
    ``E = clip(soft(V - H W', lambda1))``. The minimiser is the fixed point of the
    projected-gradient steps of HyperSpy (and of emunmix 0.2): the same point, reached
    in far fewer passes over the batch (each pass costs ``O(b n k)``).
    """
    k = W.shape[1]
    G = W.T @ W
    G_inv = np.linalg.pinv(G)

    def project(V):
        V = np.asarray(V, dtype=np.float64)
        vmax = float(V.max()) if clip and V.size else np.inf
        size = max(np.linalg.norm(V), 1e-300)  # a relative rule: any units, any scale
        H = np.zeros((V.shape[0], k))
        E = np.zeros_like(V)
        for _ in range(max_iter):
            H_old = H
            C = (V - E) @ W
            H = C @ G_inv  # the exact fit where it is non-negative (most pixels)
            bad = (H < 0).any(axis=1)
            if bad.any():
                H[bad] = _nnls_sweeps(G, C[bad], np.maximum(H_old[bad], 0.0), size, 0.1 * tol)
            E_new = soft_threshold(V - H @ W.T, lambda1)
            if clip:
                np.clip(E_new, -vmax, vmax, out=E_new)
            change = max(np.linalg.norm(H - H_old), np.linalg.norm(E_new - E)) / size
            E = E_new
            if change < tol:
                return H, E, True
        return H, E, False

    return project


def _unit_columns(W):
    np.maximum(W, 0.0, out=W)
    W /= np.maximum(np.linalg.norm(W, axis=0), 1.0)
    return W


def _update_dictionary(W, state, method, H, Vc, lambda1, kappa, rate, momentum, t):
    """One dictionary update from a batch's loadings ``H`` and cleaned rows ``Vc``."""
    At, Bt = H.T @ H, Vc.T @ H
    if method == "MomentumSGD":
        step = rate * (1 + rate * lambda1 * t)
        previous = momentum * state["velocity"]
        state["velocity"] = (W @ At - Bt) / step
        W = np.maximum(W - previous - state["velocity"], 0.0)
        return W / max(np.linalg.norm(W), 1.0)
    state["A"] += At
    state["B"] += Bt
    A, B = state["A"], state["B"]
    eta = kappa / max(np.linalg.norm(A), 1e-300)
    if method == "PGD":
        W = np.maximum(W - eta * (W @ A - B), 0.0)
        return W / max(np.linalg.norm(W), 1.0)
    previous = None
    for _ in range(ROBUST_STEPS):
        W = _unit_columns(W - eta * (W @ A - B))
        value = 0.5 * np.sum((W.T @ W) * A) - np.sum(W * B)
        if previous is not None and abs(value - previous) <= 1e-5 * max(abs(previous), 1e-300):
            break
        previous = value
    return W


def ornmf(
    X,
    rank: int,
    *,
    method: str = "PGD",
    lambda1: float | None = None,
    kappa: float = 1.0,
    subspace_learning_rate: float = 1.0,
    subspace_momentum: float = 0.5,
    batch_size: int | None = None,
    store_error: bool | None = None,
    max_iter: int = 1000,
    tol: float = 1e-5,
    random_state=None,
) -> ORNMFResult:
    """Online robust NMF of a non-negative (pixels, channels) matrix, streaming over its
    pixels.

    Parameters
    ----------
    X : ndarray, dask array or MatrixView, shape (m, n)
        The data (read in row blocks, never modified nor held whole).
    rank : int
        Number of components ``k``.
    method : {"PGD", "RobustPGD", "MomentumSGD"}, default "PGD"
        Dictionary update (see the module docstring).
    lambda1 : float, optional
        Soft threshold of the sparse part, in data units. None: 4 robust noise standard
        deviations of the first pixels (HyperSpy's fixed default is 1.0).
    kappa : float, default 1.0
        Step-size factor of the dictionary's projected gradient steps (> 0). (HyperSpy
        also scales its inner (h, e) steps by it; here they are exact, without a step.)
    subspace_learning_rate, subspace_momentum : float
        ``eta`` (> 0) and ``mu`` (0 to 1) of "MomentumSGD".
    batch_size : int, optional
        Pixels per dictionary update; None: one at a time, as HyperSpy.
    store_error : bool, optional
        Keep the (pixels, channels) sparse part; None: for data in memory only.
    max_iter : int, default 1000
        Cap of the inner (h, e) iterations per batch.
    tol : float, default 1e-5
        Inner stopping rule: ``max(||dH||, ||dE||) / ||V|| < tol`` for a batch ``V``
        (relative; HyperSpy divides by ``n``).
    random_state : optional
        Seeds the random (half-normal) start of the dictionary.

    Returns
    -------
    ORNMFResult

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(0, 1, (400, 2)) @ rng.uniform(0, 1, (2, 30))
    >>> r = ornmf(X, 2, lambda1=0.5, batch_size=20, random_state=0)
    >>> bool((r.factors >= 0).all() and (r.loadings >= 0).all())
    True
    """
    view = X if isinstance(X, MatrixView) else MatrixView(X)
    check_2d(view)
    m, n = view.shape
    k = int(rank)
    if not 1 <= k <= min(m, n):
        raise ValueError(f"rank must be between 1 and {min(m, n)}, got {k}")
    if method not in ORNMF_METHODS:
        raise ValueError(f"method must be one of {ORNMF_METHODS}, got {method!r}")
    lambda1 = sparse_threshold(lambda1, view, "lambda1")
    kappa = check_positive(kappa, "kappa", allow_zero=False)
    rate = check_positive(subspace_learning_rate, "subspace_learning_rate", allow_zero=False)
    momentum = check_momentum(subspace_momentum)
    batch = check_batch_size(batch_size, m)
    max_iter = max(1, int(max_iter))
    # the start's scale, from the first pixels' mean (1 if they are all zero)
    scale = np.sqrt(abs(float(read_rows(view, 0, 256).mean())) / n) or 1.0
    W = np.abs(check_random_state(random_state).standard_normal((n, k))) * scale / np.sqrt(k)
    state = {"A": np.zeros((k, k)), "B": np.zeros((n, k)), "velocity": np.zeros_like(W)}
    not_converged = 0
    for t, (_, _, V) in enumerate(stream_batches(view, batch)):
        H, E, ok = _projector(W, lambda1, max_iter, tol, clip=True)(V)
        not_converged += not ok
        W = _update_dictionary(W, state, method, H, np.asarray(V, np.float64) - E, lambda1,
                               kappa, rate, momentum, t)
        del V
    if not np.isfinite(W).all():
        raise FloatingPointError(
            f"ORNMF's dictionary diverged (method={method!r}): lower "
            "subspace_learning_rate or use method='PGD'"
        )
    loadings, sparse, missed = projection_pass(
        view, batch, _projector(W, lambda1, max_iter, tol, clip=False), k,
        store_sparse(store_error, view))
    not_converged += missed
    if not_converged:
        warnings.warn(
            f"ORNMF: {not_converged} batches stopped after max_iter={max_iter} inner "
            f"iterations without reaching tol={tol}",
            convergence_warning("NMFConvergenceWarning"),
            stacklevel=2,
        )
    dtype = view.dtype
    return ORNMFResult(W.astype(dtype), loadings.astype(dtype), sparse, not_converged)


_OPTIONS = ("method", "lambda1", "kappa", "subspace_learning_rate", "subspace_momentum",
            "batch_size", "store_error", "max_iter", "tol")


@DECOMPOSITION.register("ORNMF", "ornmf", options=_OPTIONS, needs_output_dimension=True,
                        non_negative_output=True, needs_non_negative=True,
                        lazy="out_of_core")
def ornmf_kernel(view: MatrixView, k, ctx: KernelContext) -> KernelOutput:
    """Online robust NMF, streamed over the pixels (:func:`ornmf`)."""
    r = ornmf(view, k, random_state=ctx.random_state, **ctx.options)
    return KernelOutput(r.factors, r.loadings, None, sparse=r.sparse,
                        info={"not_converged": r.not_converged})


__all__ = ["ORNMF_METHODS", "ORNMFResult", "ornmf", "ornmf_kernel"]
