"""Figures of the HTML run report: compact, static, drawn from arrays and axes.

Each function returns a matplotlib Figure; :mod:`emunmix.report` renders it to PNG.
They read results, never compute them (beyond the sums and slices a view needs).
"""

from __future__ import annotations

import numpy as np

from .backend import new_figure
from .drawing import draw_image
from .labels import axis_label
from .scree import plot_scree

MAX_COMPONENTS = 8  # rows of a components figure; the page says when there are more


def _energy(signal_axis, size):
    if signal_axis is None:
        return np.arange(size), "channel"
    return signal_axis.axis, axis_label(signal_axis, "channel")


def _nav_image(values, nav_axes):
    """(image or profile, xaxis, yaxis) of per-pixel values in array order."""
    values = np.asarray(values, float)
    if values.ndim == 2:
        x = nav_axes[0] if len(nav_axes) > 0 else None
        y = nav_axes[1] if len(nav_axes) > 1 else None
        return values, x, y
    return values.ravel(), (nav_axes[0] if nav_axes else None), None


def _draw_nav(ax, values, nav_axes, title, label=None, cmap="viridis", **kwargs):
    img, x, y = _nav_image(values, nav_axes)
    if img.ndim == 2:
        draw_image(ax, img, x, y, cmap=cmap, title=title, colorbar_label=label, **kwargs)
    else:
        positions = x.axis if x is not None else np.arange(img.size)
        ax.plot(positions, img)
        ax.set_xlabel(axis_label(x, "position") if x is not None else "position")
        ax.set_ylabel(label or "")
        ax.set_title(title)


def dataset_overview(mean_spectrum, total, nav_axes, signal_axis, title=""):
    """Mean spectrum and total-intensity map (or profile) of a spectrum image.

    Parameters
    ----------
    mean_spectrum : ndarray, shape (channels,)
    total : ndarray, navigation shape (array order)
        Sum over the channels per pixel; a 0-d array for a single spectrum.
    nav_axes : sequence of DataAxis
        Natural order (x, y).
    signal_axis : DataAxis or None
    """
    mean_spectrum, total = np.asarray(mean_spectrum, float), np.asarray(total, float)
    energy, elabel = _energy(signal_axis, mean_spectrum.size)
    has_nav = total.ndim > 0
    fig = new_figure(figsize=(9.6 if has_nav else 5.6, 3.4))
    axes = fig.subplots(1, 2 if has_nav else 1, squeeze=False)[0]
    axes[0].plot(energy, mean_spectrum, lw=1)
    axes[0].set_xlabel(elabel)
    axes[0].set_ylabel("mean intensity")
    axes[0].set_title("Mean spectrum")
    if has_nav:
        _draw_nav(axes[1], total, nav_axes, "Total intensity", label="sum over channels",
                  cmap="gray")
    if title:
        fig.suptitle(title)
    return fig


def scree_figure(ratio, n_significant=None, elbow=None, n=30, title=""):
    """Scree plot (log) of the first ``n`` ratios, the elbow marked by a vertical line."""
    ratio = np.asarray(ratio, float)
    fig = new_figure(figsize=(6.0, 3.8))
    ax = fig.add_subplot()
    plot_scree(ratio, n=min(n, ratio.size), log=True,
               vline=False if elbow is None else int(elbow), n_significant=n_significant,
               ax=ax)
    if elbow is not None:
        ax.annotate(f"elbow: component {int(elbow)}", xy=(int(elbow), ratio[int(elbow)]),
                    xytext=(8, 12), textcoords="offset points", fontsize=9)
    ax.legend(loc="upper right", fontsize=8)
    if title:
        ax.set_title(title)
    return fig


def components_figure(factors, loadings, nav_shape, nav_axes, signal_axis, *,
                      label="Component", n=None, title=""):
    """One row per component: its factor (spectrum) and its loading (map or profile).

    Parameters
    ----------
    factors : ndarray, shape (channels, k)
    loadings : ndarray, shape (pixels, k)
    nav_shape : tuple of int
        Navigation shape in array order, to fold the loadings.
    """
    factors, loadings = np.asarray(factors, float), np.asarray(loadings, float)
    k = factors.shape[1] if n is None else min(int(n), factors.shape[1])
    k = min(k, MAX_COMPONENTS)
    energy, elabel = _energy(signal_axis, factors.shape[0])
    # a fixed grid instead of constrained layout: half the drawing time of a tall figure
    fig = new_figure(figsize=(8.4, 2.3 * k + 0.5), layout=None)
    axes = fig.subplots(k, 2, squeeze=False, gridspec_kw={"width_ratios": (1.35, 1)})
    fig.subplots_adjust(left=0.08, right=0.9, bottom=0.5 / (2.3 * k + 0.5),
                        top=1 - 0.45 / (2.3 * k + 0.5), wspace=0.3, hspace=0.65)
    for i in range(k):
        ax_f, ax_l = axes[i]
        ax_f.plot(energy, factors[:, i], lw=1)
        ax_f.set_title(f"{label} {i}: factor", fontsize=9)
        ax_f.set_xlabel(elabel, fontsize=8)
        _draw_nav(ax_l, loadings[:, i].reshape(nav_shape), nav_axes,
                  f"{label} {i}: loading", cmap="viridis")
        ax_l.title.set_fontsize(9)
    if title:
        fig.suptitle(title)
    return fig


def spectra_comparison(signal_axis, curves, title="", ylabel="intensity"):
    """Spectra drawn over each other, e.g. before / after at one pixel.

    Parameters
    ----------
    curves : list of (label, ndarray) or (label, ndarray, energy)
        A curve may bring its own energy axis (after an alignment crops the axis).
    """
    fig = new_figure(figsize=(6.4, 3.6))
    ax = fig.add_subplot()
    for curve in curves:
        label, values = curve[0], np.asarray(curve[1], float)
        energy = curve[2] if len(curve) > 2 else _energy(signal_axis, values.size)[0]
        ax.plot(energy, values, lw=1, label=label)
    ax.set_xlabel(_energy(signal_axis, 1)[1])
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8)
    ax.set_title(title)
    return fig


def maps_figure(panels, nav_axes, title=""):
    """Per-pixel maps side by side: ``panels`` is a list of (title, values, colorbar label).

    Values are in navigation array order; a shared colour scale is not assumed.
    """
    fig = new_figure(figsize=(4.4 * len(panels) + 0.4, 3.6))
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, (name, values, label) in zip(axes, panels):
        _draw_nav(ax, values, nav_axes, name, label=label)
    if title:
        fig.suptitle(title)
    return fig
