"""Scree plot (explained variance ratio per component) and its cumulative sum."""

from __future__ import annotations

import numbers

import numpy as np
from matplotlib.ticker import FuncFormatter, MaxNLocator

from .access import to_numpy
from .backend import new_figure
from .labels import signal_title

SIGNAL_FMT = {"color": "tab:red", "marker": "^", "linestyle": "", "markersize": 9, "zorder": 3}
NOISE_FMT = {"color": "tab:blue", "marker": "o", "linestyle": "", "markersize": 5, "zorder": 3}
LINE_FMT = {"color": "0.4", "linestyle": "--", "linewidth": 1, "zorder": 1}


def _ratio_array(ratio) -> np.ndarray:
    return np.real(to_numpy(getattr(ratio, "data", ratio))).astype(float).ravel()


def _ordinal(k: int) -> str:
    if 10 <= k % 100 <= 20:
        return f"{k}th"
    return f"{k}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(k % 10, 'th') }"


def elbow_index(ratio) -> int:
    """The scree curve's elbow (HyperSpy's rule: the point farthest from the chord).

    HyperSpy's convention (number of significant components = elbow + 1): the
    learning layer's ``estimate_elbow_position``, so the line agrees with
    ``s.estimate_elbow_position()``.
    """
    from emunmix.learn.decomposition.elbow import estimate_elbow_position

    return int(estimate_elbow_position(np.asarray(ratio, float)))


def _split(values, threshold, n_significant) -> tuple[int, float | None]:
    """Number of significant components and the threshold value to draw (or None)."""
    if n_significant is not None:
        return int(n_significant), None
    if isinstance(threshold, numbers.Integral) and not isinstance(threshold, bool):
        return int(threshold), None
    threshold = float(threshold)
    if threshold <= 0:
        return 0, None
    # the significant components are the leading run above the threshold
    return int(np.argmin(np.append(values > threshold, False))), threshold


def plot_scree(explained_variance_ratio, n=30, log=True, threshold=0, hline="auto",
               vline=False, xaxis_type="index", xaxis_labeling=None, signal_fmt=None,
               noise_fmt=None, n_significant=None, fig=None, ax=None):
    """Plot the explained variance ratio of the first ``n`` components (a scree plot).

    Parameters
    ----------
    explained_variance_ratio : array or Signal1D
        Ratio per component, in decreasing order.
    n : int or None
        How many components to show (None: all).
    log : bool
        Logarithmic y axis.
    threshold : float or int
        A float > 0 is a ratio: components above it are significant and a
        horizontal line marks it. An int is the number of significant components.
        0: none highlighted.
    hline : "auto" or bool
        Draw the threshold line ("auto": when ``threshold`` is a float > 0).
    vline : bool or int
        Draw a vertical line at the elbow, the last significant component (True:
        estimated by :func:`elbow_index`; an int: at that component index).
    xaxis_type : {"index", "number"}
        Count components from 0 ("index") or 1 ("number").
    xaxis_labeling : {None, "cardinal", "ordinal"}
        Tick labels 1, 2, 3 (cardinal, the default) or 1st, 2nd, 3rd (ordinal).
    signal_fmt, noise_fmt : dict, optional
        ``Axes.plot`` keywords of the significant and the other components.
    n_significant : int, optional
        Number of significant components (overrides ``threshold``).
    fig, ax : optional
        Draw into this figure / axes.

    Returns
    -------
    Axes
        ``ax.lines`` holds the significant points (label "signal", if any), the
        other points (label "noise", if any), then the optional lines.
    """
    if xaxis_type not in ("index", "number"):
        raise ValueError(f"xaxis_type must be 'index' or 'number', got {xaxis_type!r}")
    if xaxis_labeling not in (None, "cardinal", "ordinal"):
        raise ValueError(f"xaxis_labeling must be None, 'cardinal' or 'ordinal', "
                         f"got {xaxis_labeling!r}")
    ratio = _ratio_array(explained_variance_ratio)
    values = ratio[:n] if n is not None else ratio
    if values.size == 0:
        raise ValueError("no explained variance ratio to plot")
    x = np.arange(values.size) + (1 if xaxis_type == "number" else 0)
    n_sig, line_value = _split(values, threshold, n_significant)
    n_sig = min(max(n_sig, 0), values.size)
    if ax is None:
        ax = (fig or new_figure(figsize=(6.4, 4.4))).add_subplot()
    if n_sig:
        ax.plot(x[:n_sig], values[:n_sig], label="signal", **{**SIGNAL_FMT, **(signal_fmt or {})})
    if n_sig < values.size:
        ax.plot(x[n_sig:], values[n_sig:], label="noise", **{**NOISE_FMT, **(noise_fmt or {})})
    if log:
        ax.set_yscale("log")
    draw_hline = (line_value is not None) if hline == "auto" else bool(hline)
    if draw_hline:
        if line_value is None and 0 < n_sig < values.size:
            # between the last significant and the first noise component
            a, b = values[n_sig - 1], values[n_sig]
            line_value = float(np.sqrt(a * b)) if log and a > 0 and b > 0 else (a + b) / 2
        if line_value is not None:
            ax.axhline(line_value, **LINE_FMT)
    if vline is not False and vline is not None:
        index = elbow_index(ratio) if vline is True else int(vline)
        ax.axvline(index + (1 if xaxis_type == "number" else 0), **LINE_FMT)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if xaxis_labeling == "ordinal":
        ax.xaxis.set_major_formatter(FuncFormatter(
            lambda v, _pos: _ordinal(int(round(v))) if v >= 1 else ""))
    ax.set_xlabel("Principal component " + ("index" if xaxis_type == "index" else "number"))
    ax.set_ylabel("Proportion of variance")
    title = signal_title(explained_variance_ratio) if hasattr(
        explained_variance_ratio, "metadata") else ""
    ax.set_title(f"{title}\nScree plot" if title else "Scree plot")
    return ax


def plot_cumulative_explained_variance_ratio(ratio, n=50, ax=None):
    """Plot the cumulative explained variance ratio of the first ``n`` components.

    Returns
    -------
    Axes
    """
    values = np.cumsum(_ratio_array(ratio)[:n] if n is not None else _ratio_array(ratio))
    if values.size == 0:
        raise ValueError("no explained variance ratio to plot")
    if ax is None:
        ax = new_figure(figsize=(6.4, 4.4)).add_subplot()
    ax.plot(np.arange(values.size), values, marker="o", markersize=4)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("Principal component index")
    ax.set_ylabel("Cumulative explained variance ratio")
    ax.set_title("Cumulative explained variance ratio")
    return ax
