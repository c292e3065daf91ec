"""``Signal2D``: signals with two signal axes (images, image stacks)."""

from __future__ import annotations

from .base import BaseSignal
from .types import register_signal_class


class Signal2D(BaseSignal):
    """A signal with two signal axes: an image or a stack of images."""

    _signal_dimension = 2

    def crop_signal(self, top=None, bottom=None, left=None, right=None) -> None:
        """Crop the image in place, as HyperSpy's ``Signal2D.crop_signal``.

        Parameters
        ----------
        top, bottom : int, float or None
            Range of the vertical (second) signal axis: ints are pixel indices, floats
            calibrated values; None keeps that end.
        left, right : int, float or None
            Range of the horizontal (first) signal axis, likewise.
        """
        x, y = self.axes_manager.signal_axes
        for ax, start, end in ((y, top, bottom), (x, left, right)):  # check both first
            lo, hi, _ = ax._slice(slice(start, end)).indices(ax.size)
            if hi <= lo:
                raise ValueError(f"crop of axis {ax.name!r} from {start} to {end} is "
                                 "empty: give start < end within the axis")
        self.crop(y, top, bottom)
        self.crop(x, left, right)

    def to_signal1D(self, optimize: bool = True):
        """The image stack as spectra: the first navigation axis becomes the signal
        axis (HyperSpy's rule; a DM spectrum image is read as an energy stack of maps).
        """
        am = self.axes_manager
        if not am.navigation_dimension:
            raise ValueError(
                f"to_signal1D needs a navigation axis to turn into the spectral axis; "
                f"this signal has none {am._signature()}"
            )
        return self.as_signal1D(am.navigation_axes[0], optimize=optimize)


register_signal_class(Signal2D, "", 2, False)
