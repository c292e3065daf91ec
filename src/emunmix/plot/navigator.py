"""The navigator: where the pointer is, over a summary of the navigation space.

Two navigation axes: an image (by default the summed intensity of each pixel)
with a one-pixel square marker. One: a line with a vertical marker. More, or
``navigator="slider"``: one slider per navigation axis. The summary is computed
once when the plot opens; moving the pointer only moves the marker.
"""

from __future__ import annotations

import numpy as np
from matplotlib.patches import Rectangle
from matplotlib.widgets import Slider

from .access import to_numpy
from .backend import is_interactive_backend
from .drawing import draw_image
from .labels import axis_label, nav_axis_name

NAVIGATOR_CHOICES = ("auto", "slider", None)
MARKER_COLOR = "red"


def navigator_kind(signal, navigator) -> str | None:
    """``"image"``, ``"line"``, ``"slider"`` or None (no navigator) for this signal."""
    n_nav = signal.axes_manager.navigation_dimension
    if n_nav == 0 or navigator is None:
        return None
    if isinstance(navigator, str):
        if navigator not in ("auto", "slider"):
            raise ValueError(
                f"navigator must be 'auto', 'slider', None, a signal or an array, "
                f"not {navigator!r}")
        if navigator == "slider" or n_nav > 2:
            return "slider"
    return "image" if n_nav == 2 else "line"


def navigator_data(signal, navigator="auto") -> np.ndarray:
    """The navigator array, in array order (..., y, x).

    ``"auto"`` sums each navigation position over the signal axes (the real part
    for complex data). A signal or array whose shape equals the navigation
    shape is used as given.
    """
    am = signal.axes_manager
    nav_shape = tuple(signal.data.shape[: am.navigation_dimension])
    if isinstance(navigator, str):
        data = signal.data
        if np.iscomplexobj(data):
            data = data.real
        sig_axes = tuple(range(am.navigation_dimension, data.ndim))
        return to_numpy(data.sum(axis=sig_axes))
    values = to_numpy(getattr(navigator, "data", navigator))
    if values.shape != nav_shape:
        raise ValueError(
            f"navigator of shape {values.shape} does not match the navigation shape "
            f"{nav_shape} (array order) of the signal {am._signature()}")
    return np.real(values)


class NavigatorView:
    """Draw the navigator and keep its marker on the pointer.

    Parameters
    ----------
    kind : {"image", "line", "slider"}
    ax : Axes for "image"/"line"; for "slider", a list of one Axes per navigation axis.
    signal : BaseSignal
    pointer : Pointer
    data : array or None
        Navigator values (not needed for sliders).
    cmap : str
        Colormap of the navigator image.
    title : str
        Title of the navigator panel.
    """

    def __init__(self, kind, ax, signal, pointer, data=None, cmap="gray",
                 title="Navigator"):
        self.kind = kind
        self.pointer = pointer
        self.nav_axes = signal.axes_manager.navigation_axes
        self.ax = ax if kind != "slider" else None
        self.image = self.line = self.marker = None
        self.sliders: list[Slider] = []
        self._updating = False
        if kind == "image":
            self.image, _ = draw_image(ax, data, *self.nav_axes[:2],
                                       cmap=cmap, colorbar=False, title=title)
            x, y = self.nav_axes
            self.marker = Rectangle((0, 0), 1.0, 1.0, fill=False,
                                    edgecolor=MARKER_COLOR, linewidth=2, zorder=5)
            ax.add_patch(self.marker)
        elif kind == "line":
            axis = self.nav_axes[0]
            (self.line,) = ax.plot(axis.axis, data, color="0.25")
            self.marker = ax.axvline(float(axis.index2value(0)), color=MARKER_COLOR,
                                     linewidth=1.5)
            ax.set_xlabel(axis_label(axis, nav_axis_name(axis, 0)))
            ax.set_ylabel("Summed intensity" if data is not None else "")
            ax.set_title(title)
            if axis.size > 1:
                ax.set_xlim(axis.low_value, axis.high_value)
        elif kind == "slider":
            for k, (slider_ax, axis, i) in enumerate(zip(ax, self.nav_axes, pointer.indices)):
                slider = Slider(slider_ax, axis_label(axis, nav_axis_name(axis, k)), 0,
                                axis.size - 1,
                                valinit=i, valstep=1, valfmt="%d")
                slider.drawon = is_interactive_backend()  # static: drawn when saved
                slider.on_changed(self._on_slider)
                self.sliders.append(slider)
        self.update(pointer.indices)

    def _on_slider(self, _value) -> None:
        if self._updating:  # the slider moved because the pointer did
            return
        self.pointer.set_indices([int(s.val) for s in self.sliders])

    def update(self, indices) -> None:
        """Put the marker (or the sliders) at ``indices`` (natural order)."""
        if self.kind == "image":
            # the pixel's edges: half-way to its neighbours (any axis spacing)
            (x0, x1), (y0, y1) = (_pixel_edges(a, i) for a, i in zip(self.nav_axes, indices))
            self.marker.set_xy((x0, y0))
            self.marker.set_width(x1 - x0)
            self.marker.set_height(y1 - y0)
        elif self.kind == "line":
            value = float(self.nav_axes[0].index2value(indices[0]))
            self.marker.set_xdata([value, value])
        elif self.kind == "slider":
            self._updating = True
            try:
                for slider, i in zip(self.sliders, indices):
                    if int(slider.val) != i:
                        slider.set_val(i)
            finally:
                self._updating = False


def _pixel_edges(axis, index: int) -> tuple[float, float]:
    """Edges of pixel ``index`` along ``axis``: half-way to its neighbours."""
    values = np.asarray(axis.axis, dtype=float)
    if values.size == 1:
        step = axis.scale if getattr(axis, "is_uniform", True) and axis.scale else 1.0
        return values[0] - step / 2, values[0] + step / 2
    lo = values[index] - (values[index] - values[index - 1]) / 2 if index else \
        values[0] - (values[1] - values[0]) / 2
    hi = values[index] + (values[index + 1] - values[index]) / 2 if index < values.size - 1 \
        else values[-1] + (values[-1] - values[-2]) / 2
    return lo, hi
