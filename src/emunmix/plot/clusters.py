"""Figures of cluster analysis: the metric curve and the merged label map."""

from __future__ import annotations

import numpy as np

from .backend import new_figure


def plot_cluster_metric(k, values, metric, number_of_clusters=None, estimated=None, ax=None):
    """The metric of ``estimate_number_of_clusters`` against the number of clusters.

    Parameters
    ----------
    k : sequence of int
        Numbers of clusters tried.
    values : sequence of float
        The metric for each.
    metric : str
        "gap", "silhouette" or "elbow" (the y label).
    number_of_clusters : int, optional
        The number of the last ``cluster_analysis`` (grey dashed line).
    estimated : int or list of int, optional
        The estimate(s) (green dashed lines).
    ax : Axes, optional

    Returns
    -------
    Axes
    """
    if ax is None:
        ax = new_figure(figsize=(5.5, 3.8)).add_subplot(111)
    ax.plot(list(k), np.asarray(values, dtype=float), "o-", color="C0")
    ax.set_xlabel("number of clusters")
    ax.set_ylabel(f"{metric}_metric")  # HyperSpy's label
    ax.set_title({"elbow": "elbow: log W (within-cluster dispersion)",
                  "gap": "gap statistic", "silhouette": "mean silhouette"}.get(metric, metric))
    for value, colour in ((number_of_clusters, "gray"), (estimated, "green")):
        for v in np.atleast_1d(value if value is not None else []):
            ax.axvline(int(v), linewidth=2, color=colour, linestyle="dashed")
    ax.set_xticks(list(k))
    return ax


def plot_cluster_map(merged, n_clusters: int, ax=None, title=None, calibrate=True):
    """Merged cluster labels as one categorical map (-1, excluded pixels: white).

    Parameters
    ----------
    merged : BaseSignal
        ``get_cluster_labels(merged=True)``: one label per pixel (2-D map or line).
    n_clusters : int

    Returns
    -------
    Axes
    """
    import matplotlib.colors as mcolors
    import matplotlib.pyplot as plt

    if ax is None:
        ax = new_figure(figsize=(5.0, 4.2)).add_subplot(111)
    data = np.asarray(merged.data)
    cmap = plt.get_cmap("tab10" if n_clusters <= 10 else "tab20", max(n_clusters, 1))
    masked = np.ma.masked_less(data, 0)
    norm = mcolors.BoundaryNorm(np.arange(-0.5, n_clusters + 0.5), cmap.N)
    axes = merged.axes_manager.signal_axes
    if data.ndim == 2:
        extent = None
        if calibrate and len(axes) == 2:
            ax_x, ax_y = axes
            extent = (ax_x.offset - ax_x.scale / 2, ax_x.offset + ax_x.scale * (ax_x.size - 0.5),
                      ax_y.offset + ax_y.scale * (ax_y.size - 0.5), ax_y.offset - ax_y.scale / 2)
        im = ax.imshow(masked, cmap=cmap, norm=norm, interpolation="nearest", extent=extent)
        if calibrate and len(axes) == 2:
            ax.set_xlabel(f"{axes[0].name} ({axes[0].units})")
            ax.set_ylabel(f"{axes[1].name} ({axes[1].units})")
        bar = ax.figure.colorbar(im, ax=ax, ticks=np.arange(n_clusters))
        bar.set_label("cluster")
    else:
        ax.scatter(np.arange(data.size), data.ravel(), c=data.ravel(), cmap=cmap, norm=norm,
                   s=8)
        ax.set_ylabel("cluster")
        ax.set_yticks(np.arange(n_clusters))
    ax.set_title(title or merged.metadata.get_item("General.title", "Cluster labels"))
    return ax
