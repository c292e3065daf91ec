"""How many clusters? Within-cluster dispersion, gap statistic, silhouette, elbow.

The within-cluster dispersion of Tibshirani, Walther and Hastie (2001) is
``W_k = sum_r D_r / (2 n_r)``, ``D_r`` the sum of squared distances between all pairs of
members of cluster ``r``. It equals the sum of squared distances of the members to their
cluster mean, which :func:`within_cluster_dispersion` computes in one pass over the data
(HyperSpy builds the ``n_r x n_r`` distance matrices, which for 256 x 256 pixels and
``k = 1`` is a 32 GiB matrix).

Rules (HyperSpy 2.5's, for the same estimates):

- gap: the first ``k`` after the smallest tried with ``gap(k) >= gap(k+1) - s(k+1)``,
  ``s = sd(log W_ref) sqrt(1 + 1/n_ref)``; the second ``k`` tried when none qualifies.
- silhouette: the local maxima of the mean silhouette (the first ``k`` too when it is
  higher than the next), largest ``k`` tried never.
- elbow: the elbow of ``log W_k`` (:func:`emunmix.learn.elbow.estimate_elbow_position`,
  linear distances).

References
----------
R. Tibshirani, G. Walther, T. Hastie, "Estimating the number of clusters in a data set
via the gap statistic", J. R. Stat. Soc. B 63 (2001) 411-423.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .algorithms import fit_clusterer, make_clusterer
from .line_kmeans import kmeans_line_dispersion

#: The metrics :func:`estimate_number_of_clusters` knows.
METRICS = ("gap", "silhouette", "elbow")
#: The gap statistic's reference data sets (see :func:`reference_sampler`).
REFERENCES = ("diagonal", "uniform", "pca")


@dataclass
class ClusterMetric:
    """A metric over numbers of clusters and the number it suggests.

    Attributes
    ----------
    metric : str
    k : list of int
        Numbers of clusters tried (HyperSpy's ``cluster_metric_index``).
    values : ndarray
        The metric for each ``k`` (``cluster_metric_data``): the gap, the mean
        silhouette, or ``log W_k`` for the elbow.
    best : int or list of int
        The estimate (``estimated_number_of_clusters``); a list of candidate peaks for
        the silhouette, as HyperSpy gives.
    std_error : ndarray or None
        The gap's ``s_k`` (gap only).
    """

    metric: str
    k: list
    values: np.ndarray
    best: object
    std_error: np.ndarray | None = None


def within_cluster_dispersion(X, labels) -> float:
    """Sum over clusters of the squared distances of members to their mean.

    Samples labelled -1 are ignored.

    Examples
    --------
    >>> X = np.array([[0.0, 0.0], [2.0, 0.0], [10.0, 1.0], [10.0, 3.0]])
    >>> within_cluster_dispersion(X, np.array([0, 0, 1, 1]))
    4.0
    """
    X = np.asarray(X, dtype=float)
    labels = np.asarray(labels, dtype=np.int64)
    ok = labels >= 0
    X, labels = X[ok], labels[ok]
    n = int(labels.max(initial=-1)) + 1
    if n == 0:
        return 0.0
    counts = np.bincount(labels, minlength=n).astype(float)
    sums = np.zeros((n, X.shape[1]))
    np.add.at(sums, labels, X)
    means = sums / np.maximum(counts, 1.0)[:, None]
    resid = X - means[labels]
    return float(np.einsum("ij,ij->", resid, resid))


def _k_range(metric: str, algorithm, max_clusters: int) -> list:
    start = 2 if metric == "silhouette" or _name(algorithm) == "agglomerative" else 1
    return list(range(start, max_clusters + 1))


def _name(algorithm) -> str:
    return "kmeans" if algorithm is None else str(algorithm).lower()


def _labels_for(X, k, algorithm, rng, kwargs):
    est = make_clusterer(algorithm, random_state=int(rng.integers(2**31 - 1)),
                         n_clusters=k, **kwargs)
    return fit_clusterer(est, X)


def _log_dispersion(X, labels) -> float:
    # W is 0 when every sample is its own cluster: clip so that curves stay finite
    return float(np.log(max(within_cluster_dispersion(X, labels), 1e-300)))


def elbow_curve(X, k_range, algorithm=None, random_state=None, progress=None, **kwargs):
    """``log W_k`` for each ``k`` of ``k_range``."""
    rng = np.random.default_rng(random_state)
    out = []
    for k in k_range:
        out.append(_log_dispersion(X, _labels_for(X, k, algorithm, rng, kwargs)))
        if progress is not None:
            progress(1)
    return np.array(out)


def silhouette_curve(X, k_range, algorithm=None, random_state=None, progress=None,
                     **kwargs):
    """Mean silhouette coefficient (:func:`sklearn.metrics.silhouette_score`) per ``k``."""
    from sklearn.metrics import silhouette_score

    rng = np.random.default_rng(random_state)
    out = []
    for k in k_range:
        labels = _labels_for(X, k, algorithm, rng, kwargs)
        out.append(float(silhouette_score(X, labels)) if np.unique(labels).size > 1
                   else -1.0)
        if progress is not None:
            progress(1)
    return np.array(out)


def reference_sampler(X, reference="diagonal"):
    """A function ``rng -> array like X`` drawing one gap-statistic reference.

    "uniform": uniform in the box of each feature's range (Tibshirani et al.'s (a));
    "pca": uniform in the box of the data's principal components, rotated back
    (their (b), which follows the shape of the data and is what they recommend).
    "diagonal": HyperSpy 2.5's reference, as many evenly spaced points on the diagonal
    of that box (the same for every draw: ``s_k`` then measures how much k-means
    started at random varies), which gives HyperSpy's estimates.
    """
    if reference == "diagonal":
        line = np.linspace(X.min(0), X.max(0), num=X.shape[0])
        return lambda rng: line
    if reference == "uniform":
        lo, hi = X.min(0), X.max(0)
        return lambda rng: rng.uniform(lo, hi, size=X.shape)
    if reference != "pca":
        raise ValueError(
            f"reference must be 'diagonal', 'uniform' or 'pca', got {reference!r}")
    mean = X.mean(0)
    _, _, vt = np.linalg.svd(X - mean, full_matrices=False)
    Y = (X - mean) @ vt.T
    lo, hi = Y.min(0), Y.max(0)
    return lambda rng: rng.uniform(lo, hi, size=Y.shape) @ vt + mean


def gap_statistic(X, k_range, algorithm=None, n_ref: int = 4, random_state=None,
                  progress=None, reference="diagonal", **kwargs):
    """Gap ``E*[log W_ref] - log W`` and its ``s_k`` for each ``k`` of ``k_range``.

    The references (see :func:`reference_sampler`) have as many points as ``X`` and are
    clustered with the same algorithm; k-means of HyperSpy's "diagonal" reference runs
    on the points' positions along the line (:mod:`.line_kmeans`), which gives the same
    clusters and dispersions in a fraction of the time.

    Returns
    -------
    gap, std_error : ndarray, shape (len(k_range),)
    """
    X = np.asarray(X, dtype=float)
    rng = np.random.default_rng(random_state)
    draw = reference_sampler(X, reference)
    log_w = np.empty(len(k_range))
    log_ref = np.empty((n_ref, len(k_range)))
    for j, k in enumerate(k_range):
        log_w[j] = _log_dispersion(X, _labels_for(X, k, algorithm, rng, kwargs))
        if progress is not None:
            progress(1)
    on_line = reference == "diagonal" and _name(algorithm) in ("kmeans", "minibatchkmeans")
    if on_line:  # k-means of collinear points is k-means of their positions on the line
        t = np.linspace(0.0, float(np.linalg.norm(X.max(0) - X.min(0))), X.shape[0])
    for b in range(n_ref):
        R = None if on_line else draw(rng)
        for j, k in enumerate(k_range):
            if on_line:
                w = kmeans_line_dispersion(t, k, rng, max_iter=kwargs.get("max_iter", 300),
                                           tol=kwargs.get("tol", 1e-4))
                log_ref[b, j] = float(np.log(max(w, 1e-300)))
            else:
                log_ref[b, j] = _log_dispersion(R, _labels_for(R, k, algorithm, rng, kwargs))
            if progress is not None:
                progress(1)
    gap = log_ref.mean(0) - log_w
    std_error = log_ref.std(0) * np.sqrt(1.0 + 1.0 / n_ref)
    return gap, std_error


def gap_best_k(gap, std_error, k_range) -> int:
    """HyperSpy's gap rule: the first ``k`` (after the smallest) with
    ``gap(k) >= gap(k+1) - s(k+1)``; the second ``k`` when none qualifies.

    Examples
    --------
    >>> gap_best_k([0.1, 0.5, 0.9, 0.85, 0.8], [0.01] * 5, [1, 2, 3, 4, 5])
    3
    """
    gap, std_error = np.asarray(gap), np.asarray(std_error)
    for i in range(1, len(k_range) - 1):
        if gap[i] >= gap[i + 1] - std_error[i + 1]:
            return int(k_range[i])
    return int(k_range[min(1, len(k_range) - 1)])


def silhouette_peaks(values, k_range) -> list:
    """The ``k`` at the local maxima of the mean silhouette, in increasing order; the
    first ``k`` counts when it beats the second, or when there is no other peak.

    Examples
    --------
    >>> silhouette_peaks([0.5, 0.7, 0.6, 0.65, 0.6], [2, 3, 4, 5, 6])
    [3, 5]
    """
    s = np.asarray(values, dtype=float)
    peaks = [int(k_range[u]) for u in range(1, len(s) - 1)
             if s[u] > s[u - 1] and s[u] > s[u + 1]]
    if len(s) == 1 or s[0] > s[1] or not peaks:
        peaks.insert(0, int(k_range[0]))
    return peaks


def estimate_number_of_clusters(X, max_clusters: int = 10, algorithm=None, metric="gap",
                                n_ref: int = 4, random_state=None, progress=None,
                                reference="diagonal", **kwargs) -> ClusterMetric:
    """Cluster ``X`` for a range of ``k`` and estimate the best number of clusters.

    Parameters
    ----------
    X : ndarray, shape (n_samples, n_features)
        The (scaled) features.
    max_clusters : int
        Largest ``k`` tried; the smallest is 1 (2 for "silhouette" and agglomerative).
    algorithm : None or str
        "kmeans" (default), "agglomerative", "minibatchkmeans", "spectralclustering".
    metric : {"gap", "silhouette", "elbow"}
    n_ref : int
        Reference draws of the gap statistic.
    random_state : int, Generator or None
        Seeds the estimators and the gap's references: equal seeds, equal results.
    progress : callable, optional
        Called with 1 after each clustering (``n_ref + 1`` per ``k`` for the gap).
    **kwargs
        Passed to the estimator. k-means gets ``n_init=1`` unless given (HyperSpy's
        choice for all metrics, needed by the gap's error estimate).

    Raises
    ------
    ValueError
        Bad ``max_clusters`` (< 2 or more than the samples), ``metric`` or ``n_ref``.
    """
    X = np.asarray(X, dtype=float)
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; use one of {', '.join(map(repr, METRICS))}")
    check_max_clusters(max_clusters, X.shape[0])
    if metric == "gap" and (isinstance(n_ref, bool) or not isinstance(n_ref, (int, np.integer))
                            or n_ref < 2):
        raise ValueError(f"n_ref must be an integer >= 2 (reference draws), got {n_ref!r}")
    if not isinstance(algorithm, (str, type(None))):
        raise ValueError(
            "estimate_number_of_clusters needs an algorithm name "
            "('kmeans', 'agglomerative', 'minibatchkmeans', 'spectralclustering'); "
            f"got {algorithm!r}"
        )
    if metric == "gap" and reference not in REFERENCES:
        raise ValueError(f"reference must be one of {', '.join(map(repr, REFERENCES))}, "
                         f"got {reference!r}")
    make_clusterer(algorithm, n_clusters=2, **kwargs)  # validates names and kwargs now
    if _name(algorithm) in ("kmeans", "minibatchkmeans"):
        kwargs.setdefault("n_init", 1)
    k_range = _k_range(metric, algorithm, int(max_clusters))
    if metric == "gap":
        gap, s = gap_statistic(X, k_range, algorithm, n_ref, random_state, progress,
                               reference, **kwargs)
        return ClusterMetric("gap", k_range, gap, gap_best_k(gap, s, k_range), s)
    if metric == "silhouette":
        values = silhouette_curve(X, k_range, algorithm, random_state, progress, **kwargs)
        return ClusterMetric("silhouette", k_range, values, silhouette_peaks(values, k_range))
    from emunmix.learn.decomposition.elbow import estimate_elbow_position

    values = elbow_curve(X, k_range, algorithm, random_state, progress, **kwargs)
    best = (int(estimate_elbow_position(values, log=False)) if len(values) > 2 else 0) \
        + k_range[0]
    return ClusterMetric("elbow", k_range, values, best)


def check_max_clusters(max_clusters, n_samples: int) -> None:
    """Raise ValueError unless ``2 <= max_clusters <= n_samples`` (an integer)."""
    if isinstance(max_clusters, bool) or not isinstance(max_clusters, (int, np.integer)) \
            or max_clusters < 2:
        raise ValueError(f"max_clusters must be an integer >= 2, got {max_clusters!r}")
    if max_clusters > n_samples:
        raise ValueError(
            f"max_clusters={max_clusters} is more than the {n_samples} pixels clustered; "
            f"give at most {n_samples}"
        )
