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
:func:`shift_1d`, align each spectrum with the reference; it lives in
:mod:`emunmix.preprocess.shift_estimation` and is re-exported here.
"""

from __future__ import annotations

import numpy as np

from .shift_estimation import estimate_shift_1d

__all__ = [
    "GAUSSIAN_SIGMA",
    "shift_1d",
    "crop_range_after_shift",
    "expand_range_for_shift",
    "estimate_shift_1d",
]

_INTERPOLATIONS = ("linear", "cubic", "nearest", "gaussian")
# Width (channels) of the "gaussian" resampling kernel: the smallest for which the blur
# no longer depends on the sub-channel part of the shift (its aliasing, exp(-2 pi^2
# sigma^2) at one cycle per channel, is below 1e-3), so the shifts leave no component
# of their own in a decomposition; FWHM 1.4 channels.
GAUSSIAN_SIGMA = 0.6
_GAUSSIAN_TAPS = np.arange(-2, 4)  # taps k-2 .. k+3 around position k + f, f in [0, 1)
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
    sigma: float = GAUSSIAN_SIGMA,
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
    interpolation : {"linear", "cubic", "nearest", "gaussian"}
        Interpolation between channels. "cubic" is interpolating cubic B-spline
        (mirror boundary); a spectrum holding NaN becomes all NaN with it.
        "gaussian" resamples with a Gaussian kernel of ``sigma`` channels:
        output channel ``j`` is the Gaussian-weighted mean of the input channels
        around position ``j - shift``. Linear interpolation blurs a spectrum by an
        amount that depends on the sub-channel part of its shift (not at all for
        whole channels, most for half ones); on spectra whose peaks are a channel
        or two wide that varying blur is a component of its own in a
        decomposition. With "gaussian" every spectrum gets the same blur (FWHM
        1.4 channels for the default ``sigma``), and the shifts leave nothing
        behind. Near the ends the kernel is cut and renormalised, so the valid
        channels are those of linear interpolation.
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
    sigma : float
        "gaussian" only: the kernel's standard deviation in channels (the
        weights on the taps have exactly this width and their centroid exactly
        at the sampled position).

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
    >>> x = np.zeros((1, 16)); x[0, 8] = 1.0
    >>> y = shift_1d(x, [2.0], interpolation="gaussian", fill_value=0.0)
    >>> int(np.argmax(y)), round(float(y.sum()), 6)
    (10, 1.0)
    """
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
    if interpolation == "gaussian":
        out = _gaussian_rows(rows, k, f, unshifted, m, fill, sigma)
    else:
        out = _interpolated_rows(rows, k, f, m, fill, interpolation)

    if unshifted.any():
        plain = np.full((int(unshifted.sum()), m), fill_value, dtype=dtype)
        plain[:, before : before + n] = rows[unshifted]
        out[unshifted] = plain
    out = out.reshape(*nav_shape, m)
    if crop and before == 0 and after == 0 and expand is False:
        lo_c, hi_c = crop_range_after_shift(s[~unshifted], n)
        out = out[..., lo_c:hi_c]
    return out


def _interpolated_rows(rows, k, f, m, fill, interpolation):
    """Linear, cubic or nearest: output channel j of row i reads position j + k_i + f_i."""
    import scipy.ndimage
    n = rows.shape[1]
    dtype = rows.dtype
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
    return out


def _gaussian_rows(rows, k, f, unshifted, m, fill, sigma):
    """Gaussian resampling: output channel j of row i is the weighted mean of the taps
    around position j + k_i + f_i (rows with ``unshifted`` are left to the caller)."""
    n = rows.shape[1]
    dtype = rows.dtype
    w = _gaussian_weights(f, sigma).astype(dtype)
    pad = int(max(-_GAUSSIAN_TAPS.min(), _GAUSSIAN_TAPS.max()))
    # rows sorted by the integer part of their position: each group is a contiguous
    # block, handled with plain slices (no per-pixel loop, no copy per group)
    order = np.argsort(np.where(unshifted, np.iinfo(np.intp).max, k), kind="stable")
    n_shifted = int((~unshifted).sum())
    order = order[:n_shifted]
    ks = k[order]
    xp = np.pad(rows[order], ((0, 0), (pad, pad)))
    ws = w[order]
    inside = np.zeros(n + 2 * pad, dtype=dtype)
    inside[pad:pad + n] = 1
    sorted_out = np.full((n_shifted, m), fill, dtype=dtype)
    bounds = np.flatnonzero(np.diff(ks)) + 1
    for r0, r1 in zip(np.r_[0, bounds], np.r_[bounds, n_shifted]):
        k0 = int(ks[r0])
        a, b = max(0, -k0), min(m, n - k0)
        if a >= b:
            continue
        wg = ws[r0:r1]
        acc = np.zeros((r1 - r0, b - a), dtype=dtype)
        for t, tap in enumerate(_GAUSSIAN_TAPS):
            lo = a + k0 + tap + pad
            acc += wg[:, t, None] * xp[r0:r1, lo:lo + b - a]
        acc /= wg.sum(axis=1)[:, None]
        # near the data's ends the kernel is cut: renormalise those few columns
        first_full = -k0 - int(_GAUSSIAN_TAPS[0])  # taps all inside from here ...
        last_full = n - 1 - k0 - int(_GAUSSIAN_TAPS[-1])  # ... to here
        edge = [*range(a, min(b, first_full)), *range(max(a, last_full + 1), b)]
        for j in edge:
            cut = inside[j + k0 + _GAUSSIAN_TAPS + pad]
            acc[:, j - a] *= wg.sum(axis=1) / (wg * cut[None]).sum(axis=1)
        if b + k0 == n:  # the last position is inside only for whole-channel shifts
            fs = f[order[r0:r1]]
            acc[:, -1] = np.where(fs == 0, acc[:, -1], fill)
        sorted_out[r0:r1, a:b] = acc
    out = np.full((rows.shape[0], m), fill, dtype=dtype)
    out[order] = sorted_out
    return out


def _gaussian_weights(f, sigma):
    """Tap weights with centroid exactly ``f`` and variance exactly ``sigma**2``.

    Sampling a Gaussian at the taps alone is off by up to 0.004 channel in the
    centroid and 2 % in the variance for sigma = 0.6 (aliasing), both varying with
    ``f``; a few fixed-point steps on the Gaussian's centre and width remove that.
    """
    taps = _GAUSSIAN_TAPS[None, :].astype(float)
    f = np.asarray(f, dtype=float)[:, None]
    centre, width = f.copy(), np.full_like(f, float(sigma))
    for _ in range(6):
        w = np.exp(-0.5 * ((taps - centre) / width) ** 2)
        w /= w.sum(axis=1, keepdims=True)
        mean = (w * taps).sum(axis=1, keepdims=True)
        var = (w * (taps - mean) ** 2).sum(axis=1, keepdims=True)
        centre += f - mean
        width *= np.sqrt(sigma**2 / var)
    return np.exp(-0.5 * ((taps - centre) / width) ** 2)
