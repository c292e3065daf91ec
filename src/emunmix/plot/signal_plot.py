"""``s.plot()``: a navigator and the signal under a movable pointer.

A spectrum image opens as one figure: the navigator (summed intensity, computed
once) on the left and the spectrum at the pointer on the right. Click or drag on
the navigator, or use the arrow keys, to move the pointer; only the spectrum's
line data are replaced. Images (Signal2D) show with calibrated axes and a
colorbar; image stacks get a navigator too. Complex data show real and
imaginary parts together, so ``(s + model * 1j).plot()`` compares two signals at
the same pointer.
"""

from __future__ import annotations

import numpy as np

from .access import data_at
from .backend import new_figure
from .blit import FastRedraw
from .labels import axis_value_text, nav_axis_name, signal_title
from .navigator import NavigatorView, navigator_data, navigator_kind
from .notebook import NotebookDisplay, replace_view
from .pointer import Pointer, PointerControls
from .views import COMPLEX_PARTS, ImageView, SpectrumView

PLOT_OPTIONS = ("cmap", "colorbar", "vmin", "vmax", "navigator_kwds", "separate_figures",
                "autoscale")


def plot_signal(signal, navigator="auto", axes_manager=None, **kwargs) -> SignalPlot:
    """Plot a signal with a navigator and a pointer (what ``s.plot()`` calls).

    Parameters
    ----------
    signal : BaseSignal
        A spectrum, spectrum image, line scan, image or image stack (real or complex).
    navigator : "auto", "slider", None, BaseSignal or array
        "auto": summed-intensity image for two navigation axes, a line for one,
        sliders for more. "slider": one slider per navigation axis. None: no
        navigator (the pointer still moves with the arrow keys). A signal or
        array with the navigation shape is shown as the navigator image/line.
    axes_manager : AxesManager, optional
        Whose ``indices`` start and follow the pointer (default: the signal's).
    **kwargs
        ``cmap``, ``vmin``, ``vmax``, ``colorbar`` (bool) for images;
        ``autoscale`` (bool, refit the spectrum's y limits at each move);
        ``navigator_kwds`` (dict: ``cmap``, ``title``) for the navigator;
        ``separate_figures`` (bool: navigator and signal in two figures, as in HyperSpy).

    Returns
    -------
    SignalPlot
        ``figure``, ``figures``, ``navigator_ax``, ``signal_ax``, ``pointer``,
        ``update()``, ``close()``.

    Examples
    --------
    >>> from emunmix.datasets import CL1
    >>> p = CL1().plot()  # doctest: +SKIP
    >>> p.pointer.set_indices((30, 12))  # doctest: +SKIP
    """
    unknown = sorted(set(kwargs) - set(PLOT_OPTIONS))
    if unknown:
        raise TypeError(f"plot() got unexpected keyword argument(s) {unknown}; "
                        f"accepted: {list(PLOT_OPTIONS)}")
    am = signal.axes_manager
    if am.signal_dimension == 0 and am.navigation_dimension > 0:
        # only navigation axes (e.g. a sum over the signal): show them as the signal
        owner, signal, axes_manager = signal, signal.transpose(), None
    else:
        owner = signal
    plot = SignalPlot(signal, navigator=navigator, axes_manager=axes_manager, **kwargs)
    replace_view(owner, "plot", plot)  # as HyperSpy, plotting again replaces the plot
    return plot


class SignalPlot(NotebookDisplay):
    """An open plot of a signal: figures, axes, the pointer and its controls.

    As the value of a notebook cell it shows nothing more than its figures.

    Attributes
    ----------
    figure : Figure
        The figure holding the signal panel (and the navigator, unless
        ``separate_figures``).
    figures : list of Figure
        All figures of the plot.
    navigator_ax, signal_ax : Axes or None
        The navigator panel and the (first) signal panel; ``signal_axes`` lists
        all signal panels (two for complex images).
    navigator : NavigatorView or None
        Holds ``image``/``line``, ``marker`` and ``sliders``.
    lines : list of Line2D
        The spectrum's line(s): one, or "real" and "imag" for complex data.
    image : AxesImage or None
        The (first) signal image.
    pointer : Pointer
        Current navigation indices (natural order x, y); ``set_indices`` moves it.
    """

    def __init__(self, signal, navigator="auto", axes_manager=None, *, cmap=None,
                 colorbar=True, vmin=None, vmax=None, navigator_kwds=None,
                 separate_figures=False, autoscale=True):
        am = signal.axes_manager
        self._note_creation()
        if am.signal_dimension not in (1, 2):
            raise ValueError(
                f"plot() draws signals with one or two signal axes; this one has "
                f"{am.signal_dimension} {am._signature()}. Use as_signal1D() or "
                f"as_signal2D() to choose which axes form the signal.")
        self.signal = signal
        self.axes_manager = axes_manager if axes_manager is not None else am
        self.title = signal_title(signal)
        self.is_complex = np.iscomplexobj(signal.data)
        nav_axes = am.navigation_axes
        start = self.axes_manager.indices if len(self.axes_manager.indices) == len(
            nav_axes) else None
        self.pointer = Pointer(am.navigation_shape, start, axes_manager=self.axes_manager)
        kind = navigator_kind(signal, navigator)
        navigator_kwds = dict(navigator_kwds or {})

        n_signal_panels = 2 if (self.is_complex and am.signal_dimension == 2) else 1
        self._layout(kind, n_signal_panels, len(nav_axes), separate_figures)

        # the signal panel(s), drawn once
        values = data_at(signal, self.pointer.indices)
        self.views = []
        if am.signal_dimension == 1:
            self.views.append(SpectrumView(self.signal_axes[0], signal, values, autoscale))
        else:
            parts = COMPLEX_PARTS if self.is_complex else ((None, None),)
            for ax, (name, part) in zip(self.signal_axes, parts):
                self.views.append(ImageView(ax, signal, values, part=part, cmap=cmap,
                                            colorbar=colorbar, vmin=vmin, vmax=vmax,
                                            title=name))

        # the navigator, computed once
        self.navigator = None
        if kind is not None:
            data = navigator_data(signal, navigator) if kind != "slider" else None
            default_title = ("Navigator: summed intensity" if isinstance(navigator, str)
                             else "Navigator")
            self.navigator = NavigatorView(
                kind, self.navigator_ax if kind != "slider" else self._slider_axes, signal,
                self.pointer, data, cmap=navigator_kwds.get("cmap", "gray"),
                title=navigator_kwds.get("title", default_title))
        self._set_titles()
        self._redraws = self._fast_redraws()

        self.controls = None
        if nav_axes:
            self.controls = PointerControls(self.pointer, self.navigator_ax, nav_axes,
                                            self.figures)
            self.pointer.add_listener(self._on_pointer)
        for fig in self.figures:
            # matplotlib holds event handlers weakly: the figure keeps the plot alive
            fig._emunmix_plot = self

    # -- layout ---------------------------------------------------------------------
    def _layout(self, kind, n_signal_panels, n_nav, separate_figures) -> None:
        has_panel = kind in ("image", "line")
        n_sliders = n_nav if kind == "slider" else 0
        width = 5.0 + 4.5 * (n_signal_panels - 1) + (4.8 if has_panel else 0.0)
        if separate_figures and kind is not None:
            nav_fig = new_figure(figsize=(5.0, 4.2) if has_panel else (5.0, 0.5 + 0.4 * n_sliders))
            signal_fig = new_figure(figsize=(5.5 + 4.5 * (n_signal_panels - 1), 4.2))
            self.signal_axes = list(signal_fig.subplots(1, n_signal_panels, squeeze=False)[0])
            if has_panel:
                self.navigator_ax, self._slider_axes = nav_fig.add_subplot(), []
            else:
                self.navigator_ax = None
                self._slider_axes = list(nav_fig.subplots(n_sliders, 1, squeeze=False)[:, 0])
            self.figures = [nav_fig, signal_fig]
            self.navigator_figure, self.figure = nav_fig, signal_fig
            return
        height = 4.2 + 0.35 * n_sliders
        fig = new_figure(figsize=(width, height))
        n_cols = n_signal_panels + (1 if has_panel else 0)
        rows = 2 if n_sliders else 1
        grid = fig.add_gridspec(rows, n_cols, height_ratios=[1, 0.1 * n_sliders][:rows],
                                width_ratios=([1.0] if has_panel else []) +
                                [1.25 if kind == "image" or not has_panel else 1.6]
                                * n_signal_panels)
        col = 0
        self.navigator_ax = None
        if has_panel:
            self.navigator_ax = fig.add_subplot(grid[0, 0])
            col = 1
        self.signal_axes = [fig.add_subplot(grid[0, col + i]) for i in range(n_signal_panels)]
        self._slider_axes = []
        if n_sliders:
            sub = grid[1, :].subgridspec(n_sliders, 1)
            self._slider_axes = [fig.add_subplot(sub[i, 0]) for i in range(n_sliders)]
        self.figures = [fig]
        self.figure = fig
        self.navigator_figure = fig if kind is not None else None

    @property
    def signal_ax(self):
        """The (first) signal panel."""
        return self.signal_axes[0]

    @property
    def signal_figure(self):
        """The figure of the signal panel (same as ``figure``)."""
        return self.figure

    @property
    def lines(self):
        """The spectrum line(s) (empty for images)."""
        view = self.views[0]
        return list(view.lines) if isinstance(view, SpectrumView) else []

    @property
    def image(self):
        """The (first) signal image (None for spectra)."""
        view = self.views[0]
        return view.image if isinstance(view, ImageView) else None

    @property
    def navigator_image(self):
        """The navigator's AxesImage (None unless the navigator is an image)."""
        return self.navigator.image if self.navigator is not None else None

    def _position_text(self) -> str:
        nav_axes = self.signal.axes_manager.navigation_axes
        return ", ".join(axis_value_text(a, i, nav_axis_name(a, k)) for k, (a, i)
                         in enumerate(zip(nav_axes, self.pointer.indices)))

    def _set_titles(self) -> None:
        """The signal panel's title: the signal's title and where the pointer is."""
        text = self.title
        if self.signal.axes_manager.navigation_dimension:
            position = self._position_text()
            text = f"{self.title}: {position}" if self.title else position
        if len(self.signal_axes) > 1:  # complex images: real and imaginary panels
            text = f"{text} (real)" if text else "real"
        if text:
            self.signal_ax.set_title(text)

    def _fast_redraws(self) -> list[FastRedraw]:
        """One FastRedraw per figure, with the artists a pointer move changes."""
        moving = [self.signal_ax.title]
        for view in self.views:
            moving += view.moving_artists
        if self.navigator is not None and self.navigator.marker is not None:
            moving.append(self.navigator.marker)
        return [FastRedraw(fig, [a for a in moving if a.get_figure(root=True) is fig])
                for fig in self.figures]

    # -- updating -----------------------------------------------------------------
    def _on_pointer(self, _indices) -> None:
        self.update()

    def update(self) -> None:
        """Show the data at the current pointer (re-reads one spectrum/image only).

        Call it after changing ``signal.data`` in place, or after setting
        ``axes_manager.indices`` by hand (the pointer then moves there).
        """
        wanted = tuple(self.axes_manager.indices)
        if wanted != self.pointer.indices and len(wanted) == len(self.pointer.indices):
            if self.pointer.set_indices(wanted):  # the listener calls update() again
                return
        values = data_at(self.signal, self.pointer.indices)
        full = False
        for view in self.views:
            full = view.set_values(values) or full
        if self.navigator is not None:
            self.navigator.update(self.pointer.indices)
        self._set_titles()
        for fast in self._redraws:
            # the navigator figure never needs more than its marker blitted
            fast.redraw(full=full and fast.figure is self.figure)

    def close(self) -> None:
        """Disconnect the controls and close the figures."""
        import matplotlib.pyplot as plt

        if self.controls is not None:
            self.controls.disconnect()
        for fast in self._redraws:
            fast.disconnect()
        for fig in self.figures:
            if getattr(fig, "_emunmix_plot", None) is self:
                del fig._emunmix_plot
            plt.close(fig)

    def __repr__(self) -> str:
        return (f"<SignalPlot of {self.signal!r}, pointer at {self.pointer.indices}>"
                if self.pointer.shape else f"<SignalPlot of {self.signal!r}>")
