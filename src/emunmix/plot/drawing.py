"""Drawing primitives shared by every plot: calibrated images and spectrum lines."""

from __future__ import annotations

import numpy as np

from .labels import axis_label

AXES_DECOR = ("all", "ticks", "off", None)


def axis_values(axis, calibrate: bool = True) -> np.ndarray:
    """The x values of a spectrum: calibrated coordinates, or channel indices."""
    return axis.axis if calibrate else np.arange(axis.size)


def image_extent(xaxis, yaxis, calibrate: bool = True,
                 shape: tuple[int, int] | None = None) -> tuple[float, float, float, float]:
    """``imshow`` extent (left, right, bottom, top) so pixel centres sit on the axis values.

    An axis given as None counts pixels; ``shape`` (rows, columns) gives its size.
    """
    def edges(axis, n):
        if axis is None or not calibrate:
            return -0.5, n - 0.5
        first, last = (float(v) for v in axis.index2value([0, axis.size - 1]))
        step = _mean_step(axis)
        return first - step / 2, last + step / 2

    rows, cols = shape if shape is not None else (
        yaxis.size if yaxis is not None else 1, xaxis.size if xaxis is not None else 1)
    left, right = edges(xaxis, xaxis.size if xaxis is not None else cols)
    top, bottom = edges(yaxis, yaxis.size if yaxis is not None else rows)
    return left, right, bottom, top


def _mean_step(axis) -> float:
    """The scale of a uniform axis; the mean spacing of one given by its values."""
    if getattr(axis, "is_uniform", True):
        return axis.scale
    values = axis.axis
    return float((values[-1] - values[0]) / (values.size - 1)) if values.size > 1 else 1.0


def panel_size(xaxis, yaxis, width: float = 3.2) -> tuple[float, float]:
    """Inches (width, height) of a grid cell for an image, room for title and labels included.

    The height follows the image's aspect so grids of wide or tall maps have no
    large empty bands.
    """
    ratio = 1.0
    if xaxis is not None and yaxis is not None and image_aspect(xaxis, yaxis) == "equal":
        ratio = (yaxis.size * abs(_mean_step(yaxis))) / (xaxis.size * abs(_mean_step(xaxis)))
    return width + 0.9, width * min(max(ratio, 0.3), 2.0) + 0.9


def image_aspect(xaxis, yaxis, calibrate: bool = True) -> str:
    """``"equal"`` when both axes share units (true shapes), else ``"auto"``.

    Very elongated images (a line of pixels) also get ``"auto"`` so they stay visible.
    """
    if xaxis is None or yaxis is None:
        return "auto"
    if calibrate and xaxis.units != yaxis.units:
        return "auto"
    sx = abs(_mean_step(xaxis)) if calibrate else 1.0
    sy = abs(_mean_step(yaxis)) if calibrate else 1.0
    ratio = (xaxis.size * sx) / (yaxis.size * sy)
    return "equal" if 0.1 <= ratio <= 10 else "auto"


def apply_axes_decor(ax, axes_decor="all") -> None:
    """HyperSpy's ``axes_decor``: "all" (ticks and labels), "ticks", "off"; None as "all"."""
    if axes_decor not in AXES_DECOR:
        raise ValueError(f"axes_decor must be one of {AXES_DECOR}, got {axes_decor!r}")
    if axes_decor == "ticks":
        ax.set_xlabel("")
        ax.set_ylabel("")
    elif axes_decor == "off":
        ax.set_axis_off()


def draw_image(ax, data, xaxis=None, yaxis=None, *, cmap=None, colorbar=True,
               calibrate=True, axes_decor="all", title=None, colorbar_label=None,
               **imshow_kwargs):
    """Draw a 2-D array as a calibrated image, with axis labels in units and a colorbar.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    data : 2-D array, array order (y, x)
    xaxis, yaxis : DataAxis, optional
        Calibration of the columns and rows; None labels pixels.
    cmap, colorbar, calibrate, axes_decor, title, colorbar_label
        As their names say; ``colorbar`` is a bool.
    **imshow_kwargs
        Passed to :meth:`~matplotlib.axes.Axes.imshow` (``vmin``, ``vmax``, ``norm``...).

    Returns
    -------
    (matplotlib.image.AxesImage, matplotlib.colorbar.Colorbar or None)
    """
    data = np.asarray(data)
    if data.ndim != 2:
        raise ValueError(f"an image needs 2-D data, got shape {data.shape}")
    imshow_kwargs.setdefault("interpolation", "nearest")
    image = ax.imshow(data, cmap=cmap, origin="upper",
                      extent=image_extent(xaxis, yaxis, calibrate, data.shape),
                      aspect=image_aspect(xaxis, yaxis, calibrate), **imshow_kwargs)
    ax.set_xlabel(axis_label(xaxis, "x", calibrate) if xaxis is not None else "x (pixel)")
    ax.set_ylabel(axis_label(yaxis, "y", calibrate) if yaxis is not None else "y (pixel)")
    if title is not None:
        ax.set_title(title)
    cbar = None
    if colorbar and axes_decor != "off":
        # an inset follows the image's drawn box, so the bar is exactly as tall as it
        cax = ax.inset_axes([1.04, 0.0, 0.05, 1.0])
        cbar = ax.figure.colorbar(image, cax=cax)
        if colorbar_label:
            cbar.set_label(colorbar_label)
    apply_axes_decor(ax, axes_decor)
    return image, cbar


def data_range(*arrays) -> tuple[float, float] | None:
    """Smallest and largest finite value over the arrays (None if there is none)."""
    lo = hi = None
    for a in arrays:
        a = np.asarray(a)
        if not np.all(np.isfinite(a)):
            a = a[np.isfinite(a)]
        if a.size:
            amin, amax = float(a.min()), float(a.max())
            lo = amin if lo is None else min(lo, amin)
            hi = amax if hi is None else max(hi, amax)
    return None if lo is None else (lo, hi)


def autoscale_y(ax, *arrays, margin: float = 0.05, keep_fraction: float = 0.0) -> bool:
    """Fit the y limits to the arrays (finite values); return whether they changed.

    With ``keep_fraction`` > 0 the limits are kept while the data stay inside
    them and fill at least that fraction of the span, so a pointer moving over
    similar spectra redraws only the line, not the axes (see :mod:`.blit`).
    """
    if ax.get_yscale() != "linear":
        return False  # matplotlib's own autoscaling handles log axes
    span = data_range(*arrays)
    if span is None:
        return False
    lo, hi = span
    a, b = sorted(ax.get_ylim())
    if keep_fraction and a <= lo and hi <= b and (hi - lo) >= keep_fraction * (b - a):
        return False
    pad = (hi - lo) * margin or (abs(hi) * margin or 1.0)
    ax.set_ylim(lo - pad, hi + pad)
    return True
