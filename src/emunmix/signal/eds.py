"""EDS spectrum classes (signal types "EDS", "EDS_TEM", "EDS_SEM")."""

from __future__ import annotations

import numpy as np

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


def vacuum_mask_from(signal, per_pixel, threshold, closing, opening):
    """The navigation mask ``per_pixel <= threshold`` (True = vacuum) as a boolean
    signal, closed and/or opened as exspy does (dilation with border 0, erosion with
    border 1).

    ``per_pixel`` is the navigation-only signal of one value per pixel (its data may
    be lazy). A signal without navigation axes has no vacuum to find.
    """
    from scipy.ndimage import binary_dilation, binary_erosion

    if signal.axes_manager.navigation_dimension == 0:
        raise RuntimeError("vacuum_mask needs navigation axes (a line scan or map): this "
                           "signal is a single spectrum")
    threshold = float(threshold)
    mask = per_pixel <= threshold
    data = np.asarray(mask.data.compute() if mask._lazy else mask.data, bool)
    if closing:
        data = binary_erosion(binary_dilation(data, border_value=0), border_value=1)
    if opening:
        data = binary_dilation(binary_erosion(data, border_value=1), border_value=0)
    mask.data = data
    return mask


class EDSTEMSpectrum(EDSSpectrum):
    """EDS acquired in a (S)TEM.

    :meth:`decomposition` has exspy's defaults for EDS-TEM:
    ``normalize_poissonian_noise=True`` and ``navigation_mask=1.0`` (the pixels
    :meth:`vacuum_mask` finds with that threshold are left out).
    """

    _signal_type = "EDS_TEM"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _fill_microscope(self, "TEM", "SEM")

    def vacuum_mask(self, threshold=1.0, closing=True, opening=False):
        """The vacuum pixels: those whose largest count is at most ``threshold``.

        As exspy's ``EDSTEMSpectrum.vacuum_mask``.

        Parameters
        ----------
        threshold : float, default 1.0
            A pixel whose maximum over the energy axis is ``<= threshold`` is vacuum.
        closing : bool, default True
            Apply a morphological closing (fills single non-vacuum holes in vacuum).
        opening : bool, default False
            Apply a morphological opening (removes isolated vacuum pixels).

        Returns
        -------
        BaseSignal
            Boolean, of the navigation shape, True for vacuum (usable as a
            ``navigation_mask``).

        Examples
        --------
        >>> s = EDSTEMSpectrum(np.full((4, 5, 16), 3.0))
        >>> s.data[:2] = 0  # two rows of vacuum
        >>> int(s.vacuum_mask().data.sum())
        10
        """
        return vacuum_mask_from(self, self.max(-1), threshold, closing, opening)

    def decomposition(self, normalize_poissonian_noise=True, *args, navigation_mask=1.0,
                      closing=True, **kwargs):
        """:meth:`BaseSignal.decomposition` with exspy's EDS-TEM defaults.

        Parameters
        ----------
        normalize_poissonian_noise : bool, default True
            Poisson normalisation (exspy's default for EDS-TEM).
        navigation_mask : float, array, signal or None, default 1.0
            A float is the threshold of :meth:`vacuum_mask`: the vacuum pixels are
            left out (their loadings are NaN unless ``reproject``). None, a boolean
            array or signal: as for any signal.
        closing : bool, default True
            The closing of the vacuum mask, when ``navigation_mask`` is a float.
        *args, **kwargs
            As :meth:`BaseSignal.decomposition` (``algorithm``, ``output_dimension``, ...).
        """
        if isinstance(navigation_mask, (float, np.floating)):
            navigation_mask = self.vacuum_mask(navigation_mask, closing)
        return super().decomposition(normalize_poissonian_noise, *args,
                                     navigation_mask=navigation_mask, **kwargs)


class EDSSEMSpectrum(EDSSpectrum):
    """EDS acquired in an SEM."""

    _signal_type = "EDS_SEM"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _fill_microscope(self, "SEM", "TEM")


register_signal_class(EDSSpectrum, "EDS", 1, False, aliases=("EDSSpectrum",))
register_signal_class(EDSTEMSpectrum, "EDS_TEM", 1, False, aliases=("EDSTEMSpectrum",))
register_signal_class(EDSSEMSpectrum, "EDS_SEM", 1, False, aliases=("EDSSEMSpectrum",))
