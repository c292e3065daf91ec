"""EDS spectrum classes (signal types "EDS", "EDS_TEM", "EDS_SEM")."""

from __future__ import annotations

from .signal1d import Signal1D
from .types import register_signal_class


class EDSSpectrum(Signal1D):
    """Energy-dispersive X-ray spectrum (image)."""

    _signal_type = "EDS"


# exspy's default detector parameters, filled in where a file gives none
EDS_DEFAULTS = {"Stage.tilt_alpha": 0.0, "Detector.EDS.elevation_angle": 35.0,
                "Detector.EDS.energy_resolution_MnKa": 130.0,
                "Detector.EDS.azimuth_angle": 0.0}


def _fill_microscope(signal, mine: str, other: str) -> None:
    """As exspy: a tree filed under the other microscope moves to this one, then
    the detector defaults fill what is missing."""
    md = signal.metadata
    if (not md.has_item(f"Acquisition_instrument.{mine}.Detector.EDS")
            and md.has_item(f"Acquisition_instrument.{other}")):
        md.set_item(f"Acquisition_instrument.{mine}",
                    md.get_item(f"Acquisition_instrument.{other}").as_dictionary())
        del md.Acquisition_instrument[other]
    for path, value in EDS_DEFAULTS.items():
        if not md.has_item(f"Acquisition_instrument.{mine}.{path}"):
            md.set_item(f"Acquisition_instrument.{mine}.{path}", value)


class EDSTEMSpectrum(EDSSpectrum):
    """EDS acquired in a (S)TEM."""

    _signal_type = "EDS_TEM"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _fill_microscope(self, "TEM", "SEM")


class EDSSEMSpectrum(EDSSpectrum):
    """EDS acquired in an SEM."""

    _signal_type = "EDS_SEM"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _fill_microscope(self, "SEM", "TEM")


register_signal_class(EDSSpectrum, "EDS", 1, False, aliases=("EDSSpectrum",))
register_signal_class(EDSTEMSpectrum, "EDS_TEM", 1, False, aliases=("EDSTEMSpectrum",))
register_signal_class(EDSSEMSpectrum, "EDS_SEM", 1, False, aliases=("EDSSEMSpectrum",))
