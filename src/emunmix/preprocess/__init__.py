"""Pre-processing kernels for spectrum images: pure functions on arrays.

Data arrive as ``(..., channels)`` arrays (navigation first, energy last) and,
where needed, the energy axis as ``offset, scale``; nothing here knows about
signals, metadata, printing or plotting.

- :mod:`.shift`: sub-channel shifts of spectra (``shift_1d``; a positive shift
  moves features to higher channels) and their estimation by cross-correlation.
- :mod:`.zlp`: zero-loss-peak centres fitted below one channel, and the shifts
  that align them; :mod:`.zlp_lazy`: the same centres of a dask array in two passes.
- :mod:`.spikes`: X-ray spike finding (outliers in space and in energy at once)
  and removal.
"""

from .shift import crop_range_after_shift, estimate_shift_1d, expand_range_for_shift, shift_1d
from .spikes import (
    derivative_histogram_threshold,
    find_spikes,
    remove_spikes,
    spectral_outlier_score,
    spike_model,
)
from .zlp import align_zlp_shifts, estimate_zlp_centre, signal_range_to_channels
from .zlp_lazy import estimate_zlp_centre_blockwise

__all__ = [
    "shift_1d",
    "estimate_shift_1d",
    "crop_range_after_shift",
    "expand_range_for_shift",
    "estimate_zlp_centre",
    "estimate_zlp_centre_blockwise",
    "align_zlp_shifts",
    "signal_range_to_channels",
    "find_spikes",
    "remove_spikes",
    "spike_model",
    "derivative_histogram_threshold",
    "spectral_outlier_score",
]
