"""Scores comparing estimated components with a ground truth.

Decompositions recover components in arbitrary order, sign and scale, so estimated and
true components are paired by the Hungarian algorithm on the absolute Pearson
correlation, and the score is that correlation per pair.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment


def _as_rows(a, name: str) -> np.ndarray:
    a = np.asarray(a, dtype=np.float64)
    if a.ndim == 1:
        a = a[None, :]
    if a.ndim != 2:
        a = a.reshape(a.shape[0], -1)
    if not np.isfinite(a).all():
        raise ValueError(f"{name} contain NaN/inf values; drop masked entries first")
    return a


def correlation_matrix(estimated, truth) -> np.ndarray:
    """Pearson correlations between every estimated and every true component.

    Parameters
    ----------
    estimated : array_like, shape (k_est, ...)
    truth : array_like, shape (k_true, ...)
        Components along the first axis; the remaining axes are flattened and must
        match.

    Returns
    -------
    ndarray, shape (k_est, k_true)
        Constant components correlate 0 with everything.
    """
    E = _as_rows(estimated, "estimated components")
    T = _as_rows(truth, "true components")
    if E.shape[1] != T.shape[1]:
        raise ValueError(
            f"estimated components have {E.shape[1]} values each, the truth {T.shape[1]}"
        )
    E = E - E.mean(axis=1, keepdims=True)
    T = T - T.mean(axis=1, keepdims=True)
    ne = np.linalg.norm(E, axis=1)
    nt = np.linalg.norm(T, axis=1)
    C = (E @ T.T) / np.outer(np.where(ne > 0, ne, np.inf), np.where(nt > 0, nt, np.inf))
    return C


def match_components(estimated, truth):
    """Pair estimated with true components to maximise the total |correlation|.

    Parameters
    ----------
    estimated : array_like, shape (k_est, ...)
        Estimated components along the first axis (e.g. ``factors.T`` or
        ``loadings.T.reshape(k, 64, 64)``).
    truth : array_like, shape (k_true, ...)
        True components along the first axis.

    Returns
    -------
    order : ndarray of int, shape (min(k_est, k_true),)
        ``estimated[order[i]]`` is paired with ``truth[i]``. With fewer estimated
        than true components some truths stay unpaired; the pairs are then listed in
        increasing order of the paired truths.
    correlations : ndarray, shape (min(k_est, k_true),)
        Absolute correlation of each pair, in the same order.

    Examples
    --------
    >>> t = np.array([[1.0, 2, 3, 4], [4, 1, 0, 1]])
    >>> order, corr = match_components(-t[::-1], t)
    >>> order, corr.round(6)
    (array([1, 0]), array([1., 1.]))
    >>> round(float(corr.mean()), 6)  # the usual score: mean |correlation| after matching
    1.0
    """
    C = np.abs(correlation_matrix(estimated, truth))
    est_idx, true_idx = linear_sum_assignment(C, maximize=True)
    by_truth = np.argsort(true_idx)
    order = est_idx[by_truth]
    return order, C[order, true_idx[by_truth]]


def mean_matched_correlation(estimated, truth) -> float:
    """Mean |correlation| after :func:`match_components` (1 = perfect recovery)."""
    return float(match_components(estimated, truth)[1].mean())
