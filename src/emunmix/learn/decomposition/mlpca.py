"""Maximum-likelihood PCA (Wentzell et al.) for data with known, uneven noise variances.

Minimises ``sum_ij (X_ij - Xhat_ij)^2 / var_ij`` over rank-``k`` matrices ``Xhat`` by
alternating weighted regressions: with the column space ``U`` fixed, each column of
``X`` is fitted by weighted least squares ``U (U' W_j U)^-1 U' W_j x_j`` (``W_j`` the
inverse variances of column ``j``); then the roles of rows and columns swap. All the
``k x k`` systems of one step are built with two matrix products and solved in one
batched call, so an iteration costs ``O(m n k^2)``.

References
----------
P. D. Wentzell, D. T. Andrews, D. C. Hamilton, K. Faber and B. R. Kowalski,
"Maximum likelihood principal component analysis", J. Chemometrics 11 (1997) 339-366.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from emunmix.exceptions import convergence_warning, reexported_warnings
from emunmix.learn.budget import IterationBudget, mlpca_seconds, warn_if_slow
from emunmix.learn.linalg.matrix_view import MatrixView
from emunmix.learn.linalg.svd import svd
from emunmix.learn.registry import DECOMPOSITION, KernelContext, KernelOutput
from emunmix.validation import check_2d


@dataclass
class MLPCAResult:
    """``X ~ loadings @ factors.T`` (the rank-k maximum-likelihood fit).

    Attributes
    ----------
    factors : ndarray, shape (n, k)
        Orthonormal right singular vectors of the fit.
    loadings : ndarray, shape (m, k)
        Left singular vectors times singular values of the fit.
    singular_values : ndarray, shape (k,)
    objective : float
        ``sum (X - Xhat)^2 / var`` (about ``(m - k)(n - k)`` when the variances are right).
    n_iter : int
    converged : bool
    """

    factors: np.ndarray
    loadings: np.ndarray
    singular_values: np.ndarray
    objective: float
    n_iter: int
    converged: bool


def poisson_variance(X) -> np.ndarray:
    """Poisson variance estimate (the counts themselves), floored; see :func:`mlpca`."""
    return np.asarray(X, dtype=np.float64)


def _floor(var: np.ndarray) -> np.ndarray:
    """Replace non-positive or non-finite variances by a small positive floor."""
    var = np.array(var, dtype=np.float64)
    good = np.isfinite(var) & (var > 0)
    if not good.any():
        raise ValueError("the variances are all zero, negative or non-finite")
    floor = 1e-3 * float(var[good].mean())
    var[~good | (var < floor)] = floor
    return var


def _weighted_fit(X, Winv, B):
    """Fit every column of ``X`` (m x n) on the basis ``B`` (m x k) by weighted LS.

    Returns the coefficients ``C`` (k x n) with ``X[:, j] ~ B C[:, j]``.
    """
    k = B.shape[1]
    iu = np.triu_indices(k)
    prods = B[:, iu[0]] * B[:, iu[1]]  # (m, k(k+1)/2)
    G = np.empty((X.shape[1], k, k))
    flat = Winv.T @ prods  # (n, k(k+1)/2)
    G[:, iu[0], iu[1]] = flat
    G[:, iu[1], iu[0]] = flat
    rhs = (Winv * X).T @ B  # (n, k)
    try:
        C = np.linalg.solve(G, rhs[..., None])[..., 0]
    except np.linalg.LinAlgError:
        C = np.einsum("nij,nj->ni", np.linalg.pinv(G), rhs)
    return C.T


def _orth_svd(A, B):
    """SVD ``U S V'`` of the rank-k product ``A @ B`` (m x k times k x n), cheaply."""
    Q, R = np.linalg.qr(A)
    Ub, S, Vt = np.linalg.svd(R @ B, full_matrices=False)
    return Q @ Ub, S, Vt.T


def _weighted_sse(D, A, B, Winv) -> float:
    """``sum (D - A B)^2 * Winv``, in row blocks to bound the temporary."""
    total = 0.0
    step = max(1, 2**20 // max(1, D.shape[1]))
    for s in range(0, D.shape[0], step):
        r = D[s : s + step] - A[s : s + step] @ B
        total += float(np.sum(r * r * Winv[s : s + step]))
    return total


def mlpca(
    X,
    output_dimension: int,
    *,
    var_array=None,
    var_func=None,
    max_iter: int = 500,
    tol: float = 1e-10,
    show_progressbar=None,
    time_limit=None,
) -> MLPCAResult:
    """Maximum-likelihood PCA of a (pixels, channels) matrix.

    Parameters
    ----------
    X : ndarray or MatrixView, shape (m, n)
        The data. Never modified.
    output_dimension : int
        Rank ``k`` of the fit.
    var_array : array_like, shape (m, n), optional
        Noise variance of every entry.
    var_func : callable, optional
        ``var_func(X) -> var_array`` (e.g. ``lambda x: x`` for Poisson counts, or a
        polynomial of the data). Used when ``var_array`` is None.
        With neither, the data are taken as Poisson counts (variance = data).
        Variances are floored at 1e-3 of their mean (zero counts have zero estimated
        variance but are not exact).
    max_iter : int, default 500
    tol : float, default 1e-10
        Stop when the relative change of the objective between two half-steps is below
        ``tol``.
    show_progressbar : bool, optional
        A bar over the iterations (None: when the run is estimated to be slow).
    time_limit : float, optional
        Seconds after which to stop (with an :class:`MLPCAConvergenceWarning`). A run
        estimated to take minutes warns first (``SlowComputationWarning``).

    Returns
    -------
    MLPCAResult

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> truth = rng.uniform(1, 5, (100, 2)) @ rng.uniform(1, 5, (2, 30))
    >>> r = mlpca(rng.poisson(truth).astype(float), 2)
    >>> r.loadings.shape, r.factors.shape
    ((100, 2), (30, 2))
    """
    view = X if isinstance(X, MatrixView) else MatrixView(X)
    check_2d(view)
    m, n = view.shape
    k = int(output_dimension)
    if not 1 <= k <= min(m, n):
        raise ValueError(f"output_dimension must be between 1 and {min(m, n)}, got {k}")
    D = view.materialise(np.float64)
    if var_array is None:
        var_array = var_func(D) if var_func is not None else poisson_variance(D)
    var = np.asarray(var_array)
    if var.shape != (m, n):
        raise ValueError(f"var_array has shape {var.shape}, the data need shape {(m, n)}")
    Winv = 1.0 / _floor(var)

    U = svd(view, k).loadings.astype(np.float64)  # initial column space (m x k)
    prev = np.inf
    converged = False
    n_iter = 0
    estimate = mlpca_seconds(m, n, k, max_iter)
    warn_if_slow(estimate, f"MLPCA of rank {k} on {m} x {n} data (up to max_iter={max_iter})",
                 "use a lower output_dimension or max_iter, or give time_limit=SECONDS")
    budget = IterationBudget(max_iter, "MLPCA", show_progressbar, estimate, time_limit)
    for it in range(1, max_iter + 1):
        n_iter = it
        # columns step: fit every column of D on the column space U
        C = _weighted_fit(D, Winv, U)  # D ~ U C
        obj = _weighted_sse(D, U, C, Winv)
        Vb = _orth_svd(U, C)[2]  # (n, k): row space of the fit
        # rows step: fit every row of D on the row space Vb
        R = _weighted_fit(D.T, Winv.T, Vb).T  # D ~ R Vb'
        obj2 = _weighted_sse(D, R, Vb.T, Winv)
        Ufit, S, Vfit = _orth_svd(R, Vb.T)
        U = Ufit
        scale = max(abs(obj2), 1e-300)
        if abs(prev - obj2) <= tol * scale and abs(obj - obj2) <= tol * scale:
            converged = True
            break
        prev = obj2
        if not budget.step():
            break
    budget.close()
    if not converged:
        warnings.warn(
            f"MLPCA stopped at {budget.reason(max_iter)} ({n_iter} iterations) without "
            f"reaching tol={tol}",
            convergence_warning("MLPCAConvergenceWarning"),
            stacklevel=2,
        )
    dtype = view.dtype
    return MLPCAResult(
        factors=Vfit.astype(dtype),
        loadings=(Ufit * S).astype(dtype),
        singular_values=S,
        objective=obj2,
        n_iter=n_iter,
        converged=converged,
    )


@DECOMPOSITION.register("MLPCA", "mlpca",
                        options=("max_iter", "tol", "show_progressbar", "time_limit"),
                        accepts_variances=True,
                        models_noise=True, needs_output_dimension=True,
                        uses_random_state=False)
def mlpca_kernel(view: MatrixView, k, ctx: KernelContext) -> KernelOutput:
    """Maximum-likelihood PCA for known noise variances (:func:`mlpca`)."""
    r = mlpca(view, k, var_array=ctx.var_array, var_func=ctx.var_func, **ctx.options)
    ev = r.singular_values**2 / view.shape[0]
    info = {"n_iter": r.n_iter, "converged": r.converged, "objective": r.objective}
    return KernelOutput(r.factors, r.loadings, ev, info=info)

# the warning class is made on first use, so that importing this does not import sklearn
__getattr__ = reexported_warnings("MLPCAConvergenceWarning")
