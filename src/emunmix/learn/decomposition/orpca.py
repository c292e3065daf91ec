"""Online robust PCA (ORPCA): a low-rank part plus a sparse part, learnt in one streaming
pass over the pixels (Feng, Xu and Yan 2013, HyperSpy's ``"ORPCA"``).

Each pixel ``z`` (a spectrum of ``n`` channels) is modelled as ``z = L r + e + noise``
with ``L`` an ``(n, k)`` subspace, ``r`` its ``k`` coefficients and ``e`` sparse. For a
batch of pixels, with ``L`` fixed, ``(r, e)`` minimise

``1/2 ||z - L r - e||^2 + lambda1/2 ||r||^2 + lambda2 ||e||_1``

by alternating ``r = (L'L + lambda1 I)^-1 L'(z - e)`` and ``e = soft(z - L r, lambda2)``;
then ``L`` is updated from the running sums ``A = sum r r'`` and ``B = sum (z - e) r'``:

- ``"CF"``: closed form, ``L = B (A + lambda1 I)^-1``;
- ``"BCD"``: one sweep of block-coordinate descent over the columns of ``L`` (each kept
  within the unit ball), the default;
- ``"SGD"`` / ``"MomentumSGD"``: a gradient step ``(L A_t - B_t + lambda1 L) / rate_t``
  on the batch's own sums, ``rate_t = eta (1 + eta lambda1 t)`` (with momentum ``mu``).

With batches of several pixels, CF and BCD first refine the batch's coefficients on a
subspace that has seen the batch (:func:`_refined_batch`), so batching keeps the accuracy
of one pixel at a time.

A second pass projects every pixel on the final subspace (its loadings and sparse
part), and the low-rank model is rotated to SVD form (orthonormal factors, loadings
``U S``), so explained variances are defined as for the SVD.

References
----------
J. Feng, H. Xu and S. Yan, "Online robust PCA via stochastic optimization", NIPS 26
(2013) 404-412.
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
    svd_of_product,
)
from emunmix.learn.decomposition.rpca import soft_threshold
from emunmix.learn.linalg.matrix_view import MatrixView
from emunmix.learn.linalg.stream import read_rows, stream_batches
from emunmix.learn.registry import DECOMPOSITION, KernelContext, KernelOutput
from emunmix.validation import check_2d, check_random_state

ORPCA_METHODS = ("CF", "BCD", "SGD", "MomentumSGD")


@dataclass
class ORPCAResult:
    """``P ~ loadings @ factors.T + sparse``.

    Attributes
    ----------
    factors : ndarray, shape (n, k)
        Orthonormal basis of the learnt subspace (right singular vectors of the
        low-rank part).
    loadings : ndarray, shape (m, k)
        Left singular vectors times singular values of the low-rank part.
    singular_values : ndarray, shape (k,)
    sparse : ndarray, shape (m, n), or None
        The sparse part (None unless stored).
    subspace : ndarray, shape (n, k)
        The subspace ``L`` as learnt (HyperSpy's ``components_.T``).
    not_converged : int
        Batches whose inner (r, e) iteration stopped at ``max_iter``.
    """

    factors: np.ndarray
    loadings: np.ndarray
    singular_values: np.ndarray
    sparse: np.ndarray | None
    subspace: np.ndarray
    not_converged: int


def _initial_subspace(view: MatrixView, k: int, init, training_samples: int, random_state):
    m, n = view.shape
    if isinstance(init, str) and init == "qr":
        if not k <= training_samples <= m:
            raise ValueError(
                f"training_samples must be between output_dimension ({k}) and the number "
                f"of pixels ({m}) for init='qr', got {training_samples}"
            )
        first = read_rows(view, 0, training_samples)  # (T, n)
        Q, _ = np.linalg.qr(first.T)
        return np.ascontiguousarray(Q[:, :k])
    if isinstance(init, str) and init == "rand":
        Q, _ = np.linalg.qr(check_random_state(random_state).normal(size=(n, k)))
        return Q
    if isinstance(init, str):
        raise ValueError(f"init must be 'qr', 'rand' or an array, got {init!r}")
    L = np.array(init, dtype=np.float64)
    if L.shape != (n, k):
        raise ValueError(
            f"init has shape {L.shape}; it must be (channels decomposed, output_dimension) "
            f"= {(n, k)}"
        )
    if not np.isfinite(L).all():
        raise ValueError("init contains NaN or inf values")
    return L


def _projector(L, lambda1: float, lambda2: float, max_iter: int, tol: float):
    """``project(Z) -> (R, E, converged)`` for batches ``Z`` (b, n) on the subspace ``L``."""
    n, k = L.shape
    # R = (Z - E) D' with D = (L'L + lambda1 I)^-1 L'
    D = np.linalg.solve(L.T @ L + lambda1 * np.eye(k), L.T)

    def project(Z):
        Z = np.asarray(Z, dtype=np.float64)
        size = max(np.linalg.norm(Z), 1e-300)  # a relative rule: any units, any scale
        R = np.zeros((Z.shape[0], k))
        E = np.zeros_like(Z)
        W = np.empty_like(Z)
        for _ in range(max_iter):
            R_new = (Z - E) @ D.T
            np.subtract(Z, R_new @ L.T, out=W)
            E_new = soft_threshold(W, lambda2)
            change = max(np.linalg.norm(R_new - R), np.linalg.norm(E_new - E)) / size
            R, E = R_new, E_new
            if change < tol:
                return R, E, True
        return R, E, False

    return project


#: Most (project, sweep) rounds that refine the subspace within one batch (CF, BCD).
REFINE_ROUNDS = 10
#: A batch's refinement stops when the subspace moves less than this (relative).
REFINE_TOL = 1e-3


def _bcd_sweep(L, A, B, lambda1):
    """One sweep of block-coordinate descent over the columns of ``L`` (each kept in the
    unit ball) on the surrogate ``tr(L'L (A + lambda1 I))/2 - tr(L'B)``; a new array."""
    L = L.copy()
    Ar = A + lambda1 * np.eye(L.shape[1])
    for j in range(L.shape[1]):
        col = (B[:, j] - L @ Ar[:, j]) / Ar[j, j] + L[:, j]
        L[:, j] = col / max(np.linalg.norm(col), 1.0)
    return L


def _refined_batch(L, state, method, Z, lambda1, lambda2, max_iter, tol):
    """CF/BCD on a batch of several pixels: ``(L, converged)`` with the batch's sums added.

    Per pixel, each coefficient is computed on a subspace that has seen all earlier
    pixels; a batch computes all of its coefficients on the subspace from before it, and
    the running sums never forget those stale coefficients. From a poor start (e.g.
    ``init="qr"`` on pixels with outliers) that left batches of 16 at 12-16 degrees
    where one pixel at a time reaches 2-3. So the batch's coefficients are refined: they
    are projected again on a subspace that includes this batch (BCD sweeps of the
    surrogate with this batch's sums, repeated until the subspace stops moving) and only
    the final coefficients enter the sums; then the method's own update is applied.
    """
    A0, B0 = state["A"], state["B"]
    for _ in range(REFINE_ROUNDS):
        R, E, _ = _projector(L, lambda1, lambda2, max_iter, tol)(Z)
        L_next = _bcd_sweep(L, A0 + R.T @ R, B0 + (Z - E).T @ R, lambda1)
        moved = np.linalg.norm(L_next - L) <= REFINE_TOL * max(np.linalg.norm(L_next), 1e-300)
        L = L_next
        if moved:
            break
    R, E, ok = _projector(L, lambda1, lambda2, max_iter, tol)(Z)
    return _update_subspace(L, state, method, R, Z - E, lambda1, 1.0, 0.0, 0), ok


def _update_subspace(L, state, method, R, Zc, lambda1, rate, momentum, t):
    """One subspace update from a batch's coefficients ``R`` and cleaned rows ``Zc``."""
    At, Bt = R.T @ R, Zc.T @ R
    k = L.shape[1]
    if method in ("CF", "BCD"):
        state["A"] = state["A"] + At
        state["B"] = state["B"] + Bt
        if method == "CF":
            Ar = state["A"] + lambda1 * np.eye(k)
            return np.linalg.solve(Ar.T, state["B"].T).T
        return _bcd_sweep(L, state["A"], state["B"], lambda1)
    step = rate * (1 + rate * lambda1 * t)
    grad = (L @ At - Bt + lambda1 * L) / step
    if method == "SGD":
        return L - grad
    previous = momentum * state["velocity"]
    state["velocity"] = grad
    return L - previous - grad


def orpca(
    X,
    rank: int,
    *,
    method: str = "BCD",
    init="qr",
    training_samples: int = 10,
    lambda1: float = 0.1,
    lambda2: float | None = None,
    subspace_learning_rate: float = 1.0,
    subspace_momentum: float = 0.5,
    batch_size: int | None = None,
    store_error: bool | None = None,
    max_iter: int = 1000,
    tol: float = 1e-5,
    random_state=None,
) -> ORPCAResult:
    """Online robust PCA of a (pixels, channels) matrix, streaming over its pixels.

    Parameters
    ----------
    X : ndarray, dask array or MatrixView, shape (m, n)
        The data (read in row blocks, never modified nor held whole).
    rank : int
        Dimension ``k`` of the subspace.
    method : {"CF", "BCD", "SGD", "MomentumSGD"}, default "BCD"
        Subspace update (see the module docstring).
    init : {"qr", "rand"} or array of shape (n, k), default "qr"
        Start: a QR of the first ``training_samples`` pixels, a random orthonormal
        basis (``random_state``), or a given subspace.
    training_samples : int, default 10
        Pixels used by ``init="qr"`` (at least ``rank``).
    lambda1 : float, default 0.1
        Ridge (nuclear-norm) regularisation of the coefficients and the subspace.
    lambda2 : float, optional
        Soft threshold of the sparse part, in data units (of the Poisson-scaled data
        when ``normalize_poissonian_noise``). None: 4 robust noise standard deviations
        of the first pixels (HyperSpy's fixed default, 1.0, suits only data whose noise
        is about 0.25: on raw counts it turns most of the data into "sparse" part).
    subspace_learning_rate : float, default 1.0
        ``eta`` of the SGD methods (> 0).
    subspace_momentum : float, default 0.5
        ``mu`` of "MomentumSGD" (between 0 and 1).
    batch_size : int, optional
        Pixels per subspace update; None: one at a time, as HyperSpy. Larger batches
        are much faster on large data, the result changes a little.
    store_error : bool, optional
        Keep the (pixels, channels) sparse part; None: for data in memory only (lazy
        data then stay out of core).
    max_iter : int, default 1000
        Cap of the inner (r, e) iterations per batch.
    tol : float, default 1e-5
        Inner stopping rule: ``max(||dR||, ||dE||) / ||Z|| < tol`` for a batch ``Z``
        (relative, so the result scales with the data; HyperSpy divides by ``n``).
    random_state : optional
        Seeds ``init="rand"`` (the other starts are deterministic).

    Returns
    -------
    ORPCAResult

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(300, 2)) @ rng.normal(size=(2, 40))
    >>> X[5, 7] += 30.0  # an outlier
    >>> r = orpca(X, 2, lambda2=1.0, batch_size=10)
    >>> bool(r.sparse[5, 7] > 20), float(np.mean(r.sparse != 0)) < 0.01
    (True, True)
    """
    view = X if isinstance(X, MatrixView) else MatrixView(X)
    check_2d(view)
    m, n = view.shape
    k = int(rank)
    if not 1 <= k <= min(m, n):
        raise ValueError(f"rank must be between 1 and {min(m, n)}, got {k}")
    if method not in ORPCA_METHODS:
        raise ValueError(f"method must be one of {ORPCA_METHODS}, got {method!r}")
    lambda1 = check_positive(lambda1, "lambda1")
    lambda2 = sparse_threshold(lambda2, view, "lambda2")
    rate = check_positive(subspace_learning_rate, "subspace_learning_rate", allow_zero=False)
    momentum = check_momentum(subspace_momentum)
    batch = check_batch_size(batch_size, m)
    max_iter = max(1, int(max_iter))
    L = _initial_subspace(view, k, init, int(training_samples), random_state)
    state = {"A": np.zeros((k, k)), "B": np.zeros((n, k)), "velocity": np.zeros_like(L)}
    not_converged = 0
    for t, (_, _, Z) in enumerate(stream_batches(view, batch)):
        Z = np.asarray(Z, np.float64)
        if method in ("CF", "BCD") and Z.shape[0] > 1:
            L, ok = _refined_batch(L, state, method, Z, lambda1, lambda2, max_iter, tol)
        else:
            R, E, ok = _projector(L, lambda1, lambda2, max_iter, tol)(Z)
            L = _update_subspace(L, state, method, R, Z - E, lambda1, rate, momentum, t)
        not_converged += not ok
        del Z
    if not np.isfinite(L).all():
        raise FloatingPointError(
            f"ORPCA's subspace diverged (method={method!r}): lower "
            "subspace_learning_rate or use method='BCD'"
        )
    loadings, sparse, missed = projection_pass(
        view, batch, _projector(L, lambda1, lambda2, max_iter, tol), k,
        store_sparse(store_error, view))
    not_converged += missed
    if not_converged:
        warnings.warn(
            f"ORPCA: {not_converged} batches stopped after max_iter={max_iter} inner "
            f"iterations without reaching tol={tol}",
            convergence_warning("RPCAConvergenceWarning"),
            stacklevel=2,
        )
    factors, loadings, S = svd_of_product(loadings, L)
    dtype = view.dtype
    return ORPCAResult(factors.astype(dtype), loadings.astype(dtype), S, sparse, L,
                       not_converged)


_OPTIONS = ("method", "init", "training_samples", "lambda1", "lambda2",
            "subspace_learning_rate", "subspace_momentum", "batch_size", "store_error",
            "max_iter", "tol")


@DECOMPOSITION.register("ORPCA", "orpca", options=_OPTIONS, needs_output_dimension=True,
                        lazy="out_of_core")
def orpca_kernel(view: MatrixView, k, ctx: KernelContext) -> KernelOutput:
    """Online robust PCA, streamed over the pixels (:func:`orpca`)."""
    r = orpca(view, k, random_state=ctx.random_state, **ctx.options)
    ev = r.singular_values**2 / view.shape[0]
    info = {"not_converged": r.not_converged, "subspace": r.subspace}
    return KernelOutput(r.factors, r.loadings, ev, sparse=r.sparse, info=info)


__all__ = ["ORPCA_METHODS", "ORPCAResult", "orpca", "orpca_kernel"]
