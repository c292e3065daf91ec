"""Grids of decomposition/BSS components: loadings (maps) and factors (spectra).

These functions read the component signals the learning layer builds: their one
navigation axis indexes the components, their signal axes carry the original
calibration (navigation axes for loadings, the spectral axis for factors).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

import numpy as np

from .access import to_numpy
from .backend import new_figure
from .drawing import apply_axes_decor, axis_values, draw_image
from .labels import axis_label, signal_title
from .spectra import enable_legend_picking


def component_ids(comp_ids, n_components: int) -> list[int]:
    """HyperSpy's ``comp_ids``: None (all), an int n (the first n) or a list of indices.

    Examples
    --------
    >>> component_ids(None, 3), component_ids(2, 5), component_ids([4, 0], 5)
    ([0, 1, 2], [0, 1], [4, 0])
    """
    if comp_ids is None:
        return list(range(n_components))
    if isinstance(comp_ids, numbers.Integral) and not isinstance(comp_ids, bool):
        if comp_ids < 1:
            raise ValueError(f"comp_ids={comp_ids}: ask for at least one component")
        return list(range(min(int(comp_ids), n_components)))
    ids = [int(i) for i in comp_ids]
    bad = [i for i in ids if not -n_components <= i < n_components]
    if bad:
        raise IndexError(f"component(s) {bad} out of range: there are {n_components} "
                         f"components (0 to {n_components - 1})")
    return [i % n_components for i in ids]


class LazyComponents(Sequence):
    """``n`` components, each made by ``make(i)`` (a signal) only when it is shown.

    What the results browsers get for a decomposition whose later components are
    deferred: browsing to one computes them then, not when the browser opens.
    """

    def __init__(self, n: int, make):
        self._n, self._make = int(n), make

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self._n))]
        i = int(i)
        if not -self._n <= i < self._n:
            raise IndexError(f"component {i} out of range (0 to {self._n - 1})")
        return self._make(i % self._n)


class ComponentList(LazyComponents):
    """The components of a stack, one signal each, made only when asked for.

    A full SVD has as many components as channels; browsing them must not build
    a thousand signals up front.
    """

    def __init__(self, stack):
        super().__init__(stack.data.shape[0], lambda i: stack.inav[i])
        self.stack = stack


def components_of(signal):
    """One signal per component (the navigation axis of ``signal`` indexes them); a
    :class:`LazyComponents` or a list is taken as it is.

    Loadings of data with more than two navigation axes have more than two signal
    axes: they are drawn as images of the first two, with a slider for the others.
    """
    if isinstance(signal, (LazyComponents, list, tuple)):
        return signal
    am = signal.axes_manager
    if am.navigation_dimension > 1 or am.signal_dimension < 1:
        raise ValueError(
            f"component signals need one navigation axis (the components) and at least "
            f"one signal axis; got {am._signature()}")
    return ComponentList(signal) if am.navigation_dimension else [signal]


def extra_axes(component) -> tuple:
    """Signal axes beyond the two an image shows (natural order)."""
    return tuple(component.axes_manager.signal_axes[2:])


def component_image(component, extra_indices=None) -> np.ndarray:
    """The 2-D image of a component at ``extra_indices`` along its extra axes."""
    data = np.real(to_numpy(component.data))
    n_extra = len(extra_axes(component))
    if not n_extra:
        return data
    indices = list(extra_indices or [0] * n_extra)
    # array order is reversed natural order: the extra axes lead the array
    return data[tuple(reversed(indices))]


def add_extra_axis_sliders(fig, drawn) -> list:
    """Sliders under ``fig`` for the extra axes of the components in ``drawn``.

    ``drawn`` holds (AxesImage, component) pairs sharing the same extra axes; moving a
    slider redraws every image there (HyperSpy's navigator for extra dimensions).
    """
    from matplotlib.widgets import Slider

    if not drawn or not extra_axes(drawn[0][1]):
        return []
    axes = extra_axes(drawn[0][1])
    sliders = []
    bottom = 0.06 + 0.05 * len(axes)
    engine = fig.get_layout_engine()
    if engine is not None and "rect" in getattr(engine, "_params", {}):
        engine.set(rect=(0, bottom, 1, 1 - bottom))  # constrained layout: leave room
    else:
        fig.subplots_adjust(bottom=bottom + 0.04)

    def update(_value=None):
        indices = [int(sl.val) for sl in sliders]
        for artist, component in drawn:
            artist.set_data(component_image(component, indices))
        fig.canvas.draw_idle()

    for k, axis in enumerate(axes):
        slider_ax = fig.add_axes([0.2, 0.02 + 0.05 * k, 0.6, 0.03])
        slider = Slider(slider_ax, axis_label(axis, f"axis {k + 2}"), 0, axis.size - 1,
                        valinit=0, valstep=1, valfmt="%d")
        slider.on_changed(update)
        sliders.append(slider)
    fig._emunmix_extra_sliders = sliders  # widgets are held weakly by matplotlib
    return sliders


def draw_component(ax, component, *, calibrate=True, cmap="gray", axes_decor="all",
                   title=None, colorbar=True, color="C0"):
    """Draw one component: an image for two signal axes, a line for one.

    Returns the AxesImage or the Line2D.
    """
    am = component.axes_manager
    data = np.real(to_numpy(component.data))
    if am.signal_dimension >= 2:
        x, y = am.signal_axes[:2]
        artist, _ = draw_image(ax, component_image(component), x, y, cmap=cmap,
                               colorbar=colorbar,
                               calibrate=calibrate, axes_decor=axes_decor, title=title)
        return artist
    if am.signal_dimension != 1:
        raise ValueError(f"cannot draw a component with dimensions {am._signature()}")
    axis = am.signal_axes[0]
    (artist,) = ax.plot(axis_values(axis, calibrate), data, color=color)
    ax.set_xlabel(axis_label(axis, "Signal axis", calibrate))
    if title:
        ax.set_title(title)
    apply_axes_decor(ax, axes_decor)
    return artist


def _units_text(axis, fallback: str) -> str:
    """HyperSpy's axis label of a component plot: the units (the name, or
    ``fallback``, where the axis has none)."""
    for text in (axis.units, axis.name):
        if text not in (None, "", "<undefined>"):
            return str(text)
    return fallback


def _line_data(component, no_nans):
    data = np.real(to_numpy(component.data))
    return np.nan_to_num(data) if no_nans else data


def _draw_line(ax, component, i, *, kind, calibrate, no_nans):
    """One 1-D component as HyperSpy draws it: factors as lines, loadings as steps,
    labelled with the component number, x labelled in units."""
    axis = component.axes_manager.signal_axes[0]
    x = axis_values(axis, calibrate)
    draw = ax.step if kind == "loadings" else ax.plot
    (line,) = draw(x, _line_data(component, no_nans), label=f"{i}")
    if kind == "loadings":
        ax.set_xlabel(_units_text(axis, "depth") if calibrate else "depth")
        ax.set_ylabel("Score (a. u.)")
    else:
        ax.set_xlabel(_units_text(axis, "Channel index") if calibrate else "Channel index")
    return line


def _draw_image_panel(ax, component, *, kind, calibrate, cmap, axes_decor, no_nans, title):
    """One 2-D component as HyperSpy draws it: the image, then its colour bar in axes of
    its own appended to the right (so ``fig.axes`` alternates image, colour bar)."""
    from mpl_toolkits.axes_grid1 import make_axes_locatable

    x, y = component.axes_manager.signal_axes[:2]
    data = component_image(component)
    if no_nans:
        data = np.nan_to_num(data)
    image, _ = draw_image(ax, data, x, y, cmap=cmap, colorbar=False, calibrate=calibrate,
                          axes_decor=axes_decor, title=title)
    if kind == "loadings" and axes_decor == "all":
        ax.set_xlabel(_units_text(x, "pixels") if calibrate else "pixels")
        ax.set_ylabel(_units_text(y, "pixels") if calibrate else "pixels")
    else:  # HyperSpy labels factor images' axes with ticks only
        ax.set_xlabel("")
        ax.set_ylabel("")
    cax = make_axes_locatable(ax).append_axes("right", size="5%", pad=0.05)
    ax.figure.colorbar(image, cax=cax)
    return image


def _tight(fig) -> None:
    try:
        fig.tight_layout()
    except Exception:  # noqa: BLE001 - HyperSpy ignores layouts that cannot be made
        pass


def _component_grid(signal, comp_ids, *, calibrate, same_window, per_row, title, fig,
                    kind, cmap="gray", axes_decor="all", no_nans=False):
    """HyperSpy 2.5's figures of learning results (``_plot_factors_or_pchars`` and
    ``_plot_loadings``).

    1-D components, one window: one axes, one line per component labelled with its
    number, a legend (click an entry to hide its line), the title on the axes.
    2-D components, one window: a grid of ``per_row`` images per row titled with
    their numbers, each followed in ``fig.axes`` by its colour-bar axes; the title
    is the figure's. ``same_window=False``: one figure per component.
    """
    comps = components_of(signal)
    ids = component_ids(comp_ids, len(comps))
    is_image = signal.axes_manager.signal_dimension >= 2
    title = title if title is not None else signal_title(signal)

    if not is_image:
        if not same_window:
            figures = []
            for i in ids:
                f = new_figure(layout=None)
                ax = f.add_subplot()
                _draw_line(ax, comps[i], i, kind=kind, calibrate=calibrate, no_nans=no_nans)
                ax.set_title(f"{title} #{i}" if kind == "loadings" else title)
                _tight(f)
                figures.append(f)
            return figures
        if fig is None:
            fig = new_figure(layout=None)
        ax = fig.add_subplot()
        lines = [_draw_line(ax, comps[i], i, kind=kind, calibrate=calibrate,
                            no_nans=no_nans) for i in ids]
        ax.set_title(title)
        legend = ax.legend(ncol=max(1, len(comps) // 2), loc="best")
        enable_legend_picking(legend, lines)
        _tight(fig)
        return fig

    def panel(ax, i, panel_title):
        return _draw_image_panel(ax, comps[i], kind=kind, calibrate=calibrate, cmap=cmap,
                                 axes_decor=axes_decor, no_nans=no_nans, title=panel_title)

    if not same_window:
        figures = []
        for i in ids:
            f = new_figure(layout=None)
            ax = f.add_subplot()
            artist = panel(ax, i, f"{title} #{i}" if kind == "loadings" else f"{i}")
            add_extra_axis_sliders(f, [(artist, comps[i])])
            _tight(f)
            figures.append(f)
        return figures

    per_row = max(1, min(int(per_row), len(ids)))
    rows = math.ceil(len(ids) / per_row)
    if fig is None:
        fig = new_figure(figsize=(4 * per_row, 3 * rows), layout=None)
    drawn = []
    for k, i in enumerate(ids):
        ax = fig.add_subplot(rows, per_row, k + 1)
        drawn.append((panel(ax, i, f"{i}"), comps[i]))
    if title:
        fig.suptitle(title)
    _tight(fig)
    add_extra_axis_sliders(fig, drawn)
    return fig


_GRID_DOC = """
    Parameters
    ----------
    {what} : BaseSignal
        Navigation axis: the components. Signal axes: {axes}.
    comp_ids : None, int or list of int
        All components, the first n, or those listed.
    calibrate : bool
        Calibrated axes (units) or pixel/channel indices.
    same_window : bool
        One figure for all, or one figure per component.
    comp_label : str, optional
        Older name of ``title`` (HyperSpy 1.x); ``title`` wins when both are given.
    cmap : str
        Colormap of images.
    per_row : int
        Images per row (2-D components in one window).
    axes_decor : {{"all", "ticks", "off", None}}
        Decorations of images.
    title : str, optional
        The title (default: the stack's title): the axes' title for 1-D
        components in one window, the figure's for images.
    fig : Figure, optional
        Draw into this figure (``same_window`` only).
    no_nans : bool
        Draw NaNs (masked pixels) as zeros.

    Returns
    -------
    Figure, or a list of Figure when ``same_window`` is False
        The layout is HyperSpy 2.5's: 1-D components share one axes (one line
        each, labelled ``"0"``, ``"1"``... in the legend); images fill a grid with
        ``fig.axes`` alternating image and colour-bar axes.
"""


def plot_component_loadings(loadings, comp_ids=None, calibrate=True, same_window=True,
                            comp_label=None, cmap="gray", per_row=3, axes_decor="all",
                            title=None, fig=None, no_nans=False):
    """Plot component loadings: maps (images) or, for line scans, step profiles.
    """
    return _component_grid(loadings, comp_ids, calibrate=calibrate, same_window=same_window,
                           per_row=per_row, title=title if title is not None else comp_label,
                           fig=fig, kind="loadings", cmap=cmap, axes_decor=axes_decor,
                           no_nans=no_nans)


def plot_component_factors(factors, comp_ids=None, calibrate=True, same_window=True,
                           comp_label=None, per_row=3, title=None, fig=None, cmap="gray",
                           axes_decor="all", no_nans=False):
    """Plot component factors: spectra (lines), or images for image decompositions.
    """
    return _component_grid(factors, comp_ids, calibrate=calibrate, same_window=same_window,
                           per_row=per_row, title=title if title is not None else comp_label,
                           fig=fig, kind="factors", cmap=cmap, axes_decor=axes_decor,
                           no_nans=no_nans)


plot_component_loadings.__doc__ += _GRID_DOC.format(
    what="loadings", axes="the original navigation axes (a Signal2D stack for maps, a "
    "Signal1D for line scans)")
plot_component_factors.__doc__ += _GRID_DOC.format(
    what="factors", axes="the original signal axes")
