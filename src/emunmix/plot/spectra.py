"""``plot_spectra``: several spectra in one figure, HyperSpy's names and styles."""

from __future__ import annotations

import itertools

import matplotlib.colors as mcolors
import numpy as np
from matplotlib.ticker import MaxNLocator

from .access import as_signal_list, to_numpy
from .backend import new_figure
from .drawing import axis_values, draw_image
from .labels import axis_label, quantity_label, signal_title

STYLES = ("overlap", "cascade", "mosaic", "heatmap")


def _spectrum(item, i):
    """(x values, y values, x label, y label, title) of one spectrum or 1-D array."""
    am = getattr(item, "axes_manager", None)
    if am is None:
        y = np.asarray(item)
        if y.ndim != 1:
            raise ValueError(f"spectrum {i} is an array of shape {y.shape}; expected 1-D")
        return np.arange(y.size), y, "index", "Intensity", ""
    if am.signal_dimension != 1 or am.navigation_dimension:
        raise ValueError(
            f"spectrum {i} has dimensions {am._signature()}; plot_spectra needs single "
            "spectra (one signal axis, no navigation axes): pass a list, or one signal "
            "whose navigation axis lists the spectra")
    axis = am.signal_axes[0]
    return (axis_values(axis), np.real(to_numpy(item.data)), axis_label(axis, "Signal axis"),
            quantity_label(item), signal_title(item))


def _cycle(value, default):
    """An endless iterator over one value, a list of values, or the default cycle."""
    if value is None:
        return itertools.cycle(default)
    if isinstance(value, str) or not np.iterable(value) or (
            isinstance(value, tuple) and mcolors.is_color_like(value)):
        return itertools.repeat(value)
    return itertools.cycle(value)


def _legend_labels(legend, spectra, titles):
    if legend is None:
        return None
    if legend == "auto":
        if len(titles) > 1 and len(set(titles)) == 1:  # spectra of one stack: number them
            return [f"{titles[0]} {i}".strip() for i in range(len(titles))]
        return [t or f"Spectrum {i}" for i, t in enumerate(titles)]
    labels = [legend] if isinstance(legend, str) else list(legend)
    if len(labels) != len(spectra):
        raise ValueError(f"legend has {len(labels)} labels for {len(spectra)} spectra")
    return [str(label) for label in labels]


def enable_legend_picking(legend, lines) -> None:
    """Click a legend entry to hide/show its line (HyperSpy's ``legend_picking``)."""
    fig = legend.get_figure(root=True)
    lookup = {}
    for handle, line in zip(legend.legend_handles, lines):
        handle.set_picker(5)
        lookup[handle] = line

    def on_pick(event):
        line = lookup.get(event.artist)
        if line is None:
            return
        visible = not line.get_visible()
        line.set_visible(visible)
        event.artist.set_alpha(1.0 if visible else 0.2)
        fig.canvas.draw_idle()

    legend._emunmix_pick = on_pick  # matplotlib keeps callbacks weakly
    fig.canvas.mpl_connect("pick_event", on_pick)


def plot_spectra(spectra, style="overlap", color=None, line_style=None, padding=1.0,
                 legend=None, legend_picking=True, legend_loc="upper right", fig=None,
                 ax=None, auto_update=None, **kwargs):
    """Plot several spectra together.

    Parameters
    ----------
    spectra : list of Signal1D (or 1-D arrays), or one Signal1D with a navigation axis
        The spectra, each a single spectrum; they may have different axes
        (except for "heatmap").
    style : {"overlap", "cascade", "mosaic", "heatmap"}
        "overlap": one axes. "cascade": one axes, each spectrum shifted up by
        ``padding`` times the largest spectrum's range. "mosaic": one axes per
        spectrum, stacked. "heatmap": an image, one row per spectrum.
    color, line_style : str or list, optional
        A matplotlib colour/line style, or a list cycled over the spectra
        (default: matplotlib's colour cycle, solid lines).
    padding : float
        Spacing of "cascade" in units of the largest range.
    legend : None, "auto", str or sequence of str
        "auto" uses the spectra's titles.
    legend_picking : bool
        Click a legend entry to hide/show its spectrum (overlap and cascade).
    legend_loc : str
        Legend position.
    fig, ax : Figure / Axes, optional
        Draw into these ("mosaic" uses ``fig``; the others ``ax``).
    auto_update : None
        Accepted for HyperSpy compatibility; emunmix signals do not emit data
        events, so the plot shows the data as they were when plotted.
    **kwargs
        Passed to :meth:`~matplotlib.axes.Axes.plot` (or ``imshow`` for "heatmap").

    Returns
    -------
    Axes, or an array of Axes for "mosaic"
        ``ax.lines`` holds exactly the spectra's lines, in order.

    Examples
    --------
    >>> ax = plot_spectra([s1, s2], legend=("Std", "Normalized"))  # doctest: +SKIP
    >>> ax.set_yscale("log"); ax.lines[0].set_marker("o")  # doctest: +SKIP
    """
    if style not in STYLES:
        raise ValueError(f"style must be one of {STYLES}, got {style!r}")
    spectra = as_signal_list(spectra)
    if not spectra:
        raise ValueError("plot_spectra needs at least one spectrum")
    items = [_spectrum(s, i) for i, s in enumerate(spectra)]
    labels = _legend_labels(legend, spectra, [it[4] for it in items])
    if style == "heatmap":
        return _heatmap(spectra, items, fig, ax, **kwargs)
    colors = _cycle(color, [f"C{i}" for i in range(10)])
    styles = _cycle(line_style, ["-"])

    if style == "mosaic":
        if fig is None:
            fig = new_figure(figsize=(6.4, 1.0 + 1.8 * len(items)))
        axes = np.asarray(fig.subplots(len(items), 1, sharex=True, squeeze=False)[:, 0])
        for i, (axi, (x, y, _, ylabel, _)) in enumerate(zip(axes, items)):
            axi.plot(x, y, color=next(colors), linestyle=next(styles), **kwargs)
            axi.set_ylabel(ylabel)
            if labels is not None:
                axi.set_title(labels[i])
        axes[-1].set_xlabel(items[0][2])
        return axes

    if ax is None:
        ax = (fig or new_figure(figsize=(6.4, 4.4))).add_subplot()
    step = 0.0
    if style == "cascade":
        ranges = [np.nanmax(y) - np.nanmin(y) for _, y, *_ in items if np.size(y)]
        step = padding * max(ranges, default=1.0)
    lines = []
    for i, (x, y, *_rest) in enumerate(items):
        (line,) = ax.plot(x, y + i * step, color=next(colors), linestyle=next(styles),
                          label=labels[i] if labels is not None else None, **kwargs)
        lines.append(line)
    ax.set_xlabel(items[0][2])
    ax.set_ylabel(items[0][3] if style == "overlap" else f"{items[0][3]} (offset)")
    if labels is not None:
        leg = ax.legend(loc=legend_loc)
        if legend_picking:
            enable_legend_picking(leg, lines)
    return ax


def _heatmap(spectra, items, fig, ax, **kwargs):
    sizes = {np.size(y) for _, y, *_ in items}
    if len(sizes) != 1:
        raise ValueError(f"heatmap needs spectra of equal length, got lengths {sorted(sizes)}")
    if ax is None:
        ax = (fig or new_figure(figsize=(6.4, 4.4))).add_subplot()
    data = np.vstack([y for _, y, *_ in items])
    first = spectra[0]
    xaxis = first.axes_manager.signal_axes[0] if hasattr(first, "axes_manager") else None
    kwargs.setdefault("cmap", "viridis")
    draw_image(ax, data, xaxis, None, colorbar=True, colorbar_label=items[0][3], **kwargs)
    ax.set_aspect("auto")
    ax.set_ylabel("Spectrum index")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    if xaxis is None:
        ax.set_xlabel("index")
    return ax
