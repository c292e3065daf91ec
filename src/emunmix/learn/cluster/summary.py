"""From fitted labels to what ``learning_results`` stores about the clusters."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class ClusterSummary:
    """Clusters of the clustered samples, spread back over all ``n_pixels`` pixels.

    Attributes
    ----------
    labels : ndarray of bool, shape (n_clusters, n_pixels)
        Membership, clusters ordered from the largest to the smallest (ties: the
        estimator's order); excluded pixels (and samples the estimator left
        unlabelled, label -1) belong to none.
    centroids : ndarray, shape (n_clusters, n_features)
        Mean of each cluster's members in the (scaled) clustered features.
    distances : ndarray, shape (n_clusters, n_pixels)
        Euclidean distance of every pixel to every centroid in the clustered features;
        NaN for excluded pixels.
    closest : ndarray of int, shape (n_clusters,)
        Pixel (flat index into ``n_pixels``) closest to each centroid.
    """

    labels: np.ndarray
    centroids: np.ndarray
    distances: np.ndarray
    closest: np.ndarray

    @property
    def n_clusters(self) -> int:
        return int(self.labels.shape[0])


def summarise_clusters(X, labels, n_pixels: int | None = None, keep=None) -> ClusterSummary:
    """Sort clusters by size and compute centroids, distances and closest members.

    Parameters
    ----------
    X : ndarray, shape (n_samples, n_features)
        The clustered (scaled) features of the kept pixels.
    labels : ndarray of int, shape (n_samples,)
        The estimator's labels (0..n-1; -1 = not assigned).
    n_pixels : int, optional
        Total number of pixels (default ``n_samples``).
    keep : ndarray of bool, shape (n_pixels,), optional
        Which pixels were clustered (``X`` holds them in order); default all.

    Raises
    ------
    ValueError
        If no sample received a label, or a cluster number is missing (labels must be
        0..n-1).

    Examples
    --------
    >>> X = np.array([[0.0], [0.1], [5.0], [5.2], [4.9]])
    >>> out = summarise_clusters(X, np.array([1, 1, 0, 0, 0]))
    >>> out.labels.astype(int).tolist()
    [[0, 0, 1, 1, 1], [1, 1, 0, 0, 0]]
    >>> np.round(out.centroids, 3).ravel().tolist()
    [5.033, 0.05]
    """
    X = np.asarray(X, dtype=float)
    labels = np.asarray(labels, dtype=np.int64)
    n_samples = X.shape[0]
    n_pixels = n_samples if n_pixels is None else int(n_pixels)
    rows = np.arange(n_pixels) if keep is None else np.flatnonzero(keep)
    if rows.size != n_samples or labels.shape != (n_samples,):
        raise ValueError(
            f"{n_samples} samples and {labels.size} labels for {rows.size} kept pixels"
        )
    if labels.max(initial=-1) < 0:
        raise ValueError("the clustering assigned no sample to any cluster")
    n = int(labels.max()) + 1
    sizes = np.bincount(labels[labels >= 0], minlength=n)
    if (sizes == 0).any():
        raise ValueError(
            f"cluster(s) {np.flatnonzero(sizes == 0).tolist()} have no members: labels must "
            f"number the clusters 0 to {n - 1}"
        )
    order = np.argsort(-sizes, kind="stable")  # largest first
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    sorted_labels = np.where(labels >= 0, rank[np.maximum(labels, 0)], -1)

    member = np.zeros((n, n_pixels), dtype=bool)
    assigned = sorted_labels >= 0
    member[sorted_labels[assigned], rows[assigned]] = True

    centroids = np.zeros((n, X.shape[1]))
    np.add.at(centroids, sorted_labels[assigned], X[assigned])
    centroids /= sizes[order][:, None]

    d = _euclidean(X, centroids)  # (n_samples, n)
    distances = np.full((n, n_pixels), np.nan)
    distances[:, rows] = d.T
    closest = rows[np.argmin(d, axis=0)]
    return ClusterSummary(member, centroids, distances, closest)


def _euclidean(X, C) -> np.ndarray:
    """Distances between rows of X and rows of C (n_samples x n_centres), exact
    enough for ranking and display: squared norms expanded, clipped at 0."""
    sq = (X * X).sum(1)[:, None] - 2.0 * (X @ C.T) + (C * C).sum(1)[None, :]
    return np.sqrt(np.maximum(sq, 0.0))
