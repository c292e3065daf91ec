"""Finding and removing X-ray spikes in spectrum images.

Pure array kernels: data arrive as ``(..., channels)`` arrays (navigation
dimensions first, energy last); masks have the same shape as the data.

A spike is a narrow, positive outlier *in energy and in space at once*. The
default ``method="lowrank"`` of :func:`find_spikes` flags an entry when all of
these hold:

1. **Energy.** It stands above its own spectrum's neighbours: above the cubic
   interpolation from channels ``j-2, j-1, j+1, j+2`` (which a peak a few
   channels wide barely exceeds), and, exactly at low counts, above what a
   flat signal would give it (a binomial test on the channel and its
   neighbours). These candidates are found once, by one scan of the data.
2. **Space.** It lies far above a robust low-rank model of the whole image
   (truncated SVD of the Poisson-normalised data, Keenan and Kotula), which
   says from all other pixels what the spectrum should be. The model is fitted
   three times; before each refit the entries that look like spikes are
   replaced by the model, so large spikes cannot pull a component towards
   themselves (the first fit replaces only isolated single-channel outliers,
   so a sharp peak present in many spectra stays in). The subspace of spectra
   is searched once (randomised, with room for ``max_components`` plus a
   margin); each fit is the truncated SVD of the data projected on it, so a
   refit costs a sparse correction, not a pass over the data. Significance is
   the Poisson upper tail, in units of the model's misfit in that channel
   (measured on its negative residuals, which spikes cannot produce).
3. **Shape.** Its four neighbours fit the model, and no shift of the model's
   spectrum by up to +-3 channels fits it: a peak that the model puts in the
   wrong place (energy instability from pixel to pixel) leaves a negative lobe
   beside the positive one, or moves into place with a small shift.
4. **Sharp features.** Within 3 channels of a channel where several spectra
   peak sharply (a real feature, which a model averaged over spectra shifted
   in energy renders blunter than it is), it must at least double the model.

``threshold="auto"`` chooses the significance so that about 0.05 false
detections are expected over the whole data under Poisson noise (5.6 sigma
for 64 x 64 x 1024 values). Counts need not be raw: the noise variance per
unit of signal (the gain) is estimated from the data.

On the synthetic ``CL4`` (36 spikes of 3-30 times the signal, energy-shifted
data) this finds every spike with 0 or 1 false channel over ten noise seeds (the
hard, low-count variant: every spike, no false channel), and nothing in the
spike-free ``CL1``/``LL3``; 12-sigma spikes added to ``CL1`` are found 95 times
in 100 (those missed sit next to white lines).

:func:`remove_spikes` replaces flagged channels either with the low-rank
prediction for that entry (default; no neighbour is touched) or, as HyperSpy's
``spikes_removal_tool`` does, by bridging +-``default_spike_width`` channels with
a straight line; in both cases Poisson noise is added when ``add_noise``.

The kernels, one concern a module:

- :mod:`.scores`: single-channel statistics (``spectral_outlier_score``) and the
  candidates they find in one scan of the data.
- :mod:`.lowrank`: the linear algebra of the low-rank model (normalised
  products, the subspace of spectra, truncated SVDs in it).
- :mod:`.model`: the robust low-rank model (``spike_model``) and the spike tests.
- :mod:`.threshold`: HyperSpy's derivative-histogram threshold.
- :mod:`.find`: ``find_spikes``.
- :mod:`.interpolate` and :mod:`.remove`: ``remove_spikes``.
- :mod:`.neighbour_median`: the local-median replacement behind
  ``Signal1D.remove_spikes(method="median")``.
"""

from .find import find_spikes
from .model import spike_model
from .neighbour_median import median_replace
from .remove import remove_spikes
from .scores import spectral_outlier_score
from .threshold import derivative_histogram_threshold

__all__ = [
    "find_spikes",
    "median_replace",
    "remove_spikes",
    "spike_model",
    "derivative_histogram_threshold",
    "spectral_outlier_score",
]
