"""Estimation of the shifts between 1-D spectra by cross-correlation.

Pure array kernels: data arrive as ``(..., channels)`` arrays and shifts leave
as one number per spectrum, in *channels*, in the sign convention of
:mod:`emunmix.preprocess.shift` (a positive shift moves features to higher
channel indices). :func:`estimate_shift_1d` returns the shifts that, applied
with :func:`~emunmix.preprocess.shift.shift_1d`, align each spectrum with the
reference; it is importable from :mod:`emunmix.preprocess.shift` too.
"""

from __future__ import annotations

import numpy as np

__all__ = ["estimate_shift_1d"]


def _as_rows(data) -> tuple[np.ndarray, tuple[int, ...]]:
    data = np.asarray(data)
    if data.ndim == 0:
        raise ValueError("data must have at least one (signal) dimension")
    return data.reshape(-1, data.shape[-1]).astype(float, copy=False), data.shape[:-1]


def _peak_offset(cm1, c0, cp1) -> np.ndarray:
    """Sub-sample offset of a peak from its top sample and the two neighbours.

    A Gaussian through the three points (a parabola through their logarithms)
    where all three are positive, which is exact for Gaussian-shaped peaks;
    otherwise a parabola through the values. Clipped to +-0.5.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        pos = (cm1 > 0) & (c0 > 0) & (cp1 > 0)
        lm, l0, lp = (np.log(np.where(pos, v, 1.0)) for v in (cm1, c0, cp1))
        ym, y0, yp = (np.where(pos, lv, v) for lv, v in ((lm, cm1), (l0, c0), (lp, cp1)))
        den = ym - 2.0 * y0 + yp
        d = 0.5 * (ym - yp) / den
    return np.where((den < 0) & np.isfinite(d), np.clip(d, -0.5, 0.5), 0.0)


def _remove_end_line(x: np.ndarray) -> np.ndarray:
    """Subtract the straight line through the mean levels at both window ends.

    Zero at both ends, a spectrum can be zero-padded without a step, and a
    flat background adds no lag-dependent bias to the correlation.
    """
    w = x.shape[-1]
    e = max(1, min(3, w // 8))
    left = x[..., :e].mean(axis=-1, keepdims=True)
    right = x[..., -e:].mean(axis=-1, keepdims=True)
    t = (np.arange(w) - (e - 1) / 2) / max(w - 1 - (e - 1), 1)
    return x - (left + (right - left) * t)


def estimate_shift_1d(
    data,
    reference=None,
    start: int | None = None,
    stop: int | None = None,
    max_shift: float | None = None,
    subpixel: bool = True,
    mask=None,
) -> np.ndarray:
    """Shifts that align each spectrum with a reference, by cross-correlation.

    Parameters
    ----------
    data : array_like, shape (..., channels)
        Spectra along the last axis.
    reference : None, int or array_like, optional
        None: the mean spectrum (over unmasked spectra). int: that spectrum
        (flat index over the navigation dimensions). 1-D array: a spectrum of
        ``channels`` values.
    start, stop : int, optional
        Channel window used for the correlation (default: all channels).
    max_shift : float, optional
        Largest shift magnitude, in channels, to search for.
    subpixel : bool
        Refine the correlation peak to a fraction of a channel.
    mask : array_like of bool, optional
        True for spectra to skip; their shifts are NaN.

    Returns
    -------
    numpy.ndarray, shape data.shape[:-1]
        Shifts in channels, in the convention of :func:`shift_1d`: applying
        them aligns each spectrum with the reference.

    Notes
    -----
    The straight line joining the two ends of the window is subtracted from
    the spectra and the reference, which are then zero-padded for an FFT
    cross-correlation, so nothing wraps around and a flat background does not
    pull the result towards zero shift. The sub-channel refinement fits a
    Gaussian (or, where the correlation is not positive, a parabola) through
    the top three correlation values.

    Examples
    --------
    >>> x = np.arange(64.0)
    >>> ref = np.exp(-0.5 * ((x - 30) / 3) ** 2)
    >>> moved = np.exp(-0.5 * ((x - 32) / 3) ** 2)
    >>> float(np.round(estimate_shift_1d(moved[None], reference=ref)[0], 3))
    -2.0
    """
    import scipy.fft
    rows, nav_shape = _as_rows(data)
    n = rows.shape[1]
    sl = slice(start, stop)
    win = rows[:, sl]
    w = win.shape[1]
    if w < 3:
        raise ValueError(f"the correlation window [{start}:{stop}] has fewer than 3 channels")
    keep = np.ones(rows.shape[0], dtype=bool)
    if mask is not None:
        keep = ~np.broadcast_to(np.asarray(mask, dtype=bool), nav_shape).reshape(-1)
    if not keep.any():
        return np.full(nav_shape, np.nan)
    if reference is None:
        ref = win[keep].mean(axis=0)
    elif np.ndim(reference) == 0:
        ref = win[int(reference)]
    else:
        ref = np.asarray(reference, dtype=float)
        if ref.shape != (n,):
            raise ValueError(f"reference must have {n} channels, got shape {ref.shape}")
        ref = ref[sl]
    if not (np.isfinite(ref).all() and np.isfinite(win[keep]).all()):
        raise ValueError("data and reference must be finite inside the correlation window")

    a = _remove_end_line(win[keep])
    r = _remove_end_line(ref)
    nfft = scipy.fft.next_fast_len(2 * w, real=True)
    corr = scipy.fft.irfft(
        scipy.fft.rfft(a, nfft, axis=1) * np.conj(scipy.fft.rfft(r, nfft))[None, :], nfft, axis=1
    )
    # corr[:, lag] = sum_i a[i + lag] r[i]; lags wrap: index nfft - L is lag -L
    if max_shift is not None and (isinstance(max_shift, bool) or not np.isfinite(max_shift)
                                  or max_shift < 0):
        raise ValueError(f"max_shift must be a number of channels >= 0 (or None: up to the "
                         f"window width {w}), got {max_shift!r}")
    lim = w - 1 if max_shift is None else int(min(np.floor(max_shift), w - 1))
    lags = np.arange(-lim, lim + 1)
    c = corr[:, lags % nfft]
    p = np.argmax(c, axis=1)
    lag = lags[p].astype(float)
    if subpixel:
        inner = (p > 0) & (p < len(lags) - 1)
        pi = np.clip(p, 1, len(lags) - 2)
        ridx = np.arange(c.shape[0])
        d = _peak_offset(c[ridx, pi - 1], c[ridx, pi], c[ridx, pi + 1])
        lag = lag + np.where(inner, d, 0.0)
        if max_shift is not None:
            lag = np.clip(lag, -max_shift, max_shift)
    out = np.full(rows.shape[0], np.nan)
    out[keep] = -lag  # a spectrum sitting `lag` channels up must move down
    return out.reshape(nav_shape)
