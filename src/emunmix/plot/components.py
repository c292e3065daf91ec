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
from .drawing import apply_axes_decor, axis_values, draw_image, panel_size
from .labels import axis_label, signal_title


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


def _component_grid(signal, comp_ids, *, calibrate, same_window, comp_label, per_row,
                    title, fig, cmap="gray", axes_decor="all"):
    comps = components_of(signal)
    ids = component_ids(comp_ids, len(comps))
    is_image = signal.axes_manager.signal_dimension >= 2
    panel = panel_size(*signal.axes_manager.signal_axes[:2]) if is_image else (3.8, 2.8)
    suptitle = title if title is not None else signal_title(signal)

    def panel_title(i):
        return f"{comp_label} {i}"

    if not same_window:
        figures = []
        for i in ids:
            f = new_figure(figsize=(panel[0] + 0.6, panel[1] + 0.4))
            ax = f.add_subplot()
            artist = draw_component(ax, comps[i], calibrate=calibrate, cmap=cmap,
                                    axes_decor=axes_decor, title=panel_title(i))
            add_extra_axis_sliders(f, [(artist, comps[i])])
            if suptitle:
                f.suptitle(suptitle)
            figures.append(f)
        return figures

    per_row = max(1, min(int(per_row), len(ids)))
    rows = math.ceil(len(ids) / per_row)
    if fig is None:
        fig = new_figure(figsize=(panel[0] * per_row + 0.4, panel[1] * rows + 0.6))
    grid = fig.add_gridspec(rows, per_row)
    drawn = []
    for k, i in enumerate(ids):
        ax = fig.add_subplot(grid[k // per_row, k % per_row])
        drawn.append((draw_component(ax, comps[i], calibrate=calibrate, cmap=cmap,
                                     axes_decor=axes_decor, title=panel_title(i)), comps[i]))
    add_extra_axis_sliders(fig, drawn)
    if suptitle:
        fig.suptitle(suptitle)
    return fig


def plot_component_loadings(loadings, comp_ids=None, calibrate=True, same_window=True,
                            comp_label=None, cmap="gray", per_row=3, axes_decor="all",
                            title=None, fig=None):
    """Plot component loadings: maps (images) or, for line scans, profiles.

    Parameters
    ----------
    loadings : BaseSignal
        Navigation axis: the components. Signal axes: the original navigation
        axes (a Signal2D stack for maps, a Signal1D for line scans).
    comp_ids : None, int or list of int
        All components, the first n, or those listed.
    calibrate : bool
        Calibrated axes (units) or pixel indices.
    same_window : bool
        One figure with a grid (``per_row`` per row), or one figure per component.
    comp_label : str, optional
        Panel title prefix (default "Loading"): "Loading 0", "Loading 1"...
    cmap : str
        Colormap of the maps.
    per_row : int
    axes_decor : {"all", "ticks", "off", None}
    title : str, optional
        Figure title (default: the loadings' title).
    fig : Figure, optional
        Draw the grid into this figure (``same_window`` only).

    Returns
    -------
    Figure, or a list of Figure when ``same_window`` is False
    """
    return _component_grid(loadings, comp_ids, calibrate=calibrate, same_window=same_window,
                           comp_label=comp_label or "Loading", per_row=per_row, title=title,
                           fig=fig, cmap=cmap, axes_decor=axes_decor)


def plot_component_factors(factors, comp_ids=None, calibrate=True, same_window=True,
                           comp_label=None, per_row=3, title=None, fig=None):
    """Plot component factors (spectra; images for image decompositions).

    Parameters are those of :func:`plot_component_loadings`; ``factors`` has one
    navigation axis of components and the original signal axis. Default panel
    titles: "Factor 0", "Factor 1"...

    Returns
    -------
    Figure, or a list of Figure when ``same_window`` is False
    """
    return _component_grid(factors, comp_ids, calibrate=calibrate, same_window=same_window,
                           comp_label=comp_label or "Factor", per_row=per_row, title=title,
                           fig=fig)
