"""k-means of points on a line, in O(k log n) per iteration.

HyperSpy's gap-statistic reference is ``n`` evenly spaced points on the diagonal of
the features' bounding box. Points on a line keep their distances when the line is
mapped to ``[0, L]`` (``L`` the diagonal's length), so k-means of the reference in
``d`` dimensions is k-means of ``t`` in one: same clusters, same ``W_k``. On sorted 1-D
data each cluster is a run of consecutive points, so with prefix sums one Lloyd
iteration costs a ``searchsorted`` of the ``k - 1`` boundaries and ``O(k)`` sums
instead of ``O(n k d)`` distances.
"""

from __future__ import annotations

import numpy as np


def kmeans_line_dispersion(t, k: int, rng, max_iter: int = 300, tol: float = 1e-4) -> float:
    """Within-cluster sum of squares of k-means (greedy k-means++ start, Lloyd steps) on
    the sorted 1-D points ``t``.

    Parameters
    ----------
    t : ndarray, shape (n,)
        Sorted points.
    k : int
        Number of clusters (1 <= k <= n).
    rng : numpy.random.Generator
        Draws the k-means++ start.
    max_iter, tol : as scikit-learn's KMeans (``tol`` relative to the variance of ``t``).

    Examples
    --------
    >>> t = np.array([0.0, 1.0, 10.0, 11.0])
    >>> kmeans_line_dispersion(t, 2, np.random.default_rng(0))
    1.0
    """
    t = np.asarray(t, dtype=float)
    n = t.size
    csum = np.concatenate([[0.0], np.cumsum(t)])
    csq = np.concatenate([[0.0], np.cumsum(t * t)])
    centres = _kmeanspp(t, k, rng)
    threshold = tol * float(t.var())
    for _ in range(max_iter):
        edges = _edges(t, centres)
        cnt = np.diff(edges)
        sums = csum[edges[1:]] - csum[edges[:-1]]
        new = np.where(cnt > 0, sums / np.maximum(cnt, 1), centres)
        shift = float(((new - centres) ** 2).sum())
        centres = np.sort(new)
        if shift <= threshold:
            break
    edges = _edges(t, centres)
    cnt = np.diff(edges)
    sums = csum[edges[1:]] - csum[edges[:-1]]
    sq = csq[edges[1:]] - csq[edges[:-1]]
    w = sq - np.where(cnt > 0, sums * sums / np.maximum(cnt, 1), 0.0)
    return float(np.maximum(w, 0.0).sum()) if n else 0.0


def _edges(t, centres):
    """Start index of each cluster's run (and n): points go to the nearest centre."""
    bounds = 0.5 * (centres[1:] + centres[:-1])
    cuts = np.searchsorted(t, bounds, side="right")
    return np.concatenate([[0], cuts, [t.size]])


def _kmeanspp(t, k, rng):
    """Greedy k-means++ start, as scikit-learn's KMeans makes it (Arthur and
    Vassilvitskii 2007): each new centre is the best of ``2 + log k`` candidates drawn
    with probability proportional to the squared distance to the nearest chosen one."""
    n = t.size
    trials = 2 + int(np.log(k))
    centres = [t[rng.integers(n)]]
    d2 = (t - centres[0]) ** 2
    for _ in range(1, k):
        total = d2.sum()
        if total <= 0:
            idx = [int(rng.integers(n))]
        else:
            idx = np.minimum(np.searchsorted(np.cumsum(d2), rng.uniform(0, total, trials)),
                             n - 1)
        best, best_d2 = None, None
        for i in np.atleast_1d(idx):
            cand = np.minimum(d2, (t - t[i]) ** 2)
            if best_d2 is None or cand.sum() < best_d2.sum():
                best, best_d2 = i, cand
        centres.append(t[best])
        d2 = best_d2
    return np.sort(np.array(centres))
