"""EDS spectrum classes (signal types "EDS", "EDS_TEM", "EDS_SEM")."""

from __future__ import annotations

from .signal1d import Signal1D
from .types import register_signal_class


class EDSSpectrum(Signal1D):
    """Energy-dispersive X-ray spectrum (image)."""

    _signal_type = "EDS"


class EDSTEMSpectrum(EDSSpectrum):
    """EDS acquired in a (S)TEM."""

    _signal_type = "EDS_TEM"


class EDSSEMSpectrum(EDSSpectrum):
    """EDS acquired in an SEM."""

    _signal_type = "EDS_SEM"


register_signal_class(EDSSpectrum, "EDS", 1, False, aliases=("EDSSpectrum",))
register_signal_class(EDSTEMSpectrum, "EDS_TEM", 1, False, aliases=("EDSTEMSpectrum",))
register_signal_class(EDSSEMSpectrum, "EDS_SEM", 1, False, aliases=("EDSSEMSpectrum",))
