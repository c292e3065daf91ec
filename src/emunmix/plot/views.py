"""The signal panel of a pointer plot: a spectrum (lines) or an image at the pointer.

A view is drawn once and afterwards only has its data replaced
(``Line2D.set_ydata`` / ``AxesImage.set_data``), so a pointer move costs one
spectrum or image.
"""

from __future__ import annotations

import numpy as np

from .drawing import autoscale_y, axis_values, draw_image
from .labels import axis_label, quantity_label

COMPLEX_PARTS = (("real", np.real), ("imag", np.imag))
KEEP_FRACTION = 0.6


class SpectrumView:
    """One spectrum as a line; a complex one as two lines ("real", "imag") with a legend.

    Parameters
    ----------
    ax : matplotlib Axes
    signal : BaseSignal with one signal axis
    values : 1-D array, the spectrum to show first
    autoscale : bool
        Refit the y limits to each new spectrum, over the part of it inside the
        current x limits (a zoom into an edge stays on the edge, as in
        HyperSpy); they are kept while that part stays inside them and fills at
        least ``KEEP_FRACTION`` of them, so most moves redraw the line only.
    """

    def __init__(self, ax, signal, values, autoscale=True):
        self.ax = ax
        self.autoscale = autoscale
        self.is_complex = np.iscomplexobj(signal.data)
        axis = signal.axes_manager.signal_axes[0]
        x = axis_values(axis)
        if self.is_complex:
            self.lines = [ax.plot(x, part(values), label=name, color=f"C{i}", lw=1)[0]
                          for i, (name, part) in enumerate(COMPLEX_PARTS)]
            ax.legend(loc="upper right")
        else:
            self.lines = [ax.plot(x, values, color="C0", lw=1)[0]]
        self.x = np.asarray(x, dtype=float)
        ax.set_xlabel(axis_label(axis, "Signal axis"))
        ax.set_ylabel(quantity_label(signal))
        if axis.size > 1:
            ax.set_xlim(axis.low_value, axis.high_value)
        if self.autoscale:
            autoscale_y(ax, *self._parts(values))

    @property
    def moving_artists(self) -> list:
        """What changes at a pointer move: the lines."""
        return list(self.lines)

    def _parts(self, values) -> list:
        return [part(values) for _, part in COMPLEX_PARTS] if self.is_complex else [values]

    def visible(self, array) -> np.ndarray:
        """The values of ``array`` inside the current x limits (one more each side)."""
        lo, hi = sorted(self.ax.get_xbound())
        inside = np.flatnonzero((self.x >= lo) & (self.x <= hi))
        if inside.size == 0:
            return np.asarray(array)
        a, b = max(inside[0] - 1, 0), min(inside[-1] + 2, self.x.size)
        return np.asarray(array)[a:b]

    def set_values(self, values) -> bool:
        """Show a new spectrum (same length); True if the y limits changed."""
        parts = self._parts(values)
        for line, part in zip(self.lines, parts):
            line.set_ydata(part)
        if self.autoscale:
            return autoscale_y(self.ax, *[self.visible(p) for p in parts],
                               keep_fraction=KEEP_FRACTION)
        return False


class ImageView:
    """One image with calibrated axes and a colorbar.

    Colour limits follow each new image unless ``vmin``/``vmax`` are given.
    """

    def __init__(self, ax, signal, values, part=None, cmap=None, colorbar=True,
                 vmin=None, vmax=None, title=None):
        self.ax = ax
        self.part = part
        self.fixed = (vmin, vmax)
        x, y = signal.axes_manager.signal_axes[:2]
        self.image, self.colorbar = draw_image(
            ax, self._values(values), x, y, cmap=cmap, colorbar=colorbar, title=title,
            vmin=vmin, vmax=vmax)

    def _values(self, values):
        return self.part(values) if self.part is not None else np.asarray(values)

    @property
    def moving_artists(self) -> list:
        """Images change their colour limits too, so they are redrawn in full."""
        return []

    def set_values(self, values) -> bool:
        """Show a new image (same shape); True: the colour limits changed."""
        values = self._values(values)
        self.image.set_data(values)
        finite = values[np.isfinite(values)]
        if finite.size:
            vmin = self.fixed[0] if self.fixed[0] is not None else float(finite.min())
            vmax = self.fixed[1] if self.fixed[1] is not None else float(finite.max())
            self.image.set_clim(vmin, vmax)
        return True
