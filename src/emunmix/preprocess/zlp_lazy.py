"""Zero-loss-peak centres of a dask array, block by block.

:func:`estimate_zlp_centre_blockwise` gives what
:func:`emunmix.preprocess.zlp.estimate_zlp_centre` gives on the same data
held in memory, in two passes over the chunks: the first gathers, per
spectrum, the few numbers the estimator needs globally (the brightest
channel, whether the spectrum is finite or flat, its peak width), the second
runs the in-memory estimator on each chunk with those global settings fixed.
Only navigation-sized arrays are ever gathered.
"""

from __future__ import annotations

import numpy as np

from ..chunking import whole_spectra
from .zlp import (
    _window,
    estimate_zlp_centre,
    fwhm_channels,
    half_width_from_fwhm,
    no_peak_error,
    non_finite_error,
    signal_range_to_channels,
)

__all__ = ["estimate_zlp_centre_blockwise", "peak_window_channels", "PEAK_WINDOW_PAD"]

# channels kept either side of the brightest channels when no signal_range is given
PEAK_WINDOW_PAD = 32
# the window of the peak-width probe (as the in-memory estimator's)
_PROBE = 8
# what a block returns per spectrum: finite, brightest channel, flat, FWHM in channels
_STATS = 4


def peak_window_channels(imax, n: int) -> tuple[int, int] | None:
    """First and last channel around every spectrum's brightest channel (``imax``).

    None when there is no spectrum or the window holds fewer than 3 channels.
    """
    imax = np.asarray(imax)
    if imax.size == 0:
        return None
    lo = max(int(imax.min()) - PEAK_WINDOW_PAD, 0)
    hi = min(int(imax.max()) + PEAK_WINDOW_PAD, n - 1)
    if hi - lo < 2:
        return None
    return lo, hi


def _block_stats(block, keep, start, stop):
    rows = block.reshape(-1, block.shape[-1])[:, start:stop].astype(float, copy=False)
    k = keep[..., 0].reshape(-1)
    out = np.full((rows.shape[0], _STATS), np.nan)
    out[:, 0] = 1.0
    if k.any():
        sub = rows[k]
        finite = np.isfinite(sub).all(axis=1)
        imax = np.argmax(sub, axis=1)
        out[k, 0] = finite
        out[k, 1] = imax
        out[k, 2] = sub.max(axis=1) <= sub.min(axis=1)
        out[k, 3] = fwhm_channels(_window(sub, imax, _PROBE), _PROBE)
    return out.reshape(block.shape[:-1] + (_STATS,))


def _nav_keep(data, mask):
    import dask.array as da

    nav_shape = data.shape[:-1]
    keep = np.ones(nav_shape, bool) if mask is None else \
        ~np.broadcast_to(np.asarray(mask, bool), nav_shape)
    return da.from_array(keep, chunks=data.chunks[:-1])


def _stats(data, keep, start, stop):
    import dask.array as da

    from ..progress import compute

    return compute(da.map_blocks(_block_stats, data, keep[..., None], start, stop, dtype=float,
                                 chunks=data.chunks[:-1] + ((_STATS,),)),
                   desc="zero-loss peaks")[0]


def estimate_zlp_centre_blockwise(data, offset: float, scale: float, signal_range=None,
                                  subpixel: bool = True, method: str = "fit", mask=None,
                                  peak_window: bool = False) -> np.ndarray:
    """:func:`~emunmix.preprocess.zlp.estimate_zlp_centre` of a dask array, two passes.

    Parameters
    ----------
    data : dask.array.Array, shape (..., channels)
        Low-loss spectra; the signal axis is brought into one chunk if it
        is split (:func:`emunmix.chunking.whole_spectra`).
    offset, scale, signal_range, subpixel, method, mask
        As for :func:`~emunmix.preprocess.zlp.estimate_zlp_centre`.
    peak_window : bool
        With ``signal_range=None``, look only at the channels within
        ``PEAK_WINDOW_PAD`` of every spectrum's brightest channel, and refuse
        non-finite spectra anywhere on the axis (the signal layer's default).

    Returns
    -------
    numpy.ndarray, shape data.shape[:-1]
        The centres in energy units (NaN where masked), equal to the
        in-memory estimator's on the same data.

    Examples
    --------
    >>> import dask.array as da
    >>> e = -5.0 + 0.1 * np.arange(100)
    >>> spec = np.exp(-0.5 * ((e[None] - np.array([[0.1], [0.2]])) / 0.3) ** 2)
    >>> c = estimate_zlp_centre_blockwise(da.from_array(spec, chunks=(1, 50)), -5.0, 0.1)
    >>> np.round(c, 3).tolist()
    [0.1, 0.2]
    """
    data = whole_spectra(data, "zero-loss peak centres")
    n = data.shape[-1]
    keep = _nav_keep(data, mask)
    start, stop = signal_range_to_channels(signal_range, offset, scale, n)
    stats = _stats(data, keep, start, stop).reshape(-1, _STATS)
    kept = keep.compute().reshape(-1)
    if not kept.any():
        return np.full(data.shape[:-1], np.nan)
    st = stats[kept]
    if not st[:, 0].all():
        raise non_finite_error(int((st[:, 0] == 0).sum()))
    imax = st[:, 1].astype(np.intp)
    if signal_range is None and peak_window:
        window = peak_window_channels(imax, n)
        if window is not None:
            # the brightest channel (first of equals) and the probe's width are
            # the same on the window as on the whole axis: it holds every
            # spectrum's maximum, and it is cut at least PEAK_WINDOW_PAD > _PROBE
            # channels from it, or at the axis' own ends
            lo, hi = window
            signal_range = (offset + scale * lo, offset + scale * hi)
            start, stop = signal_range_to_channels(signal_range, offset, scale, n)
            imax = imax - start
    w = stop - start
    edge = (imax == 0) | (imax == w - 1) | (st[:, 2] == 1)
    if edge.any():
        first = int(np.flatnonzero(kept)[np.flatnonzero(edge)[0]])
        raise no_peak_error(offset, scale, n, start, stop, int(edge.sum()), int(kept.sum()),
                            first)
    # >= 1, which the estimator's rule for a given half width (>= 0.5) leaves as it is
    hw = half_width_from_fwhm(st[:, 3])

    def block(d, k):
        return estimate_zlp_centre(d, offset, scale, signal_range=signal_range,
                                   subpixel=subpixel, method=method, mask=~k[..., 0],
                                   half_width=hw)

    import dask.array as da

    from ..progress import compute

    return compute(da.map_blocks(block, data, keep[..., None], dtype=float,
                                 drop_axis=data.ndim - 1), desc="zero-loss peak centres")[0]

