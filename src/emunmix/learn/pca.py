"""Centred PCA: the SVD of the data minus their mean spectrum.

The SVD itself is :func:`emunmix.learn.svd.svd`; centring is a property of the
:class:`~emunmix.learn.matrix_view.MatrixView` (``col_mean``), so nothing is copied.
Explained variances use ``m - 1`` like scikit-learn's PCA (HyperSpy's "sklearn_pca").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from emunmix.learn.matrix_view import MatrixView
from emunmix.learn.svd import svd
from emunmix.learn.validation import check_2d


@dataclass
class PCAResult:
    """``X ~ loadings @ factors.T + mean``.

    Attributes
    ----------
    factors : ndarray, shape (n, k)
        Principal axes (orthonormal).
    loadings : ndarray, shape (m, k)
        Scores (projections of the centred data).
    explained_variance : ndarray, shape (k,)
        ``S^2 / (m - 1)``.
    mean : ndarray, shape (n,)
        The mean spectrum that was subtracted.
    solver : str
    """

    factors: np.ndarray
    loadings: np.ndarray
    explained_variance: np.ndarray
    mean: np.ndarray
    solver: str


def centred_view(X) -> tuple[MatrixView, np.ndarray]:
    """A view of ``X`` minus its mean spectrum (column means), and that mean.

    For a view that already has Poisson scales, the mean is taken in data units
    (before scaling), so that the model is ``loadings @ factors.T + mean``.
    """
    view = X if isinstance(X, MatrixView) else MatrixView(X)
    raw = view.with_transform(row_scale=None, col_scale=None, row_mean=None, col_mean=None)
    stats = raw.stats()
    mean = stats.col_sums / view.shape[0]
    if view.row_mean is not None:  # double centring: remove row means first
        mean = mean - float(view.row_mean.mean())
    return view.with_transform(col_mean=mean), mean


def pca(X, n_components=None, svd_solver: str = "auto", random_state=None) -> PCAResult:
    """Principal component analysis of a (pixels, channels) matrix.

    Parameters
    ----------
    X : ndarray, dask array or MatrixView, shape (m, n)
        Never modified.
    n_components : int, optional
        Default: all ``min(m, n)``.
    svd_solver : str, default "auto"
        See :func:`emunmix.learn.svd.svd`.
    random_state : optional
        For the randomized solvers.

    Returns
    -------
    PCAResult

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(100, 5)) + 10.0
    >>> r = pca(X, 2)
    >>> bool(np.allclose(r.mean, X.mean(axis=0)))
    True
    """
    view = X if isinstance(X, MatrixView) else MatrixView(X)
    check_2d(view)
    cview, mean = centred_view(view)
    r = svd(cview, n_components, svd_solver=svd_solver, random_state=random_state)
    m = view.shape[0]
    ev = r.singular_values**2 / max(m - 1, 1)
    return PCAResult(r.factors, r.loadings, ev, mean, r.solver)
