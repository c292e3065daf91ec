"""Sub-channel shifts of 1-D spectra and their estimation by cross-correlation.

Pure array kernels: data arrive as ``(..., channels)`` arrays, shifts as one
number per spectrum, in *channels*.

Sign convention
---------------
A **positive shift moves features to higher channel indices** (higher energy
on an increasing energy axis)::

    out[..., i] = data[..., i - shift]

so a peak at channel 10 is at channel 12.5 after ``shift_1d(data, 2.5)``. This is
the convention of HyperSpy's ``Signal1D.shift1D`` (there in calibrated units).
:func:`estimate_shift_1d` returns the shifts that, applied with
:func:`shift_1d`, align each spectrum with the reference.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "shift_1d",
    "crop_range_after_shift",
    "expand_range_for_shift",
    "estimate_shift_1d",
]

_INTERPOLATIONS = ("linear", "cubic", "nearest")
# Sampling positions this close to the end channels count as inside: shifts
# computed from calibrated axes carry round-off of this order.
_EDGE_TOL = 1e-9


def _broadcast_shifts(shifts, nav_shape) -> np.ndarray:
    shifts = np.asarray(shifts, dtype=float)
    try:
        return np.broadcast_to(shifts, nav_shape)
    except ValueError:
        raise ValueError(
            f"shifts of shape {shifts.shape} do not match the navigation shape {nav_shape} "
            "(one shift per spectrum, or a scalar)"
        ) from None


def expand_range_for_shift(shifts) -> tuple[int, int]:
    """Channels to add on each side so that shifting loses no data.

    Parameters
    ----------
    shifts : array_like
        Shifts in channels (see the module's sign convention). NaN entries are
        ignored (their spectra are not shifted).

    Returns
    -------
    (before, after) : tuple of int
        Channels to add before channel 0 and after the last channel.

    Examples
    --------
    >>> expand_range_for_shift([-1.5, 0.0, 2.2])
    (2, 3)
    """
    s = np.asarray(shifts, dtype=float)
    s = s[np.isfinite(s)]
    if s.size == 0:
        return 0, 0
    # negative shifts move data below channel 0, positive ones past the last channel
    before = int(np.ceil(max(-s.min(), 0.0) - _EDGE_TOL))
    after = int(np.ceil(max(s.max(), 0.0) - _EDGE_TOL))
    return before, after


def crop_range_after_shift(shifts, n_channels: int) -> tuple[int, int]:
    """The channel range that holds data in every spectrum after a shift.

    Parameters
    ----------
    shifts : array_like
        Shifts in channels (see the module's sign convention). NaN entries are
        ignored.
    n_channels : int
        Number of channels of the unshifted data.

    Returns
    -------
    (start, stop) : tuple of int
        ``out[..., start:stop]`` contains no fill values for any spectrum
        (``start == stop`` when no channel is valid everywhere).

    Examples
    --------
    >>> crop_range_after_shift([-1.5, 0.0, 2.2], 10)
    (3, 8)
    """
    s = np.asarray(shifts, dtype=float)
    s = s[np.isfinite(s)]
    if s.size == 0:
        return 0, int(n_channels)
    # output channel i reads input position i - shift, valid in [0, n - 1]
    start = int(np.ceil(s.max() - _EDGE_TOL))
    stop = int(np.floor(n_channels - 1 + s.min() + _EDGE_TOL)) + 1
    start = min(max(start, 0), int(n_channels))
    stop = min(max(stop, start), int(n_channels))
    return start, stop


def _cubic_bspline_weights(f: np.ndarray) -> np.ndarray:
    """Weights of taps -1, 0, 1, 2 of the cubic B-spline at fraction ``f``."""
    g = 1.0 - f
    return np.stack(
        [g**3 / 6.0, (3 * f**3 - 6 * f**2 + 4) / 6.0, (3 * g**3 - 6 * g**2 + 4) / 6.0, f**3 / 6.0],
        axis=-1,
    )


def shift_1d(
    data,
    shifts,
    interpolation: str = "linear",
    fill_value: float = np.nan,
    expand: bool | tuple[int, int] = False,
    crop: bool = False,
) -> np.ndarray:
    """Shift each spectrum along its last axis by a (sub-)channel amount.

    Parameters
    ----------
    data : array_like, shape (..., channels)
        Spectra along the last axis.
    shifts : array_like
        One shift per spectrum in channels, broadcastable to ``data.shape[:-1]``.
        Positive shifts move features to higher channel indices:
        ``out[..., i] = data[..., i - shift]``. A NaN shift leaves that spectrum
        unchanged (this is how masked pixels pass through).
    interpolation : {"linear", "cubic", "nearest"}
        Interpolation between channels. "cubic" is interpolating cubic B-spline
        (mirror boundary); a spectrum holding NaN becomes all NaN with it.
    fill_value : float
        Value of channels that read outside the original data.
    expand : bool or (int, int)
        Add channels on both sides (True: as many as these shifts need, see
        :func:`expand_range_for_shift`; a pair: that many before and after, e.g.
        the amounts for the whole data when shifting it block by block) so that
        no data are lost. The output then has more channels, and its channel
        ``j`` corresponds to channel ``j - before`` of the input axis. Unlike
        padding the data with NaN first, this works with "cubic".
    crop : bool
        Return only the channels valid for every spectrum
        (see :func:`crop_range_after_shift`). Ignored when ``expand`` is True.

    Returns
    -------
    numpy.ndarray
        The shifted spectra, float (float32 input stays float32).

    Examples
    --------
    >>> x = np.array([[0.0, 1.0, 2.0, 3.0]])
    >>> shift_1d(x, [1.0])
    array([[nan,  0.,  1.,  2.]])
    >>> shift_1d(x, [0.5], fill_value=0.0)
    array([[0. , 0.5, 1.5, 2.5]])
    """
    import scipy.ndimage
    if interpolation not in _INTERPOLATIONS:
        raise ValueError(
            f"interpolation must be one of {_INTERPOLATIONS}, got {interpolation!r}"
        )
    data = np.asarray(data)
    if data.ndim == 0:
        raise ValueError("data must have at least one (signal) dimension")
    if not np.issubdtype(data.dtype, np.floating):
        data = data.astype(float)
    nav_shape, n = data.shape[:-1], data.shape[-1]
    s = _broadcast_shifts(shifts, nav_shape).reshape(-1)
    rows = data.reshape(-1, n)

    before = after = 0
    if isinstance(expand, tuple):
        before, after = (int(v) for v in expand)
        if before < 0 or after < 0:
            raise ValueError(f"expand amounts must be non-negative, got {expand!r}")
    elif expand:
        before, after = expand_range_for_shift(s)
    m = n + before + after
    unshifted = ~np.isfinite(s)
    s = np.where(unshifted, 0.0, s)

    # output channel j samples input position x_j = j - before - s = j + k + f,
    # with an integer k and a fraction f in [0, 1) that are constant per row;
    # rows sharing k are handled together with plain slices (no per-pixel loop)
    pos0 = -before - s
    k = np.floor(pos0 + _EDGE_TOL)
    f = np.clip(pos0 - k, 0.0, None)
    f[f < _EDGE_TOL] = 0.0
    k = k.astype(np.intp)

    dtype = rows.dtype
    fill = np.asarray(fill_value, dtype=dtype)
    out = np.full((rows.shape[0], m), fill, dtype=dtype)
    if interpolation == "cubic":
        coeffs = scipy.ndimage.spline_filter1d(rows, order=3, axis=1, mode="mirror")
        # mirror-extend the coefficients so every tap of a valid position exists
        coeffs = np.pad(coeffs, ((0, 0), (1, 2)), mode="reflect")
        weights = _cubic_bspline_weights(f).astype(dtype)
    for k0 in np.unique(k):
        sel = np.flatnonzero(k == k0)
        # valid j: 0 <= j + k0 + f <= n - 1, i.e. j in [-k0, n - 1 - k0 - (f > 0)]
        a = max(0, -k0)
        b = min(m, n - k0)  # exclusive; the last column is valid only where f == 0
        if a >= b:
            continue
        fs = f[sel][:, None].astype(dtype)
        lo = rows[sel, a + k0 : b + k0]
        if interpolation == "cubic":
            w = weights[sel]
            vals = sum(
                w[:, t, None] * coeffs[sel, a + k0 + t : b + k0 + t] for t in range(4)
            )
        else:
            hi = rows[sel, a + k0 + 1 : min(b + k0 + 1, n)]
            if hi.shape[1] < lo.shape[1]:  # the read past the end is never used
                hi = np.concatenate([hi, lo[:, -1:]], axis=1)
            if interpolation == "linear":
                # exact copies where f == 0, so NaN in the unused neighbour cannot leak in
                vals = np.where(fs == 0, lo, lo + fs * (hi - lo))
            else:
                vals = np.where(fs < 0.5, lo, hi)
        if b + k0 == n:
            vals[:, -1] = np.where(fs[:, 0] == 0, lo[:, -1], fill)
        out[sel, a:b] = vals

    if unshifted.any():
        plain = np.full((int(unshifted.sum()), m), fill_value, dtype=dtype)
        plain[:, before : before + n] = rows[unshifted]
        out[unshifted] = plain
    out = out.reshape(*nav_shape, m)
    if crop and before == 0 and after == 0 and expand is False:
        lo_c, hi_c = crop_range_after_shift(s[~unshifted], n)
        out = out[..., lo_c:hi_c]
    return out


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
