"""``Signal1D``: signals with one signal axis (spectra, spectrum images).

The 1-D processing methods live in their own modules and are mixed in here:
:mod:`.shifting` (``shift1D``, ``estimate_shift1D``, ``align1D``) and
:mod:`.spikes` (``find_spikes``, ``spikes_removal_tool``, ``remove_spikes``).
"""

from __future__ import annotations

from .base import BaseSignal
from .shifting import ShiftingMixin
from .spikes import SpikesMixin
from .types import register_signal_class


class Signal1D(ShiftingMixin, SpikesMixin, BaseSignal):
    """A signal with one signal axis: a spectrum, a line scan or a spectrum image."""

    _signal_dimension = 1

    def crop_signal(self, left_value=None, right_value=None) -> None:
        """Crop the signal axis in place (HyperSpy 2.5's name of ``crop_signal1D``).

        Parameters
        ----------
        left_value, right_value : int, float or None
            Ints are channel indices, floats calibrated values; None keeps that end.
        """
        self.crop_signal1D(left_value, right_value)

    def to_signal2D(self, optimize: bool = True):
        """The spectra as images: the first two axes in natural order become the image
        axes, the rest navigation (HyperSpy's rule)."""
        hs_order = list(self.axes_manager._axes_in_hs_order)
        if len(hs_order) < 2:
            raise ValueError("to_signal2D needs at least two axes")
        return self.transpose(signal_axes=hs_order[:2], optimize=optimize)


register_signal_class(Signal1D, "", 1, False)
