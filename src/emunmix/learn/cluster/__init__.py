"""Cluster analysis kernels: pure functions on (samples x features) arrays.

``scaling``    HyperSpy's preprocessing names ("standard", "norm", "minmax") or a scaler.
``algorithms`` HyperSpy's algorithm names ("kmeans", ...) or an estimator; fitting.
``summary``    labels sorted by cluster size, centroids, distances, the member closest
               to each centroid.
``metrics``    within-cluster dispersion, the gap statistic, silhouette and elbow
               curves and the rules that pick a number of clusters from them.

Nothing here knows about signals, axes, plotting or printing; the signal methods in
:mod:`emunmix.signal.learning_cluster` call these.
"""

from .algorithms import CLUSTER_ALGORITHMS, fit_clusterer, make_clusterer
from .metrics import (
    METRICS,
    ClusterMetric,
    elbow_curve,
    estimate_number_of_clusters,
    gap_best_k,
    gap_statistic,
    silhouette_curve,
    silhouette_peaks,
    within_cluster_dispersion,
)
from .scaling import PREPROCESSING, make_scaler, scale_features
from .summary import ClusterSummary, summarise_clusters

__all__ = [
    "CLUSTER_ALGORITHMS",
    "METRICS",
    "PREPROCESSING",
    "ClusterMetric",
    "ClusterSummary",
    "elbow_curve",
    "estimate_number_of_clusters",
    "fit_clusterer",
    "gap_best_k",
    "gap_statistic",
    "make_clusterer",
    "make_scaler",
    "scale_features",
    "silhouette_curve",
    "silhouette_peaks",
    "summarise_clusters",
    "within_cluster_dispersion",
]
