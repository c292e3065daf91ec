"""Whitening: a linear map that gives data an identity covariance.

Blind source separation estimates only a rotation once the data are white,
so whitening is the first step of every BSS algorithm here.
"""

from __future__ import annotations

import numpy as np

WHITEN_METHODS = ("PCA", "ZCA")


def whiten(X, method: str = "PCA", epsilon: float = 1e-10):
    """Centre and whiten the columns of ``X``.

    With ``Y0 = X - X.mean(axis=0)`` and the eigen-decomposition
    ``U, S = svd(Y0.T @ Y0 / n_rows)`` of its covariance, the whitening matrix
    is ``W = U.T / sqrt(S + epsilon)`` ("PCA") or
    ``W = U @ diag(1 / sqrt(S + epsilon)) @ U.T`` ("ZCA", the symmetric choice
    that keeps the whitened variables closest to the original ones).

    Parameters
    ----------
    X : array_like, shape (n_rows, n_features)
        Observations in rows, variables in columns.
    method : {"PCA", "ZCA"}, default "PCA"
        Which whitening matrix to use (case-insensitive).
    epsilon : float, default 1e-10
        Added to the eigenvalues before the square root, so that a
        (numerically) rank-deficient covariance does not divide by zero.

    Returns
    -------
    Y : ndarray, shape (n_rows, n_features)
        The whitened data ``(X - mean) @ W.T``; its covariance
        ``Y.T @ Y / n_rows`` is the identity (up to ``epsilon``).
    W : ndarray, shape (n_features, n_features)
        The whitening matrix.

    Raises
    ------
    ValueError
        If ``method`` is unknown or ``X`` is not two-dimensional.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(500, 3)) @ rng.normal(size=(3, 3))
    >>> Y, W = whiten(X)
    >>> np.allclose(Y.T @ Y / len(Y), np.eye(3))
    True
    """
    if not isinstance(method, str) or method.upper() not in WHITEN_METHODS:
        known = ", ".join(repr(m) for m in WHITEN_METHODS)
        raise ValueError(f"Unknown whitening method {method!r}. Known methods: {known}.")
    X = np.asarray(X, dtype=float)
    if X.ndim != 2:
        raise ValueError(f"whiten expects a 2-D array (rows x features), got shape {X.shape}")
    Y = X - X.mean(axis=0)
    cov = Y.T @ Y / Y.shape[0]
    U, S, _ = np.linalg.svd(cov)
    inv_sqrt = 1.0 / np.sqrt(S + epsilon)
    if method.upper() == "PCA":
        W = U.T * inv_sqrt[:, None]
    else:
        W = (U * inv_sqrt) @ U.T
    return Y @ W.T, W
