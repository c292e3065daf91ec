"""Unmixing kernels for blind source separation of whitened data.

Each kernel takes whitened data ``X`` (rows are observations, columns the
whitened components) and returns an :class:`UnmixingResult` whose
``unmixing`` matrix ``M`` gives the sources as ``X @ M.T``. The pipeline in
:mod:`emunmix.learn.bss.separate` looks them up by name.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from emunmix.exceptions import convergence_warning, reexported_warnings
from emunmix.learn.registry import BSS


@dataclass
class UnmixingResult:
    """What an unmixing kernel returns.

    Attributes
    ----------
    unmixing : ndarray, shape (k, k)
        Sources of the whitened data ``X`` are ``X @ unmixing.T``.
    converged : bool or None
        Whether the iterations met the tolerance (None: not reported).
    n_iter : int or None
        Iterations run (None: not reported).
    estimator : object or None
        The fitted estimator, for estimator algorithms.
    """

    unmixing: np.ndarray
    converged: bool | None = None
    n_iter: int | None = None
    estimator: object = None


_FASTICA_ADVICE = (
    "Try a larger max_iter (e.g. max_iter=2000), a different random_state, "
    "fewer components, or another diff_order; a looser tol also helps on noisy data."
)


@BSS.register("sklearn_fastica", "fastica")
def fastica_unmixing(
    X,
    *,
    random_state=None,
    tol: float = 1e-10,
    max_iter: int = 1000,
    fun="logcosh",
    algorithm: str = "parallel",
    whiten=False,
    **kwargs,
) -> UnmixingResult:
    """FastICA unmixing matrix of already whitened data.

    Thin wrapper of :class:`sklearn.decomposition.FastICA` with its own
    whitening off, HyperSpy's tolerance (1e-10) and an explicit
    ``random_state`` so that runs are reproducible.

    Parameters
    ----------
    X : array_like, shape (n_rows, k)
        Whitened data (see :func:`emunmix.learn.whiten.whiten`).
    random_state : int, numpy.random.Generator/RandomState or None
        Seed of the initial unmixing matrix; the same seed gives the same result.
    tol : float, default 1e-10
        Convergence tolerance of FastICA.
    max_iter : int, default 1000
        Maximum number of FastICA iterations.
    fun : {"logcosh", "exp", "cube"} or callable, default "logcosh"
        The contrast function (see scikit-learn); "exp" is more robust to
        outliers, "cube" is kurtosis-based.
    algorithm : {"parallel", "deflation"}, default "parallel"
    whiten : False or {"unit-variance", "arbitrary-variance"}, default False
        False: ``X`` is white already. Otherwise FastICA whitens ``X`` itself and the
        unmixing includes its whitening (HyperSpy's ``whiten_method=None``).
    **kwargs
        ``show_progressbar`` (a bar over the iterations; None: when the run is
        estimated to be slow), ``time_limit`` (seconds, then stop with a
        :class:`BSSConvergenceWarning`), and other
        :class:`~sklearn.decomposition.FastICA` parameters (``fun_args``,
        ``w_init``). A run estimated to take minutes warns first
        (:class:`~emunmix.exceptions.SlowComputationWarning`).

    Returns
    -------
    UnmixingResult
        ``converged`` is False when FastICA used all ``max_iter`` iterations,
        in which case a :class:`~emunmix.exceptions.BSSConvergenceWarning` (a subclass
        of scikit-learn's ``ConvergenceWarning`` too) says what to try; ``estimator``
        is the fitted :class:`~sklearn.decomposition.FastICA` (what HyperSpy's
        ``return_info=True`` hands out).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> S = rng.laplace(size=(2000, 2))
    >>> res = fastica_unmixing(S @ np.array([[0.8, -0.6], [0.6, 0.8]]), random_state=0)
    >>> res.unmixing.shape, res.converged
    ((2, 2), True)
    """
    from sklearn.decomposition import FastICA
    from sklearn.exceptions import ConvergenceWarning

    from .fastica_steps import fit_fastica

    if isinstance(random_state, np.random.Generator):
        # scikit-learn wants an int or RandomState; derive one deterministically.
        random_state = int(random_state.integers(2**31 - 1))
    if whiten is not False:
        # FastICA whitens X itself (HyperSpy's whiten_method=None): one run, as HyperSpy
        kwargs.pop("show_progressbar", None)  # one run: no steps to show or to stop at
        kwargs.pop("time_limit", None)
        ica = FastICA(whiten=whiten, tol=tol, max_iter=max_iter, fun=fun,
                      algorithm=algorithm, random_state=random_state, **kwargs)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            ica.fit(np.asarray(X, dtype=float))
        converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
        others = [w for w in caught if not issubclass(w.category, ConvergenceWarning)]
        components, n_iter, reason = np.asarray(ica.components_), int(ica.n_iter_), (
            f"max_iter={max_iter}")
    else:
        # in steps, for a progress bar (show_progressbar) and time_limit (seconds)
        components, converged, n_iter, reason, others, ica = fit_fastica(
            X, tol=tol, max_iter=max_iter, fun=fun, algorithm=algorithm,
            random_state=random_state, **kwargs)
    for w in others:
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if not converged:
        warnings.warn(
            f"FastICA did not converge: it stopped at {reason} ({n_iter} iterations, "
            f"tol={tol:g}); the separation may be poor. {_FASTICA_ADVICE}",
            convergence_warning("BSSConvergenceWarning"),
            stacklevel=2,
        )
    return UnmixingResult(components, converged=converged, n_iter=n_iter, estimator=ica)


def orthomax(A, gamma: float = 1.0, tol: float = 1e-10, max_iter: int = 1000):
    """Orthomax rotation of the columns of ``A`` (varimax by default).

    Finds the orthogonal ``R`` maximising the orthomax criterion
    ``sum(L**4) - gamma / p * sum(sum(L**2, axis=0)**2)`` of ``L = A @ R``,
    using the usual iteration where each step is the polar factor (from an
    SVD) of the criterion's gradient.

    Parameters
    ----------
    A : array_like, shape (p, k)
        Matrix whose columns are rotated (for example whitened components).
    gamma : float, default 1.0
        0 is quartimax, 1 varimax, ``k / 2`` equamax.
    tol : float, default 1e-10
        Stop when no entry of ``R`` changes by more than ``tol`` in an iteration.
    max_iter : int, default 1000
        Maximum number of iterations.

    Returns
    -------
    rotated : ndarray, shape (p, k)
        ``A @ R``.
    R : ndarray, shape (k, k)
        The orthogonal rotation.

    References
    ----------
    Kaiser, H. F. (1958) The varimax criterion for analytic rotation in factor
    analysis. Psychometrika 23, 187-200.

    Examples
    --------
    >>> A = np.array([[1.0, 0.0], [0.5, 0.0], [0.0, 1.0], [0.0, 0.8], [0.0, -0.3]])
    >>> c, s = np.cos(0.3), np.sin(0.3)
    >>> rotated, R = orthomax(A @ np.array([[c, -s], [s, c]]))
    >>> np.allclose(rotated, A)
    True
    """
    rotated, R, _, _ = _orthomax(A, gamma, tol, max_iter)
    return rotated, R


def _orthomax(A, gamma, tol, max_iter):
    A = np.asarray(A, dtype=float)
    if A.ndim != 2:
        raise ValueError(f"orthomax expects a 2-D array, got shape {A.shape}")
    p, k = A.shape
    R = np.eye(k)
    converged = False
    n_iter = 0
    while n_iter < max_iter:
        n_iter += 1
        L = A @ R
        B = A.T @ (L**3 - (gamma / p) * L * np.sum(L**2, axis=0))
        U, _, Vt = np.linalg.svd(B)
        R_old, R = R, U @ Vt
        # The criterion's change is quadratic in the rotation error, so test R itself.
        if np.max(np.abs(R - R_old)) < tol:
            converged = True
            break
    return A @ R, R, converged, n_iter


@BSS.register("orthomax", options=("gamma", "tol", "max_iter"), uses_random_state=False,
              lazy="out_of_core")
def orthomax_unmixing(
    X, *, gamma: float = 1.0, tol: float = 1e-10, max_iter: int = 1000, random_state=None
) -> UnmixingResult:
    """Unmixing of whitened data by an orthomax rotation.

    The rotation ``R`` that makes ``X @ R`` sparse (in the orthomax sense)
    gives the unmixing ``R.T``. Deterministic; ``random_state`` is accepted
    for a uniform interface and ignored.

    Parameters
    ----------
    X : array_like, shape (n_rows, k)
        Whitened data.
    gamma, tol, max_iter
        See :func:`orthomax`.
    random_state : ignored

    Returns
    -------
    UnmixingResult
    """
    _, R, converged, n_iter = _orthomax(X, gamma, tol, max_iter)
    if not converged:
        warnings.warn(
            f"orthomax did not converge in {max_iter} iterations (tol={tol:g}). "
            "Try a larger max_iter or fewer components.",
            convergence_warning("BSSConvergenceWarning"),
            stacklevel=2,
        )
    return UnmixingResult(R.T, converged=converged, n_iter=n_iter)


def estimator_unmixing(estimator, X, *, random_state=None) -> UnmixingResult:
    """Unmixing from a scikit-learn-style estimator (fit + ``components_``).

    The estimator is fitted on the whitened data and its ``components_`` are
    taken as the unmixing matrix. When ``random_state`` is given and the
    estimator has a ``random_state`` parameter, a copy with that seed is used
    (the caller's object is not modified).

    Parameters
    ----------
    estimator : object
        Has ``fit(X)`` and, once fitted, ``components_`` of shape (k, k).
    X : array_like, shape (n_rows, k)
        Whitened data.
    random_state : int or None

    Returns
    -------
    UnmixingResult
        ``n_iter`` from the estimator's ``n_iter_`` when it has one.

    Raises
    ------
    TypeError
        If the object has no ``fit`` method.
    ValueError
        If ``components_`` is missing or not (k, k).
    """
    if not callable(getattr(estimator, "fit", None)):
        raise TypeError(
            f"BSS algorithm object {estimator!r} has no fit method; pass an algorithm name "
            "or an object with fit/transform and a components_ attribute."
        )
    if random_state is not None and hasattr(estimator, "get_params"):
        if "random_state" in estimator.get_params(deep=False):
            from sklearn.base import clone

            estimator = clone(estimator).set_params(random_state=random_state)
    X = np.asarray(X, dtype=float)
    from emunmix.learn.decomposition.estimator import (
        final_estimator,
        reissued_convergence_warnings,
    )

    with reissued_convergence_warnings("BSSConvergenceWarning"):
        estimator.fit(X)

    fitted = final_estimator(estimator)
    comps = getattr(fitted, "components_", None)
    k = X.shape[1]
    if comps is None:
        raise ValueError(f"{type(fitted).__name__} has no components_ after fit.")
    comps = np.asarray(comps)
    if comps.shape != (k, k):
        raise ValueError(
            f"{type(estimator).__name__}.components_ has shape {comps.shape}; BSS needs a "
            f"square unmixing matrix of shape {(k, k)} (do not reduce the number of components "
            "in the estimator)."
        )
    n_iter = getattr(fitted, "n_iter_", None)
    return UnmixingResult(comps, n_iter=None if n_iter is None else int(n_iter),
                          estimator=estimator)

# the warning class is made on first use, so that importing this does not import sklearn
__getattr__ = reexported_warnings("BSSConvergenceWarning")
