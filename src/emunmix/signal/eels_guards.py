"""The guard of ``align_zero_loss_peak``: refuse data without zero-loss peaks, leave
implausible spectra alone (with a warning that counts them), before anything moves."""

from __future__ import annotations

import warnings

import numpy as np

from ..chunking import whole_spectra
from ..exceptions import AlignmentWarning
from ..preprocess.shift import crop_range_after_shift
from ..preprocess.zlp_checks import PEAK_SCORE_MIN, zlp_peak_scores, zlp_plausibility
from ..validation import is_dask


def _block_scores(block):
    rows = np.asarray(block).reshape(-1, block.shape[-1])
    out = np.full(rows.shape[0], np.nan)
    finite = np.isfinite(rows).all(axis=1)
    if finite.any():
        out[finite] = zlp_peak_scores(rows[finite])
    return out.reshape(block.shape[:-1])


def _peak_scores(data) -> np.ndarray:
    """Each spectrum's peak score (navigation-shaped); lazy data chunk by chunk, so only
    navigation-sized results are gathered."""
    if is_dask(data):
        data = whole_spectra(data, "the zero-loss peak check")
        return np.asarray(data.map_blocks(_block_scores, drop_axis=data.ndim - 1,
                                          dtype=float).compute())
    return _block_scores(np.asarray(data))


class ZLPGuard:
    """The checks of one ``align_zero_loss_peak`` call, in two steps.

    Created before the centres are estimated: refuses data where most spectra have
    no zero-loss peak, and :attr:`mask` adds the few without one to the user's mask
    (so they are neither measured nor moved). :meth:`checked` then takes the
    centres, leaves implausible ones unshifted, warns with the counts and refuses a
    crop that would keep less than half of the axis.

    Raises
    ------
    ValueError
        Most unmasked spectra without a zero-loss peak.
    """

    def __init__(self, data, mask, axis, crop: bool):
        scores = _peak_scores(data)  # NaN: a spectrum with NaN/inf (refused later)
        shape = scores.shape
        scores = scores.reshape(-1)
        user = np.zeros(scores.size, bool) if mask is None else np.asarray(
            mask, bool).reshape(-1)
        self.axis, self.crop, self.n = axis, crop, int((~user).sum())
        no_peak = ~user & np.isfinite(scores) & (scores < PEAK_SCORE_MIN)
        self.n_no_peak = int(no_peak.sum())
        if self.n and self.n_no_peak > self.n / 2:
            raise ValueError(
                f"no zero-loss peak found in {self.n_no_peak} of {self.n} spectra: their "
                f"brightest channel stands less than {PEAK_SCORE_MIN:g} noise deviations "
                "above the median, as in noise or core-loss data; nothing was changed. "
                "Check that this is low-loss EELS data with the zero-loss peak on the "
                "energy axis, give signal_range=(start, end) around the peak, or mask the "
                "spectra without one (mask=...)")
        self.mask = (user | no_peak).reshape(shape) if self.n_no_peak else mask

    def checked(self, centres) -> np.ndarray:
        """``centres`` with implausible ones NaN (left unshifted); see the class."""
        axis, shape = self.axis, np.shape(centres)
        flat = np.asarray(centres, dtype=float).reshape(-1)
        check = zlp_plausibility(np.zeros((flat.size, 1)), flat, axis.scale, scored=False)
        n_bad = int(check.implausible.sum())
        out = np.where(check.implausible, np.nan, flat)
        if self.n_no_peak or n_bad:
            warnings.warn(
                f"align_zero_loss_peak: {self.n_no_peak + n_bad} of {self.n} spectra are "
                f"left unshifted: {self.n_no_peak} without a zero-loss peak, {n_bad} with "
                f"an implausible shift (a centre more than {check.limit:.3g} {axis.units} "
                f"from the median {check.median_centre:.3g}). Mask them (mask=...) to "
                "silence this, or give signal_range=(start, end) around the peak",
                AlignmentWarning, stacklevel=3)
        moved = out[np.isfinite(out)]
        if self.crop and moved.size:
            lo, hi = crop_range_after_shift((np.nanmean(out) - moved) / axis.scale,
                                            axis.size)
            if hi - lo < axis.size / 2:
                raise ValueError(
                    f"the zero-loss peaks lie {np.ptp(moved):.3g} {axis.units} apart: "
                    f"aligning them with crop=True would keep only {max(hi - lo, 0)} of "
                    f"{axis.size} channels; nothing was changed. Check the data "
                    "(signal_range=(start, end) around the peak, mask=... for bad spectra) "
                    "or pass crop=False")
        return out.reshape(shape)
