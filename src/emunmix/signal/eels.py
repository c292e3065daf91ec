"""``EELSSpectrum``: electron energy-loss spectra (signal_type "EELS")."""

from __future__ import annotations

from .signal1d import Signal1D
from .types import register_signal_class


class EELSSpectrum(Signal1D):
    """EELS spectrum image; adds zero-loss-peak tools (see exspy's names)."""

    _signal_type = "EELS"


register_signal_class(EELSSpectrum, "EELS", 1, False, aliases=("EELSSpectrum",))
