"""Is there a zero-loss peak? Plausibility of the centres before an alignment moves data.

An alignment moves every spectrum and crops the channels the shifts leave empty, so
spectra without a zero-loss peak (noise, core loss, a file of another kind) would
otherwise decide the shifts and crop the data to a few channels. These checks find
them first; the signal layer then refuses, or leaves them alone and says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["PEAK_SCORE_MIN", "ZLPPlausibility", "zlp_peak_scores", "zlp_plausibility"]

# a brightest channel this many noise deviations above the median is a peak: the largest
# of ~10**4 Gaussian noise channels lies ~4 deviations up, a zero-loss peak hundreds
PEAK_SCORE_MIN = 8.0
# a centre further than this many robust deviations (and channels) from the median
# centre is an implausible shift (a spike, a bright artefact, a cut-off peak)
OUTLIER_DEVIATIONS = 10.0
OUTLIER_MIN_CHANNELS = 10.0


def zlp_peak_scores(rows) -> np.ndarray:
    """How far each spectrum's brightest channel stands above its noise.

    Parameters
    ----------
    rows : array_like, shape (spectra, channels)

    Returns
    -------
    numpy.ndarray, shape (spectra,)
        ``(max - median) / sigma``, sigma the robust (MAD) deviation of the
        channel-to-channel differences over sqrt(2), which the peak itself hardly
        moves (for counts, at least the Poisson deviation sqrt(median), and 1);
        ``inf`` for a noiseless peak, 0 for a flat spectrum.

    Examples
    --------
    >>> e = np.arange(200.0)
    >>> rng = np.random.default_rng(0)
    >>> peak = rng.poisson(1000 * np.exp(-0.5 * ((e - 50) / 3) ** 2) + 10)
    >>> noise = rng.poisson(np.full(200, 10.0))
    >>> scores = zlp_peak_scores(np.stack([peak, noise]))
    >>> bool(scores[0] > PEAK_SCORE_MIN > scores[1])
    True
    """
    rows = np.asarray(rows, dtype=float)
    med = np.median(rows, axis=1)
    height = rows.max(axis=1) - med
    d = np.diff(rows, axis=1)
    sigma = 1.4826 * np.median(np.abs(d - np.median(d, axis=1, keepdims=True)), axis=1)
    sigma /= np.sqrt(2.0)
    if np.all(rows >= 0) and np.all(rows == np.round(rows)):
        # counts: at low rates most differences are 0 and their MAD says nothing, but a
        # Poisson channel of mean m varies by sqrt(m) (at least 1 count)
        sigma = np.maximum(sigma, np.sqrt(np.maximum(med, 1.0)))
    with np.errstate(divide="ignore", invalid="ignore"):
        scores = np.where(sigma > 0, height / sigma, np.where(height > 0, np.inf, 0.0))
    return scores


@dataclass
class ZLPPlausibility:
    """Which spectra have no zero-loss peak, and which centres are implausible.

    Attributes
    ----------
    no_peak, implausible : numpy.ndarray of bool, shape (spectra,)
        Spectra without a peak; spectra with a peak whose centre lies far from the
        others' (both False for masked spectra).
    n_checked : int
        Unmasked spectra.
    median_centre : float
        Median centre of the spectra with a plausible peak (NaN if none).
    limit : float
        Distance from ``median_centre`` beyond which a centre is implausible.
    """

    no_peak: np.ndarray
    implausible: np.ndarray
    n_checked: int
    median_centre: float
    limit: float

    @property
    def left_alone(self) -> np.ndarray:
        return self.no_peak | self.implausible


def zlp_plausibility(rows, centres, scale: float, scored: bool = True) -> ZLPPlausibility:
    """Check the zero-loss-peak ``centres`` (energies, NaN = masked) of ``rows``.

    Parameters
    ----------
    rows : array_like, shape (spectra, channels)
    centres : array_like, shape (spectra,)
    scale : float
        Energy per channel.
    scored : bool
        Score the rows for a peak (False: the rows were checked already; only the
        centres are).
    """
    centres = np.asarray(centres, dtype=float).reshape(-1)
    checked = np.isfinite(centres)
    rows = np.asarray(rows).reshape(centres.size, -1)
    no_peak = np.zeros(centres.size, bool)
    if scored and checked.any():
        no_peak[checked] = zlp_peak_scores(rows[checked]) < PEAK_SCORE_MIN
    good = checked & ~no_peak
    implausible = np.zeros(centres.size, bool)
    median = limit = float("nan")
    if good.any():
        median = float(np.median(centres[good]))
        mad = 1.4826 * float(np.median(np.abs(centres[good] - median)))
        limit = max(OUTLIER_DEVIATIONS * mad, OUTLIER_MIN_CHANNELS * abs(scale))
        implausible = good & (np.abs(centres - median) > limit)
    return ZLPPlausibility(no_peak, implausible, int(checked.sum()), median, limit)
