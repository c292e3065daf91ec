"""Cluster analysis methods of signals (``s.cluster_analysis()`` and its results).

HyperSpy 2.5's names and meaning. The methods validate their arguments in signal
terms, gather the clustered features (decomposition or BSS loadings, or the signal's
own data) as a (pixels x features) array, call the kernels of
:mod:`emunmix.learn.cluster` and store the results in ``s.learning_results``. A call
that fails leaves the signal and its results as they were: everything is computed in
locals and assigned at the very end.

Differences from HyperSpy 2.5, on purpose:

- ``cluster_labels`` rows really are sorted from the largest cluster to the smallest
  (HyperSpy's permutation is the inverse of the sort it means).
- Sum and centroid signals from "decomposition"/"bss" use the components that were
  clustered (``number_of_components``), as HyperSpy documents, and the BSS results for
  "bss"; HyperSpy uses all decomposition components in both cases.
- Pixels excluded from the decomposition (its ``navigation_mask``: NaN loadings) are
  excluded from the clustering too.
- ``random_state`` makes every result reproducible.
"""

from __future__ import annotations

import numbers

import numpy as np

from .learning_cluster_results import ClusterResultsMethods
from .learning_cluster_sources import ClusterSourcesMethods


class ClusterMethods(ClusterResultsMethods, ClusterSourcesMethods):
    """``cluster_analysis``, ``estimate_number_of_clusters`` and their results."""

    def cluster_analysis(self, cluster_source, source_for_centers=None, preprocessing=None,
                         preprocessing_kwargs=None, number_of_components=None,
                         navigation_mask=None, signal_mask=None, algorithm=None,
                         return_info=False, random_state=None, **kwargs):
        """Cluster the pixels: segment phases from decomposition loadings or the data.

        Parameters
        ----------
        cluster_source : {"decomposition", "bss", "signal"} or signal
            What is clustered: the decomposition or BSS loadings (the first
            ``number_of_components``), the signal's own data, or another signal with
            the same navigation shape (its data).
        source_for_centers : None, {"decomposition", "bss", "signal"} or signal
            What the cluster sum and centroid signals are made of (default: as
            ``cluster_source``). "decomposition"/"bss" use the low-rank model of the
            clustered components (denoised spectra).
        preprocessing : None, {"standard", "norm", "minmax"} or scaler
            Scaling of the features before clustering: per feature to unit variance,
            per pixel to unit length ("norm": clusters by shape, not intensity), per
            feature to 0-1, or a scikit-learn scaler. None: no scaling.
        preprocessing_kwargs : dict, optional
            Passed to the scaler.
        number_of_components : int, optional
            Components clustered for "decomposition"/"bss" (default: the decomposition's
            ``number_significant_components``; all BSS components for "bss").
        navigation_mask : bool array, optional
            True excludes a pixel (it belongs to no cluster; label -1 when merged).
        signal_mask : bool array, optional
            True excludes a channel ("signal" or a signal as ``cluster_source`` only).
        algorithm : None, str or estimator
            "kmeans", "agglomerative", "minibatchkmeans" or "spectralclustering";
            None is k-means. An estimator needs ``fit()`` and sets ``labels_``.
        return_info : bool
            Return the fitted estimator (its ``inertia_``, ``cluster_centers_``...).
        random_state : int, Generator or None
            Seed of the randomised algorithms (equal seeds, equal results).
        **kwargs
            Passed to the scikit-learn estimator, e.g. ``n_clusters``. k-means gets
            ``n_init=10`` unless given (scikit-learn's default makes one start).

        Returns
        -------
        estimator or None

        Raises
        ------
        ValueError
            A source that does not exist yet (run ``decomposition`` first) or has the
            wrong navigation shape, ``n_clusters`` < 2 or more than the pixels, masks of
            the wrong shape, unknown names, an estimator without ``labels_``, NaN/inf
            features.

        Examples
        --------
        >>> import emunmix.api as hs
        >>> s = hs.datasets.PHASES()  # doctest: +SKIP
        >>> s.decomposition(True, output_dimension=4)  # doctest: +SKIP
        >>> s.cluster_analysis("decomposition", n_clusters=4,
        ...                    preprocessing="norm")  # doctest: +SKIP
        >>> s.get_cluster_labels(merged=True).plot()  # doctest: +SKIP
        """
        from emunmix.learn.cluster import (
            fit_clusterer,
            make_clusterer,
            scale_features,
            summarise_clusters,
        )

        if source_for_centers is None:
            source_for_centers = cluster_source
        X, keep, n_comp = self._cluster_features(cluster_source, number_of_components,
                                                 navigation_mask, signal_mask)
        if "n_clusters" in kwargs:
            _check_n_clusters(kwargs["n_clusters"], X.shape[0])
        _check_centers_source(self, source_for_centers)
        if _algorithm_name(algorithm) in ("kmeans", "minibatchkmeans"):
            # scikit-learn's single k-means++ start ("auto") often stops in a local minimum
            # (a phase split in two, two merged): ten starts cost little on loadings
            kwargs.setdefault("n_init", 10)
        estimator = make_clusterer(algorithm, random_state=random_state, **kwargs)
        scaled = scale_features(X, preprocessing, preprocessing_kwargs)
        labels = fit_clusterer(estimator, scaled)
        summary = summarise_clusters(scaled, labels, keep.size, keep)
        sums, centroid_signals = self._cluster_signals(source_for_centers, n_comp, summary)

        lr = self._cluster_target()
        lr.cluster_labels = summary.labels
        lr.cluster_centroids = summary.centroids
        lr.cluster_distances = summary.distances
        lr.cluster_sum_signals = sums
        lr.cluster_centroid_signals = centroid_signals
        lr.cluster_algorithm = _algorithm_name(algorithm)
        lr.number_of_clusters = summary.n_clusters
        lr.cluster_parameters = {
            "cluster_source": _source_name(cluster_source),
            "source_for_centers": _source_name(source_for_centers),
            "preprocessing": _source_name(preprocessing),
            "number_of_components": n_comp,
            "random_state": random_state if isinstance(random_state, int) else None,
            **{k: v for k, v in kwargs.items() if isinstance(v, (int, float, str, bool))},
        }
        _update_in_place(self, lr)
        return estimator if return_info else None

    def estimate_number_of_clusters(self, cluster_source, max_clusters=10, preprocessing=None,
                                    preprocessing_kwargs=None, number_of_components=None,
                                    navigation_mask=None, signal_mask=None, algorithm=None,
                                    metric="gap", n_ref=4, show_progressbar=None,
                                    random_state=None, reference="diagonal", **kwargs):
        """Estimate the number of clusters: gap statistic, silhouette or elbow.

        Clusters the features (chosen as in :meth:`cluster_analysis`) for ``k`` from 1
        (2 for "silhouette" and "agglomerative") to ``max_clusters`` and applies
        HyperSpy's rule to the metric. The gap statistic (Tibshirani et al. 2001)
        compares ``log W_k`` with its mean over ``n_ref`` uniform references; ``W_k``
        is computed in one pass (HyperSpy forms all within-cluster distance matrices).

        Parameters
        ----------
        cluster_source, preprocessing, preprocessing_kwargs, number_of_components,
        navigation_mask, signal_mask
            As :meth:`cluster_analysis`.
        max_clusters : int, default 10
            Largest number of clusters tried (>= 2).
        algorithm : None or {"kmeans", "agglomerative", "minibatchkmeans",
                "spectralclustering"}
        metric : {"gap", "silhouette", "elbow"}, default "gap"
        n_ref : int, default 4
            Reference draws of the gap statistic.
        show_progressbar : bool or None
            A progress bar over the clusterings (None: shown).
        random_state : int, Generator or None
            Seed of the estimators and the gap's references.
        reference : {"diagonal", "uniform", "pca"}
            The gap's reference data: HyperSpy's evenly spaced points on the diagonal of
            the features' box (default: HyperSpy's estimates), or Tibshirani et al.'s
            uniform box over the features or over their principal components (see
            docs/clustering.md for when each fits).
        **kwargs
            Passed to the estimator (k-means gets ``n_init=1`` unless given).

        Returns
        -------
        int or list of int
            The estimate (a list of candidate peaks for "silhouette"), also stored in
            ``learning_results.estimated_number_of_clusters`` with the metric
            (``cluster_metric_data`` over ``cluster_metric_index``).
        """
        from emunmix.learn.cluster import estimate_number_of_clusters, scale_features
        from emunmix.learn.cluster.metrics import METRICS, check_max_clusters

        if metric not in METRICS:
            raise ValueError(f"unknown metric {metric!r}; use one of "
                             f"{', '.join(map(repr, METRICS))}")
        X, _, _ = self._cluster_features(cluster_source, number_of_components,
                                         navigation_mask, signal_mask)
        check_max_clusters(max_clusters, X.shape[0])
        scaled = scale_features(X, preprocessing, preprocessing_kwargs)
        n_start = 2 if metric == "silhouette" or str(algorithm).lower() == "agglomerative" \
            else 1
        fits = (max_clusters - n_start + 1) * ((n_ref + 1) if metric == "gap" else 1)
        from tqdm.auto import tqdm

        with tqdm(total=fits, desc=f"{metric} over k", leave=False,
                  disable=show_progressbar is False) as bar:
            result = estimate_number_of_clusters(
                scaled, max_clusters, algorithm, metric, n_ref, random_state,
                progress=bar.update, reference=reference, **kwargs)
        lr = self._cluster_target()
        lr.cluster_metric = result.metric
        lr.cluster_metric_index = list(result.k)
        lr.cluster_metric_data = np.asarray(result.values)
        lr.estimated_number_of_clusters = result.best
        _update_in_place(self, lr)
        return result.best

    # ----------------------------------------------------------------- helpers
    def _cluster_target(self):
        """A copy of the current results (or new ones) to fill in and assign."""
        from emunmix.learn.results import LearningResults

        lr = self.learning_results
        if lr is None:
            return LearningResults()
        import copy

        return copy.copy(lr)  # shallow: arrays are replaced, never edited in place


def _update_in_place(signal, filled) -> None:
    """Put the filled copy's fields into ``signal.learning_results`` itself, as HyperSpy
    does: a name bound to ``s.learning_results`` before the call sees the clusters, and
    the decomposition and BSS results stay. (The copy was filled first so that a failed
    clustering leaves the results unchanged.)"""
    from .learning_common import axes_record

    filled.axes = axes_record(signal)
    current = signal.__dict__.get("_learning_results")
    if current is None:
        signal.learning_results = filled
    else:
        current.__dict__.update(filled.__dict__)


def _check_n_clusters(n, n_pixels: int) -> None:
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, numbers.Integral) or n < 2:
        raise ValueError(f"n_clusters must be an integer >= 2, got {n!r}")
    if n > n_pixels:
        raise ValueError(f"n_clusters={n} is more than the {n_pixels} pixels clustered; "
                         f"give at most {n_pixels}")


def _check_centers_source(signal, source) -> None:
    """Fail before clustering when the centres cannot be made."""
    lr = signal.learning_results
    if isinstance(source, str) and source == "decomposition":
        if lr is None or lr.n_components is None:
            raise ValueError("source_for_centers='decomposition' needs decomposition "
                             "results: run s.decomposition() first")
    elif isinstance(source, str) and source == "bss":
        if lr is None or lr.bss_loadings is None:
            raise ValueError("source_for_centers='bss' needs blind source separation "
                             "results: run s.blind_source_separation() first")
    else:
        signal._cluster_source_signal(source)


def _source_name(source):
    if source is None or isinstance(source, str):
        return source
    if hasattr(source, "axes_manager"):
        return "signal object"
    return type(source).__name__


def _algorithm_name(algorithm):
    if algorithm is None:
        return "kmeans"
    if isinstance(algorithm, str):
        return algorithm.lower()
    return type(algorithm).__name__
