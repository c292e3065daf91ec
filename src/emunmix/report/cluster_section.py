"""The report section of a cluster analysis: the cluster map, the clusters' mean
signals, the number-of-clusters metric, and a table of cluster sizes."""

from __future__ import annotations

import numpy as np

from .model import Figure, Section
from .sections import _axes, _energy_values, python_call


def cluster_section(lr, signal=None, seconds=None, name="cluster analysis") -> Section:
    """The clusters of ``lr`` (a signal's learning results after ``cluster_analysis``).

    Raises
    ------
    ValueError
        Without cluster results.
    """
    if lr is None or getattr(lr, "cluster_labels", None) is None:
        raise ValueError("there are no cluster results to report: run "
                         "s.cluster_analysis() first")
    labels = np.asarray(lr.cluster_labels, dtype=bool)
    k, n_pixels = labels.shape
    sizes = labels.sum(axis=1)
    params = {"algorithm": lr.cluster_algorithm, "n_clusters": int(k),
              **{key: v for key, v in (lr.cluster_parameters or {}).items()
                 if isinstance(v, (str, int, float, bool)) or v is None}}
    results = {"clusters": int(k), "clustered pixels": int(sizes.sum()),
               "largest cluster (pixels)": int(sizes.max()),
               "smallest cluster (pixels)": int(sizes.min())}
    estimated = getattr(lr, "estimated_number_of_clusters", None)
    if estimated is not None:
        results["estimated number of clusters"] = (
            ", ".join(str(int(e)) for e in estimated) if isinstance(estimated, (list, tuple))
            else int(estimated))
    sec = Section(name, parameters=params, seconds=seconds, results=results)
    sec.call = python_call("cluster_analysis", lr.cluster_parameters or {})
    sec.tables["clusters"] = [{"cluster": i, "pixels": int(sizes[i]),
                               "fraction": round(float(sizes[i]) / max(n_pixels, 1), 6)}
                              for i in range(k)]
    _add_figures(sec, lr, signal, labels, sizes)
    return sec


def _add_figures(sec, lr, signal, labels, sizes) -> None:
    from emunmix.plot.clusters import plot_cluster_map, plot_cluster_metric
    from emunmix.plot.report_figures import spectra_comparison

    k = labels.shape[0]
    if signal is not None and hasattr(signal, "get_cluster_labels"):
        ax = plot_cluster_map(signal.get_cluster_labels(merged=True), k)
        sec.figures.append(Figure.from_matplotlib(
            ax, "Cluster map", "Each pixel coloured by its cluster (excluded pixels white)."))
    sums = getattr(lr, "cluster_sum_signals", None)
    if sums is not None:
        sums = np.asarray(sums, float).reshape(k, -1)
        sig_axis = _axes(signal, lr)[2] if signal is not None or lr.axes else None
        means = sums / np.maximum(sizes, 1)[:, None]
        energy = _energy_values(sig_axis, means.shape[1])
        curves = [(f"cluster {i} ({int(sizes[i])} px)", means[i], energy) for i in range(k)]
        sec.figures.append(Figure.from_matplotlib(
            spectra_comparison(sig_axis, curves, title="Mean signal of each cluster"),
            "Cluster mean signals", "The mean of the data over each cluster's pixels."))
    index = getattr(lr, "cluster_metric_index", None)
    data = getattr(lr, "cluster_metric_data", None)
    if index is not None and data is not None:
        ax = plot_cluster_metric(index, data, lr.cluster_metric,
                                 number_of_clusters=k,
                                 estimated=getattr(lr, "estimated_number_of_clusters", None))
        sec.figures.append(Figure.from_matplotlib(
            ax, f"Number of clusters: {lr.cluster_metric}",
            "The metric of estimate_number_of_clusters against the number of clusters."))
