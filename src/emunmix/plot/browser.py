"""Browse decomposition/BSS components: factor and loading side by side.

Where the figure can react: in Jupyter with ipywidgets, a component slider;
with an interactive backend (Qt, Tk, ipympl), the arrow keys. Headless (Agg)
or with the static ``inline`` backend outside a kernel, a grid with one row
per component (factor, loading) instead.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.image import AxesImage

from .access import to_numpy
from .backend import (
    have_ipywidgets,
    in_jupyter,
    is_interactive_backend,
    is_widget_backend,
    new_figure,
)
from .blit import FastRedraw
from .components import add_extra_axis_sliders, component_image, components_of, draw_component
from .drawing import autoscale_y, panel_size
from .notebook import NotebookDisplay, close_figures

STATIC_MAX_COMPONENTS = 12  # rows of the static grid; the browsers show all
_NEXT_KEYS = {"right": 1, "up": 1, "left": -1, "down": -1}


def browser_mode() -> str:
    """"jupyter" (slider), "keys" (interactive backend) or "static" (grid)."""
    if in_jupyter() and have_ipywidgets():
        return "jupyter"
    return "keys" if is_interactive_backend() else "static"


def _pairs(factors, loadings):
    f, lo = components_of(factors), components_of(loadings)
    if len(f) != len(lo):
        raise ValueError(f"{len(f)} factors but {len(lo)} loadings: they must match")
    if not f:
        raise ValueError("no components to plot")
    return f, lo


def _set_artist(artist, component, extra_indices=None) -> None:
    """Replace the data of a component's image (at ``extra_indices`` along axes
    beyond the image's two) or line."""
    if isinstance(artist, AxesImage):
        data = component_image(component, extra_indices)
        artist.set_data(data)
        finite = data[np.isfinite(data)]
        if finite.size:
            artist.set_clim(float(finite.min()), float(finite.max()))
    else:
        data = np.real(to_numpy(component.data))
        artist.set_ydata(data)
        autoscale_y(artist.axes, data)


class ComponentsBrowser(NotebookDisplay):
    """One component at a time: its factor (left) and loading (right).

    Every component can be browsed (a full SVD offers as many as there are
    channels); each one's signals are made only when it is shown.

    Parameters
    ----------
    factors, loadings : BaseSignal
        Component stacks (one navigation axis of components).
    title : str
        Figure title prefix.
    comp_label : str
        What the component number is called ("Decomposition component index").
    index : int
        First component shown.

    Attributes
    ----------
    figure, factor_ax, loading_ax, factor_artist, loading_artist, index
    slider : ipywidgets.IntSlider or None (Jupyter only)
    """

    def __init__(self, factors, loadings, title="Decomposition",
                 comp_label="Decomposition component index", index=0, figure=None):
        self._note_creation()
        self.factors, self.loadings = _pairs(factors, loadings)
        self.title, self.comp_label = title, comp_label
        self.index = int(index) % len(self.factors)
        self.slider = self.widget = None
        self.figure = figure if figure is not None else new_figure(figsize=(10.5, 4.2))
        self.factor_ax, self.loading_ax = self.figure.subplots(1, 2)
        self.factor_artist = draw_component(self.factor_ax, self.factors[self.index],
                                            title="Factor")
        self.loading_artist = draw_component(self.loading_ax, self.loadings[self.index],
                                             cmap="gray", title="Loading")
        # loadings of data with > 2 navigation axes: sliders for the extra ones
        self._drawn = [(self.loading_artist, self.loadings[self.index])]
        self.extra_sliders = add_extra_axis_sliders(self.figure, self._drawn)
        self._set_title()
        self._redraw = FastRedraw(self.figure, [], blit=False)
        self._cid = self.figure.canvas.mpl_connect("key_press_event", self.on_key)
        self.figure._emunmix_browser = self  # matplotlib holds the key handler weakly

    @property
    def n_components(self) -> int:
        return len(self.factors)

    def _set_title(self) -> None:
        self.figure.suptitle(f"{self.title}: {self.comp_label} {self.index}"
                             f" (of {self.n_components})")

    def set_component(self, index: int) -> None:
        """Show component ``index`` (clipped to the available ones)."""
        index = min(max(int(index), 0), self.n_components - 1)
        if index == self.index:
            return
        self.index = index
        _set_artist(self.factor_artist, self.factors[index])
        _set_artist(self.loading_artist, self.loadings[index],
                    [int(sl.val) for sl in self.extra_sliders])
        self._drawn[0] = (self.loading_artist, self.loadings[index])
        self._set_title()
        if self.slider is not None and self.slider.value != index:
            self.slider.value = index
        self._redraw.redraw(full=True)

    def on_key(self, event) -> None:
        """Arrow keys: next (right/up) or previous (left/down) component."""
        step = _NEXT_KEYS.get(event.key)
        if step:
            self.set_component(self.index + step)

    def close(self) -> None:
        """Close the figure and the slider."""
        self.figure.canvas.mpl_disconnect(self._cid)
        close_figures([self.figure])
        if self.widget is not None:
            self.widget.close()
            self.slider.close()

    def __repr__(self) -> str:
        return (f"<ComponentsBrowser: {self.title}, {self.comp_label} {self.index} "
                f"of {self.n_components}>")


class ComponentsGrid(NotebookDisplay):
    """Static grid: one row per component, factor and loading side by side.

    Attributes
    ----------
    figure : Figure
    axes : array of Axes, shape (n_rows, 2)
    ids : list of int, the components shown
    """

    def __init__(self, factors, loadings, title="Decomposition",
                 comp_label="Decomposition component index",
                 max_components=STATIC_MAX_COMPONENTS):
        self._note_creation()
        f, lo = _pairs(factors, loadings)
        self.ids = list(range(min(len(f), max_components)))
        rows = len(self.ids)
        sig_axes = lo[0].axes_manager.signal_axes
        height = panel_size(*sig_axes[:2], width=3.6)[1] if len(sig_axes) >= 2 else 2.8
        self.figure = new_figure(figsize=(10.5, 0.6 + height * rows))
        self.axes = np.asarray(self.figure.subplots(rows, 2, squeeze=False))
        drawn = []
        for row, i in enumerate(self.ids):
            draw_component(self.axes[row, 0], f[i], title=f"Factor {i}")
            drawn.append((draw_component(self.axes[row, 1], lo[i], cmap="gray",
                                         title=f"Loading {i}"), lo[i]))
        self.extra_sliders = add_extra_axis_sliders(self.figure, drawn)
        shown = f"first {rows} of {len(f)} components" if rows < len(f) else (
            f"components 0 to {self.ids[-1]}")
        self.figure.suptitle(f"{title}: {shown}")

    def close(self) -> None:
        """Close the figure."""
        close_figures([self.figure])

    def __repr__(self) -> str:
        return f"<ComponentsGrid: {len(self.ids)} components>"


def _jupyter_browser(factors, loadings, title, comp_label) -> ComponentsBrowser:
    """A browser with an ipywidgets slider, displayed in the notebook.

    ipympl: the figure's canvas (a widget) goes in the box under the slider.
    inline: the figure is shown as an image in an Output area, redrawn on change.
    Other interactive backends (``%matplotlib notebook``, qt): the figure shows
    itself; the box holds the slider only.
    """
    import ipywidgets as widgets
    from IPython.display import display

    if is_widget_backend():
        with plt.ioff():  # displayed once, inside the widget box
            browser = ComponentsBrowser(factors, loadings, title=title, comp_label=comp_label)
        view = browser.figure.canvas
    else:
        browser = ComponentsBrowser(factors, loadings, title=title, comp_label=comp_label)
        view = None
    static = not is_interactive_backend()
    if static:
        view = widgets.Output()
        plt.close(browser.figure)  # shown by the Output area, not again at cell end
        with view:
            display(browser.figure)
    # the label is the slider's description, sized to its text so it is never cut
    slider = widgets.IntSlider(value=browser.index, min=0, max=browser.n_components - 1,
                               continuous_update=not static, description=comp_label,
                               style={"description_width": "initial"},
                               layout=widgets.Layout(width="min(100%, 640px)"))

    def on_change(change):
        browser.set_component(change["new"])
        if static:
            with view:
                view.clear_output(wait=True)
                display(browser.figure)

    slider.observe(on_change, names="value")
    browser.slider = slider
    browser.widget = widgets.VBox([slider, view] if view is not None else [slider])
    display(browser.widget)
    return browser


def plot_components_browser(factors, loadings, title="Decomposition",
                            comp_label="Decomposition component index"):
    """Factor and loading of each component side by side, browsable where possible.

    Parameters
    ----------
    factors, loadings : BaseSignal
        Component stacks as for :func:`plot_component_factors` and
        :func:`plot_component_loadings`.
    title : str
        Figure title ("Decomposition", "BSS").
    comp_label : str
        Slider label / component name ("Decomposition component index").

    Returns
    -------
    ComponentsBrowser or ComponentsGrid
        Both have ``.figure``. In Jupyter with ipywidgets the browser has an
        IntSlider (``.slider``); with an interactive backend the arrow keys
        change the component; headless, a grid of the components (at most
        ``STATIC_MAX_COMPONENTS`` rows).
    """
    mode = browser_mode()
    if mode == "jupyter":
        return _jupyter_browser(factors, loadings, title, comp_label)
    if mode == "keys":
        return ComponentsBrowser(factors, loadings, title=title, comp_label=comp_label)
    return ComponentsGrid(factors, loadings, title=title, comp_label=comp_label)


__all__ = ["ComponentsBrowser", "ComponentsGrid", "browser_mode", "plot_components_browser"]
