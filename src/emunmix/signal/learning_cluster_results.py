"""Reading, plotting and exporting cluster-analysis results (HyperSpy 2.5 names)."""

from __future__ import annotations

import numpy as np

from .learning_common import (
    browse_components,
    component_ids,
    export_components,
    factors_signal,
    loadings_signal,
    plot_components,
    plot_title,
)

CLUSTER_SIGNALS = ("mean", "sum", "centroid")


class ClusterResultsMethods:
    """``get_cluster_*``, ``plot_cluster_*`` and ``export_cluster_results``."""

    def _require_clusters(self):
        lr = self.learning_results
        if lr is None or lr.cluster_labels is None:
            raise RuntimeError("there are no cluster results: run s.cluster_analysis() first")
        return lr

    def get_cluster_labels(self, merged=False):
        """Cluster membership as maps.

        Parameters
        ----------
        merged : bool
            False: a stack of boolean maps, one per cluster (navigation axis "Cluster
            index"; True = member). True: one map of cluster numbers, -1 where a pixel
            was excluded.
        """
        lr = self._require_clusters()
        labels = np.asarray(lr.cluster_labels)
        if merged:
            data = (np.arange(1, labels.shape[0] + 1)[:, None] * labels).sum(0) - 1
            stack = loadings_signal(self, data.reshape(-1, 1), "cluster")
            out = stack.inav[0]
        else:
            out = loadings_signal(self, labels.T, "cluster")
        out.metadata.set_item("General.title", f"Cluster labels of {_title(self)}")
        return out

    def _cluster_signals_matrix(self, signal):
        lr = self._require_clusters()
        if signal not in CLUSTER_SIGNALS:
            raise ValueError(f"signal must be one of {', '.join(map(repr, CLUSTER_SIGNALS))}, "
                             f"got {signal!r}")
        if lr.cluster_sum_signals is None or lr.cluster_centroid_signals is None:
            raise RuntimeError("the cluster results hold no cluster signals: rerun "
                               "s.cluster_analysis()")
        if signal == "mean":
            return lr.cluster_centers
        if signal == "sum":
            return np.asarray(lr.cluster_sum_signals)
        return np.asarray(lr.cluster_centroid_signals)

    def get_cluster_signals(self, signal="mean"):
        """The signal of each cluster as a stack (navigation axis "Cluster index").

        Parameters
        ----------
        signal : {"mean", "sum", "centroid"}
            The mean or sum over the members, or the member closest to the centroid.
        """
        cs = self._cluster_signals_matrix(signal)
        if cs.shape[1] != int(np.prod(self.axes_manager.signal_shape or (1,))):
            raise ValueError(
                f"the cluster signals have {cs.shape[1]} channels, this signal "
                f"{self.axes_manager.signal_shape}: they were made from another signal "
                "(source_for_centers); read learning_results.cluster_sum_signals")
        out = factors_signal(self, cs.reshape(cs.shape[0], -1).T, "cluster")
        out.metadata.set_item("General.title", f"Cluster {signal} signals of {_title(self)}")
        return out

    def get_cluster_distances(self):
        """Distance of every pixel to each cluster centroid, as a stack of maps."""
        lr = self._require_clusters()
        if lr.cluster_distances is None:
            raise RuntimeError("the cluster results hold no distances: rerun "
                               "s.cluster_analysis()")
        out = loadings_signal(self, np.asarray(lr.cluster_distances).T, "cluster")
        out.metadata.set_item("General.title", f"Cluster distances of {_title(self)}")
        return out

    # ------------------------------------------------------------------ plots
    def plot_cluster_labels(self, cluster_ids=None, calibrate=True, same_window=True,
                            with_centers=False, cmap="gray", no_nans=False, per_row=3,
                            axes_decor="all", title=None, **kwargs):
        """Plot the membership map of each cluster (``cluster_ids``: None = all, n = the
        first n, or a list). ``with_centers`` and ``no_nans`` are accepted for
        HyperSpy compatibility. Returns the Figure(s)."""
        lr = self._require_clusters()
        labels = np.asarray(lr.cluster_labels).T.astype(float)
        return plot_components(self, labels, "cluster", "loadings", cluster_ids,
                               calibrate=calibrate, same_window=same_window,
                               no_nans=no_nans, cmap=cmap, per_row=per_row,
                               axes_decor=axes_decor, title=title, **kwargs)

    def plot_cluster_signals(self, signal="mean", cluster_ids=None, calibrate=True,
                             same_window=True, title=None, per_row=3, comp_label=None):
        """Plot the signal of each cluster ("mean", "sum" or "centroid") as HyperSpy
        2.5 does: spectra overlaid in one axes, images in a grid (default title
        "Cluster centers of <title>"; ``comp_label`` is its older name)."""
        cs = self.get_cluster_signals(signal)
        from emunmix.plot import plot_component_factors

        ids = component_ids(cluster_ids, cs.axes_manager.navigation_shape[0], "cluster_ids")
        if title is None:
            title = comp_label if comp_label is not None else plot_title(
                self, "Cluster centers of", same_window)
        return plot_component_factors(cs, comp_ids=ids, calibrate=calibrate,
                                      same_window=same_window, per_row=per_row,
                                      title=title)

    def plot_cluster_distances(self, cluster_ids=None, calibrate=True, same_window=True,
                               with_centers=False, cmap="gray", no_nans=False, per_row=3,
                               axes_decor="all", title=None, **kwargs):
        """Plot each pixel's distance to each cluster centroid as maps."""
        lr = self._require_clusters()
        if lr.cluster_distances is None:
            raise RuntimeError("the cluster results hold no distances")
        d = np.asarray(lr.cluster_distances).T
        return plot_components(self, d, "cluster", "loadings", cluster_ids,
                               calibrate=calibrate, same_window=same_window,
                               no_nans=no_nans, cmap=cmap, per_row=per_row,
                               axes_decor=axes_decor,
                               title=title if title is not None else kwargs.pop(
                                   "comp_label", None) or plot_title(
                                       self, "Cluster distances of", same_window),
                               **kwargs)

    def plot_cluster_results(self, centers_navigator="smart_auto",
                             labels_navigator="smart_auto", centers_dim=2, labels_dim=2):
        """Each cluster's mean signal beside its membership map: browsable in Jupyter
        (slider) and interactive backends (arrow keys), a static grid headless. The
        navigator arguments are accepted for HyperSpy compatibility."""
        lr = self._require_clusters()
        cs = self._cluster_signals_matrix("mean")
        return browse_components(self, cs.T, np.asarray(lr.cluster_labels).T.astype(float),
                                 "cluster")

    def plot_cluster_map(self, ax=None, calibrate=True):
        """All clusters on one categorical map (excluded pixels blank). Returns the Axes."""
        from emunmix.plot.clusters import plot_cluster_map

        lr = self._require_clusters()
        return plot_cluster_map(self.get_cluster_labels(merged=True),
                                int(lr.number_of_clusters or len(lr.cluster_labels)), ax=ax,
                                calibrate=calibrate)

    def plot_cluster_metric(self, ax=None):
        """The metric of :meth:`estimate_number_of_clusters` against the number of
        clusters, the estimate (green) and the clusters of the last analysis (grey)."""
        from emunmix.plot.clusters import plot_cluster_metric

        lr = self.learning_results
        if lr is None or lr.cluster_metric_data is None:
            raise RuntimeError("there is no cluster metric: run "
                               "s.estimate_number_of_clusters() first")
        k = lr.cluster_metric_index
        if k is None:
            k = list(range(1, len(lr.cluster_metric_data) + 1))
        return plot_cluster_metric(k, lr.cluster_metric_data, lr.cluster_metric,
                                   lr.number_of_clusters, lr.estimated_number_of_clusters,
                                   ax=ax)

    # ------------------------------------------------------------------ export
    def export_cluster_results(self, cluster_ids=None, folder=None, calibrate=True,
                               center_prefix="cluster_center", center_format="hspy",
                               membership_prefix="cluster_label", membership_format="hspy",
                               comp_label=None, cmap="gray", same_window=False,
                               multiple_files=True, no_nans=True, per_row=3,
                               save_figures=False, save_figures_format="png",
                               format=None, overwrite=False):
        """Write the cluster centres (mean signals) and membership maps to ``folder``.

        ``format`` sets both ``center_format`` and ``membership_format``. With
        ``multiple_files`` each cluster goes to ``<prefix>-<i>.<format>``, otherwise the
        stacks go to ``<prefix>s.<format>``. Existing files are replaced only with
        ``overwrite=True`` (checked before anything is written). Returns the paths.
        """
        lr = self._require_clusters()
        if format is not None:
            center_format = membership_format = format
        centers = self._cluster_signals_matrix("mean")
        labels = np.asarray(lr.cluster_labels).astype(np.uint8)
        ids = component_ids(cluster_ids, labels.shape[0], "cluster_ids")
        return export_components(
            self, centers.T, labels.T, "cluster", folder, ids, center_prefix, center_format,
            membership_prefix, membership_format, multiple_files, overwrite, save_figures,
            save_figures_format, plot_kwargs={"calibrate": calibrate,
                                              "comp_label": comp_label})


def _title(signal) -> str:
    return signal.metadata.get_item("General.title", "")
