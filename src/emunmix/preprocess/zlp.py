"""Zero-loss-peak position estimation and the shifts that align it.

Pure array kernels: spectra as ``(..., channels)`` arrays, the energy axis as
``(offset, scale)``. Positions are refined below one channel without a
per-pixel Python loop.
"""

from __future__ import annotations

import numpy as np

__all__ = ["estimate_zlp_centre", "align_zlp_shifts", "signal_range_to_channels"]

_METHODS = ("fit", "com", "argmax")


def _axis_limits(offset: float, scale: float, n: int) -> tuple[float, float]:
    a, b = offset, offset + scale * (n - 1)
    return (min(a, b), max(a, b))


def signal_range_to_channels(signal_range, offset: float, scale: float, n: int) -> tuple[int, int]:
    """Channel slice ``(start, stop)`` covering an energy range on an axis.

    Parameters
    ----------
    signal_range : (float, float) or None
        Energies (axis units, e.g. eV; not channel indices) of the range ends.
        None means the whole axis. A range partly outside the axis is clipped to it.
    offset, scale : float
        Energy of channel 0 and the energy step per channel.
    n : int
        Number of channels.

    Returns
    -------
    (start, stop) : tuple of int

    Raises
    ------
    ValueError
        If the range lies outside the axis or holds fewer than 3 channels.

    Examples
    --------
    >>> signal_range_to_channels((-2.0, 2.0), -10.0, 0.5, 100)
    (16, 25)
    """
    if scale == 0 or not np.isfinite(scale) or not np.isfinite(offset):
        raise ValueError(f"invalid energy axis: offset={offset!r}, scale={scale!r}")
    lo_ax, hi_ax = _axis_limits(offset, scale, n)
    if signal_range is None:
        return 0, int(n)
    try:
        lo, hi = (float(v) for v in signal_range)
    except (TypeError, ValueError):
        raise ValueError(
            f"signal_range must be a pair of energies (start, end), got {signal_range!r}"
        ) from None
    lo, hi = min(lo, hi), max(lo, hi)
    if hi < lo_ax or lo > hi_ax:
        raise ValueError(
            f"signal_range ({lo:g}, {hi:g}) lies outside the energy axis "
            f"[{lo_ax:g}, {hi_ax:g}]"
        )
    i0 = (lo - offset) / scale
    i1 = (hi - offset) / scale
    i0, i1 = min(i0, i1), max(i0, i1)
    start = max(int(np.ceil(i0 - 1e-9)), 0)
    stop = min(int(np.floor(i1 + 1e-9)) + 1, int(n))
    if stop - start < 3:
        raise ValueError(
            f"signal_range ({lo:g}, {hi:g}) holds {max(stop - start, 0)} channel(s) of the "
            f"energy axis [{lo_ax:g}, {hi_ax:g}] (step {scale:g}); at least 3 are needed"
        )
    return start, stop


def _window(rows: np.ndarray, centre_idx: np.ndarray, half: int) -> np.ndarray:
    """Gather ``rows[r, centre_idx[r] - half : centre_idx[r] + half + 1]`` (edge-clipped)."""
    idx = centre_idx[:, None] + np.arange(-half, half + 1)[None, :]
    return np.take_along_axis(rows, np.clip(idx, 0, rows.shape[1] - 1), axis=1)


def fwhm_channels(win: np.ndarray, half: int) -> np.ndarray:
    """Each window's full width at half maximum, in channels (windows centred on the top)."""
    top = win[:, half : half + 1]
    base = np.minimum(win[:, :1], win[:, -1:])
    above = win > base + 0.5 * (top - base)
    # count only the run of channels above half maximum that contains the top
    right = np.cumprod(above[:, half:], axis=1).sum(axis=1)
    left = np.cumprod(above[:, half::-1], axis=1).sum(axis=1)
    return left + right - 1


def half_width_from_fwhm(fwhm) -> float:
    """Half of the typical (median) full width at half maximum, in channels (at least 1)."""
    return max(float(np.median(fwhm)) / 2.0, 1.0)


def _half_width(win: np.ndarray, half: int) -> float:
    """Half of the typical full width at half maximum, in channels (at least 1)."""
    return half_width_from_fwhm(fwhm_channels(win, half))


def non_finite_error(n_bad: int) -> ValueError:
    """The error for spectra holding NaN or inf in the zero-loss-peak range."""
    return ValueError(
        f"{n_bad} spectra hold NaN or infinite values in the zero-loss-peak range; "
        "mask them (mask=...) or clean the data first"
    )


def no_peak_error(offset, scale, n, start, stop, n_edge, n_rows, first) -> ValueError:
    """The error for spectra whose maximum lies on the range's edge (or that are flat)."""
    lo_ax, hi_ax = _axis_limits(offset, scale, n)
    e0, e1 = offset + scale * start, offset + scale * (stop - 1)
    return ValueError(
        f"no zero-loss peak inside the signal range [{min(e0, e1):g}, {max(e0, e1):g}] "
        f"(energy axis [{lo_ax:g}, {hi_ax:g}]) for {n_edge} of "
        f"{n_rows} spectra (first: flat index {first}): the maximum lies on the "
        "range's edge or the spectrum is flat. Widen signal_range or mask these pixels."
    )


def _gaussian_fit(rows, imax, h):
    """Weighted least-squares parabola through log-intensities, channels imax +- h.

    The weights are the intensities (the variance of log I is about 1/I for
    counts), which also keeps the low flanks from pulling the vertex.
    """
    win = _window(rows, imax, h)
    x = np.arange(-h, h + 1, dtype=float)
    pos = win > 0
    w = np.where(pos, win, 0.0)
    y = np.log(np.where(pos, win, 1.0))
    basis = np.stack([np.ones_like(x), x, x * x], axis=1)  # (2h+1, 3)
    # normal equations per row: (B^T W B) c = B^T W y
    ata = np.einsum("rk,ki,kj->rij", w, basis, basis)
    aty = np.einsum("rk,ki->ri", w * y, basis)
    ata += np.eye(3)[None] * 1e-12 * ata[:, :1, :1].clip(1e-300)
    coef = np.linalg.solve(ata, aty[..., None])[..., 0]
    b, a = coef[:, 1], coef[:, 2]
    with np.errstate(divide="ignore", invalid="ignore"):
        d = -b / (2 * a)
    ok = (a < 0) & np.isfinite(d) & (np.abs(d) <= max(h, 1))
    return ok, np.where(ok, d, 0.0)


def _symmetric_centroid(rows, start_pos, hw, n_iter=8):
    """Centroid over a window of +- hw channels re-centred on the estimate each time.

    Each channel counts with the fraction of its width inside the window, so
    the estimate moves continuously; for a symmetric peak the true centre is the
    fixed point, whatever the peak's shape.
    """
    half = int(np.ceil(hw)) + 2
    base = np.round(start_pos).astype(np.intp)
    win = _window(rows, base, half)
    x = np.arange(-half, half + 1, dtype=float)[None, :]
    c = start_pos - base
    for _ in range(n_iter):
        frac = np.clip(hw + 0.5 - np.abs(x - c[:, None]), 0.0, 1.0)
        wy = frac * win
        with np.errstate(divide="ignore", invalid="ignore"):
            c_new = (wy * x).sum(axis=1) / wy.sum(axis=1)
        c = np.where(np.isfinite(c_new), np.clip(c_new, -half + hw, half - hw), c)
    return base + c


def estimate_zlp_centre(
    data,
    offset: float,
    scale: float,
    signal_range=None,
    subpixel: bool = True,
    method: str = "fit",
    mask=None,
    half_width: float | None = None,
) -> np.ndarray:
    """Energy of the zero-loss-peak maximum in each spectrum.

    Parameters
    ----------
    data : array_like, shape (..., channels)
        Low-loss spectra along the last axis.
    offset, scale : float
        Energy of channel 0 and the energy step per channel.
    signal_range : (float, float), optional
        Energies between which to look for the peak (default: whole axis).
    subpixel : bool
        Refine the maximum below one channel. False returns the centre of the
        brightest channel (HyperSpy's ``estimate_zero_loss_peak_centre``).
    method : {"fit", "com", "argmax"}
        Refinement around the brightest channel. "fit": a Gaussian fitted to
        the channels within the half maximum (weighted least squares on the
        logarithm; at least +-1 channel). "com": the centroid over +-FWHM/2,
        re-centred until it stops moving; it is unbiased for any symmetric peak
        shape (Lorentzian tails included). "argmax": no refinement.
    mask : array_like of bool, optional
        True for spectra to skip (shape ``data.shape[:-1]``); their centre is NaN.
    half_width : float, optional
        Half-width of the refinement window in channels (default: half the
        median FWHM of the peaks).

    Returns
    -------
    numpy.ndarray, shape data.shape[:-1]
        Peak centres in energy units.

    Raises
    ------
    ValueError
        If the data hold NaN in the range, if a spectrum has no peak inside
        the range (its maximum lies on the range's edge, or it is flat), or if
        the range lies outside the axis.

    Examples
    --------
    >>> e = -5.0 + 0.1 * np.arange(100)
    >>> spec = np.exp(-0.5 * ((e - 0.123) / 0.3) ** 2)[None]
    >>> round(float(estimate_zlp_centre(spec, -5.0, 0.1)[0]), 4)
    0.123
    """
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}")
    data = np.asarray(data)
    if data.ndim == 0:
        raise ValueError("data must have at least one (signal) dimension")
    nav_shape, n = data.shape[:-1], data.shape[-1]
    start, stop = signal_range_to_channels(signal_range, offset, scale, n)
    rows = data.reshape(-1, n)
    keep = np.ones(rows.shape[0], dtype=bool)
    if mask is not None:
        keep = ~np.broadcast_to(np.asarray(mask, dtype=bool), nav_shape).reshape(-1)
    centres = np.full(rows.shape[0], np.nan)
    if not keep.any():
        return centres.reshape(nav_shape)
    sub = rows[keep, start:stop].astype(float, copy=False)
    if not np.isfinite(sub).all():
        raise non_finite_error(int((~np.isfinite(sub).all(axis=1)).sum()))
    w = sub.shape[1]
    imax = np.argmax(sub, axis=1)
    flat = sub.max(axis=1) <= sub.min(axis=1)
    edge = (imax == 0) | (imax == w - 1) | flat
    if edge.any():
        first = int(np.flatnonzero(keep)[np.flatnonzero(edge)[0]])
        raise no_peak_error(offset, scale, n, start, stop, int(edge.sum()), sub.shape[0], first)
    pos = imax.astype(float)
    if subpixel and method != "argmax":
        if half_width is None:
            probe = 8
            hw = _half_width(_window(sub, imax, probe), probe)
        else:
            hw = max(float(half_width), 0.5)
        if method == "fit":
            h = max(1, int(round(hw)))
            ok, d = _gaussian_fit(sub, imax, h)
            # fall back to the three top channels where the wider fit fails
            ok3, d3 = _gaussian_fit(sub, imax, 1)
            pos = pos + np.where(ok, d, np.where(ok3, d3, 0.0))
            if h > 1:
                # refit on a window centred on the estimate: noise can put the
                # brightest channel a channel off the centre, and a lopsided
                # window biases the fit
                centre = np.clip(np.round(pos).astype(np.intp), 0, w - 1)
                ok2, d2 = _gaussian_fit(sub, centre, h)
                pos = np.where(ok2 & (np.abs(d2) <= 1.0), centre + d2, pos)
        else:
            pos = _symmetric_centroid(sub, pos, 2.0 * hw)
        pos = np.clip(pos, 0.0, w - 1.0)
    centres[keep] = offset + scale * (start + pos)
    return centres.reshape(nav_shape)


def align_zlp_shifts(centres, scale: float | None = None, target="mean") -> np.ndarray:
    """Shifts that bring every zero-loss peak to a common energy.

    Parameters
    ----------
    centres : array_like
        Peak centres in energy units (NaN for masked pixels).
    scale : float, optional
        Energy step per channel. Given, the shifts are in channels, ready for
        :func:`emunmix.preprocess.shift.shift_1d`; otherwise in energy units.
    target : "mean", "median" or float
        Where the peaks go: their mean (HyperSpy's choice, which keeps the
        shifts smallest on average), their median, or a given energy.

    Returns
    -------
    numpy.ndarray
        ``(target - centres)`` (divided by ``scale``); NaN where the centre is NaN.
        Positive shifts move a spectrum to higher energies.

    Examples
    --------
    >>> align_zlp_shifts([0.5, -0.5, 1.5], scale=0.5)
    array([ 0.,  2., -2.])
    """
    c = np.asarray(centres, dtype=float)
    if isinstance(target, str):
        if not np.isfinite(c).any():
            raise ValueError("no finite zero-loss-peak centre to align to")
        if target == "mean":
            t = np.nanmean(c)
        elif target == "median":
            t = np.nanmedian(c)
        else:
            raise ValueError(f"target must be 'mean', 'median' or a number, got {target!r}")
    else:
        t = float(target)
    shifts = t - c
    if scale is not None:
        if scale == 0 or not np.isfinite(scale):
            raise ValueError(f"invalid scale {scale!r}")
        shifts = shifts / scale
    return shifts
