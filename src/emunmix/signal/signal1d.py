"""``Signal1D``: signals with one signal axis (spectra, spectrum images)."""

from __future__ import annotations

from .base import BaseSignal
from .types import register_signal_class


class Signal1D(BaseSignal):
    """A signal with one signal axis: a spectrum, a line scan or a spectrum image."""

    _signal_dimension = 1


register_signal_class(Signal1D, "", 1, False)
