"""Clustering estimators by HyperSpy's names, and fitting them."""

from __future__ import annotations

import inspect

import numpy as np

#: HyperSpy's algorithm names and the :mod:`sklearn.cluster` classes they stand for.
CLUSTER_ALGORITHMS = {
    "kmeans": "KMeans",
    "agglomerative": "AgglomerativeClustering",
    "minibatchkmeans": "MiniBatchKMeans",
    "spectralclustering": "SpectralClustering",
}


def make_clusterer(algorithm=None, random_state=None, **kwargs):
    """An unfitted clustering estimator.

    Parameters
    ----------
    algorithm : None, str or estimator
        None is "kmeans"; a name of :data:`CLUSTER_ALGORITHMS` (case-insensitive) makes
        that scikit-learn estimator with ``kwargs`` (e.g. ``n_clusters``); an object
        with ``fit`` is used as given (``kwargs`` must then be empty).
    random_state : int, Generator or None
        Passed to estimators that take one (k-means, spectral clustering).

    Raises
    ------
    ValueError
        Unknown names, objects without ``fit``, or keyword arguments the estimator
        does not take.
    """
    if algorithm is None:
        algorithm = "kmeans"
    if isinstance(algorithm, str):
        key = algorithm.lower()
        if key not in CLUSTER_ALGORITHMS:
            raise ValueError(
                f"unknown clustering algorithm {algorithm!r}; use one of "
                f"{', '.join(map(repr, CLUSTER_ALGORITHMS))} or an estimator with fit() "
                "and labels_"
            )
        import sklearn.cluster

        cls = getattr(sklearn.cluster, CLUSTER_ALGORITHMS[key])
        accepted = inspect.signature(cls).parameters
        unknown = sorted(set(kwargs) - set(accepted))
        if unknown:
            raise ValueError(
                f"{cls.__name__} does not take {', '.join(unknown)}; its parameters are "
                f"{', '.join(accepted)}"
            )
        if "random_state" in accepted and random_state is not None:
            kwargs = dict(kwargs, random_state=_seed(random_state))
        return cls(**kwargs)
    if not hasattr(algorithm, "fit"):
        raise ValueError(
            "algorithm must be None, one of "
            f"{', '.join(map(repr, CLUSTER_ALGORITHMS))} or an object with fit() and "
            f"labels_, got {algorithm!r}"
        )
    if kwargs:
        raise ValueError(
            f"keyword arguments {sorted(kwargs)} cannot be passed to an estimator object; "
            "set them on the estimator"
        )
    return algorithm


def fit_clusterer(estimator, X) -> np.ndarray:
    """Fit ``estimator`` on ``X`` and return its integer labels (one per sample).

    Raises
    ------
    ValueError
        If the fitted estimator has no ``labels_`` of one label per sample.
    """
    estimator.fit(X)
    labels = getattr(estimator, "labels_", None)
    if labels is None:
        raise ValueError(
            f"the fitted estimator {type(estimator).__name__} has no labels_ attribute; "
            "use an estimator that sets labels_ after fit() (scikit-learn clusterers do)"
        )
    labels = np.asarray(labels)
    if labels.shape != (X.shape[0],) or labels.dtype.kind not in "iu":
        raise ValueError(
            f"{type(estimator).__name__}.labels_ must hold one integer label per sample "
            f"({X.shape[0]}), got shape {labels.shape} and dtype {labels.dtype}"
        )
    return labels.astype(np.int64)


def _seed(random_state):
    """An int seed for scikit-learn from an int, a Generator or a RandomState."""
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(2**31 - 1))
    return random_state
