"""Shifting and aligning 1-D signals: ``shift1D``, ``estimate_shift1D``, ``align1D``.

Thin signal methods over :mod:`emunmix.preprocess.shift`: they validate the
user's arguments, convert calibrated shifts to channels, call the vectorised
kernels and only then write the results back, so a call that fails leaves
every signal untouched.

Sign convention (HyperSpy's): a positive shift moves features to higher values
of the signal axis, ``out(E) = data(E - shift)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..preprocess.shift import (
    crop_range_after_shift,
    estimate_shift_1d,
    expand_range_for_shift,
    shift_1d,
)

# HyperSpy's interpolation names -> the kernel's three kinds, plus our "gaussian"
_INTERPOLATION_ALIASES = {
    "linear": "linear", "slinear": "linear", 1: "linear",
    "cubic": "cubic", 3: "cubic",
    "nearest": "nearest", "zero": "nearest", 0: "nearest",
    "gaussian": "gaussian",
}
# Width (channels) of the "gaussian" resampling kernel: the smallest for which the blur
# no longer depends on the sub-channel part of the shift (its aliasing, exp(-2 pi^2
# sigma^2) at one cycle per channel, is below 1e-3), so the shifts leave no component
# of their own in a decomposition; FWHM 1.4 channels.
GAUSSIAN_SIGMA = 0.6
_GAUSSIAN_TAPS = np.arange(-2, 4)  # taps k-2 .. k+3 around position k + f, f in [0, 1)
_EDGE_TOL = 1e-9


@dataclass
class _PendingShift:
    """A shift computed for one signal but not yet written to it."""

    signal: object
    data: object
    offset: float
    size: int

    def apply(self) -> None:
        axis = self.signal.axes_manager.signal_axes[0]
        self.signal._data = self.data
        axis.offset = self.offset
        axis.size = self.size


def _interpolation_kind(method) -> str:
    key = method.lower() if isinstance(method, str) else method
    try:
        return _INTERPOLATION_ALIASES[key]
    except (KeyError, TypeError):
        raise ValueError(
            f"interpolation_method must be one of 'linear' (or 'slinear', 1), 'cubic' (3), "
            f"'nearest' ('zero', 0) or 'gaussian'; got {method!r}"
        ) from None


def _check_signal1d(signal, what: str = "this signal") -> None:
    from .base import BaseSignal

    if not isinstance(signal, BaseSignal):
        raise TypeError(f"{what} must be a signal, not {type(signal).__name__}")
    if signal.axes_manager.signal_dimension != 1:
        raise ValueError(
            f"{what} must have exactly one signal axis; it has "
            f"{signal.axes_manager.signal_dimension} {signal.axes_manager._signature()}"
        )


def _nav_array_shape(signal) -> tuple[int, ...]:
    """Navigation shape in numpy (array) order."""
    return tuple(signal.axes_manager.navigation_shape[::-1])


def navigation_values(signal, values, name: str, dtype=float) -> np.ndarray:
    """``values`` (array, scalar or signal) as an array of the navigation shape (array order).

    A signal is accepted when its data hold one value per navigation position,
    whatever its axes are called (HyperSpy passes ``shift_array`` and ``mask``
    this way).
    """
    from .base import BaseSignal

    nav_shape = _nav_array_shape(signal)
    arr = values.data if isinstance(values, BaseSignal) else values
    arr = np.asarray(arr.compute() if hasattr(arr, "compute") else arr, dtype=dtype)
    if isinstance(values, BaseSignal) and arr.size == int(np.prod(nav_shape, dtype=int)):
        arr = arr.reshape(nav_shape)  # e.g. a (64, 64|) signal of centres
    try:
        return np.broadcast_to(arr, nav_shape)
    except ValueError:
        raise ValueError(
            f"{name} of shape {arr.shape} does not match the navigation shape "
            f"{nav_shape} (array order; {signal.axes_manager._signature()} in natural order)"
        ) from None


def navigation_mask(signal, mask) -> np.ndarray | None:
    """A navigation mask (True = skip) as a bool array in array order, or None."""
    if mask is None or mask is False:
        return None
    return navigation_values(signal, mask, "mask", dtype=bool)


def _computed(data):
    return np.asarray(data.compute()) if hasattr(data, "compute") else np.asarray(data)


def pending_shift(signal, shifts, interpolation_method="linear", crop=True, expand=False,
                  fill_value=np.nan) -> _PendingShift:
    """Shift ``signal`` by calibrated ``shifts`` into a :class:`_PendingShift` (no change yet).

    ``shifts`` is already an array of the navigation shape (array order); NaN
    entries leave that spectrum unshifted and do not count for cropping.
    """
    kind = _interpolation_kind(interpolation_method)
    axis = signal.axes_manager.signal_axes[0]
    channels = np.asarray(shifts, dtype=float) / axis.scale
    finite = channels[np.isfinite(channels)]
    n = axis.size
    offset = axis.offset
    if expand and finite.size:
        before, _ = expand_range_for_shift(finite)
        offset = axis.offset - before * axis.scale
    elif crop and finite.size:
        lo, hi = crop_range_after_shift(finite, n)
        if hi <= lo:
            raise ValueError(
                f"the shifts span {np.ptp(finite):g} channels, as much as the "
                f"{n} channels of the signal axis: cropping would leave nothing "
                "(use crop=False)"
            )
        offset = axis.offset + lo * axis.scale
    data = signal.data
    if signal._lazy:
        new = _lazy_shift(data, channels, kind, fill_value, crop, expand)
    elif expand:
        new = _shift(data, channels, kind, fill_value, expand=True)
    else:
        new = _shift(data, channels, kind, fill_value, crop=crop)
    return _PendingShift(signal, new, offset, new.shape[-1])


def _shift(data, channels, kind, fill_value, expand=False, crop=False):
    """``shift_1d`` for the kernel's interpolations, :func:`gaussian_shift_1d` for ours."""
    if kind == "gaussian":
        return gaussian_shift_1d(data, channels, fill_value=fill_value, expand=expand,
                                 crop=crop)
    return shift_1d(data, channels, interpolation=kind, fill_value=fill_value, expand=expand,
                    crop=crop)


def gaussian_shift_1d(data, shifts, sigma: float = GAUSSIAN_SIGMA, fill_value=np.nan,
                      expand=False, crop=False) -> np.ndarray:
    """Shift spectra by resampling with a Gaussian kernel (same blur whatever the shift).

    Output channel ``j`` is the Gaussian-weighted mean (``sigma`` channels) of the
    input channels around position ``j - shift``. Linear interpolation blurs a
    spectrum by an amount that depends on the sub-channel part of its shift (not
    at all for whole channels, most for half ones); on spectra whose peaks are a
    channel or two wide that varying blur is a component of its own in a
    decomposition. Here every spectrum gets the same blur (FWHM 1.4 channels
    for the default ``sigma``), and the shifts leave nothing behind.

    Parameters and conventions are those of
    :func:`emunmix.preprocess.shift.shift_1d` (positive shifts move features to
    higher channels; NaN shifts leave a spectrum as it is; ``expand`` True or
    ``(before, after)``; ``crop``). Near the ends the kernel is cut and
    renormalised, so the valid channels are those of linear interpolation.

    Examples
    --------
    >>> x = np.zeros((1, 16)); x[0, 8] = 1.0
    >>> y = gaussian_shift_1d(x, [2.0], fill_value=0.0)
    >>> int(np.argmax(y)), round(float(y.sum()), 6)
    (10, 1.0)
    """
    data = np.asarray(data)
    if not np.issubdtype(data.dtype, np.floating):
        data = data.astype(float)
    nav_shape, n = data.shape[:-1], data.shape[-1]
    try:
        s = np.broadcast_to(np.asarray(shifts, dtype=float), nav_shape).reshape(-1)
    except ValueError:
        raise ValueError(f"shifts of shape {np.shape(shifts)} do not match the navigation "
                         f"shape {nav_shape}") from None
    rows = data.reshape(-1, n)
    if isinstance(expand, tuple):
        before, after = (int(v) for v in expand)
    elif expand:
        before, after = expand_range_for_shift(s)
    else:
        before = after = 0
    m = n + before + after
    unshifted = ~np.isfinite(s)
    s0 = np.where(unshifted, 0.0, s)
    pos0 = -before - s0  # output j samples input position j + pos0 = j + k + f
    k = np.floor(pos0 + _EDGE_TOL)
    f = np.clip(pos0 - k, 0.0, None)
    f[f < _EDGE_TOL] = 0.0
    k = k.astype(np.intp)
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
    sorted_out = np.full((n_shifted, m), fill_value, dtype=dtype)
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
            acc[:, -1] = np.where(fs == 0, acc[:, -1], fill_value)
        sorted_out[r0:r1, a:b] = acc
    out = np.full((rows.shape[0], m), fill_value, dtype=dtype)
    out[order] = sorted_out
    if unshifted.any():
        out[unshifted] = fill_value
        out[unshifted, before:before + n] = rows[unshifted]
    out = out.reshape(*nav_shape, m)
    if crop and not expand:
        lo_c, hi_c = crop_range_after_shift(s[~unshifted], n)
        out = out[..., lo_c:hi_c]
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


def _lazy_shift(data, channels, kind, fill_value, crop, expand):
    """Shift a dask array block by block (the signal axis in one chunk)."""
    import dask.array as da

    nav_chunks = data.chunks[:-1]
    data = data.rechunk(nav_chunks + (-1,))
    shifts = da.from_array(channels, chunks=nav_chunks)
    finite = channels[np.isfinite(channels)]
    dtype = data.dtype if np.issubdtype(data.dtype, np.floating) else np.dtype(float)
    if expand:
        before, after = expand_range_for_shift(finite)
        n_out = data.shape[-1] + before + after

        def block(d, s):
            # the global amounts, so that every block gets the same axis
            return _shift(d, s[..., 0], kind, fill_value, expand=(before, after))
    else:
        lo, hi = crop_range_after_shift(finite, data.shape[-1]) if crop else (0, data.shape[-1])
        n_out = hi - lo

        def block(d, s):
            return _shift(d, s[..., 0], kind, fill_value)[..., lo:hi]

    return da.map_blocks(block, data, shifts[..., None], dtype=dtype,
                         chunks=nav_chunks + ((n_out,),))


def _index_on_axis(axis, value, name: str) -> int | None:
    """An int is an index, a float a calibrated value (HyperSpy's rule); None stays None."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be an int index or a float value, not a bool")
    if isinstance(value, (int, np.integer)):
        index = int(value) + (axis.size if value < 0 else 0)
        if not 0 <= index <= axis.size:
            raise IndexError(
                f"{name}={value} is outside the signal axis {axis.name!r} of {axis.size} "
                "channels"
            )
        return index
    try:
        return axis.value2index(float(value))
    except IndexError as err:
        raise ValueError(f"{name}={value}: {err}") from None


def _progress(show_progressbar, total: int, desc: str):
    """A tqdm bar over a few vectorised steps when asked for; a no-op otherwise."""
    if show_progressbar:
        from tqdm.auto import tqdm

        return tqdm(total=total, desc=desc, leave=False)
    return _NoBar()


class _NoBar:
    def update(self, n=1):
        pass

    def close(self):
        pass


class ShiftingMixin:
    """``shift1D`` / ``estimate_shift1D`` / ``align1D`` for signals with one signal axis."""

    def shift1D(self, shift_array, interpolation_method="linear", crop=True, expand=False,
                fill_value=np.nan, show_progressbar=None):
        """Shift each spectrum by a calibrated amount along the signal axis, in place.

        Parameters
        ----------
        shift_array : array_like, float or signal
            Shifts in signal-axis units (e.g. eV), one per navigation position:
            a numpy array in the navigation shape (array order, i.e. ``(y, x)``),
            a scalar, or a signal holding one value per position. A positive
            shift moves features to higher energy: ``out(E) = data(E - shift)``.
            NaN leaves that spectrum unchanged.
        interpolation_method : {"linear", "cubic", "nearest"}
            Interpolation between channels ("slinear", "zero" and the spline
            orders 0, 1, 3 are accepted as HyperSpy spells them).
        crop : bool
            Crop the signal axis to the channels valid in every spectrum.
        expand : bool
            Extend the signal axis so that no data are lost (overrides ``crop``).
        fill_value : float
            Value of the channels read from outside the data (NaN by default).
        show_progressbar : bool, optional
            Show a progress bar (the work is vectorised: one step per array pass).

        Raises
        ------
        ValueError
            If the shifts do not match the navigation shape, are infinite, or
            span more than the signal axis with ``crop=True``. Nothing changes.

        Examples
        --------
        >>> import numpy as np
        >>> from emunmix.signal import Signal1D
        >>> s = Signal1D(np.arange(20.0).reshape(2, 10))
        >>> s.shift1D(np.array([0.0, 1.0]), crop=False)
        >>> s.data[1, :3]
        array([nan, 10., 11.])
        """
        _check_signal1d(self)
        shifts = navigation_values(self, shift_array, "shift_array")
        if np.isinf(shifts).any():
            raise ValueError("shift_array holds infinite values")
        bar = _progress(show_progressbar, 1, "shift1D")
        pending = pending_shift(self, shifts, interpolation_method, crop, expand, fill_value)
        bar.update()
        bar.close()
        pending.apply()

    def estimate_shift1D(self, start=None, end=None, reference_indices=None, max_shift=None,
                         interpolate=True, number_of_interpolation_points=5, mask=None,
                         show_progressbar=None, num_workers=None, *, start_index=None,
                         end_index=None):
        """Shifts that align every spectrum with a reference, by cross-correlation.

        Parameters
        ----------
        start, end : int, float or None
            The window used for the correlation: ints are channel indices,
            floats calibrated values (HyperSpy's rule). ``start_index`` /
            ``end_index`` are accepted as the older HyperSpy names.
        reference_indices : tuple of int, "mean" or None
            Navigation indices (natural order, ``(x, y)``) of the reference
            spectrum; None uses the current position (``axes_manager.indices``,
            as HyperSpy); "mean" uses the mean spectrum, less noisy.
        max_shift : int, optional
            Largest shift searched for, in channels (HyperSpy's meaning).
        interpolate : bool
            Sub-channel precision. The correlation peak is refined analytically
            (Gaussian through its top three values), so
            ``number_of_interpolation_points`` is accepted but not needed.
        mask : array_like or signal of bool, optional
            True where no shift is estimated (NaN is returned there).
        show_progressbar, num_workers
            Accepted for HyperSpy compatibility; the estimate is one vectorised
            FFT correlation.

        Returns
        -------
        numpy.ndarray
            Shifts in calibrated units, navigation shape (array order), in the
            convention of :meth:`shift1D`: ``s.shift1D(s.estimate_shift1D())``
            aligns the spectra.

        Raises
        ------
        ValueError
            Window outside the axis or under 3 channels, NaN in the window,
            a mask or reference that does not fit.
        """
        _check_signal1d(self)
        if number_of_interpolation_points is not None and number_of_interpolation_points < 1:
            raise ValueError("number_of_interpolation_points must be a positive integer")
        start = start if start_index is None else start_index
        end = end if end_index is None else end_index
        axis = self.axes_manager.signal_axes[0]
        i1 = _index_on_axis(axis, start, "start")
        i2 = _index_on_axis(axis, end, "end")
        nmask = navigation_mask(self, mask)
        nav_shape = _nav_array_shape(self)
        if isinstance(reference_indices, str):
            if reference_indices != "mean":
                raise ValueError(
                    f"reference_indices must be a tuple of indices, 'mean' or None, got "
                    f"{reference_indices!r}")
            reference = None
        else:
            idx = self.axes_manager.indices if reference_indices is None else reference_indices
            idx = tuple(int(i) for i in np.atleast_1d(idx))
            if len(idx) != len(nav_shape):
                raise ValueError(
                    f"reference_indices {reference_indices!r} must have "
                    f"{len(nav_shape)} entries (natural order), one per navigation axis")
            for i, n in zip(idx, self.axes_manager.navigation_shape):
                if not 0 <= i < n:
                    raise IndexError(
                        f"reference_indices {tuple(idx)} out of the navigation shape "
                        f"{self.axes_manager.navigation_shape}")
            reference = int(np.ravel_multi_index(idx[::-1], nav_shape)) if nav_shape else 0
        window = self.data[..., i1:i2]
        if window.shape[-1] < 3:
            raise ValueError(
                f"the window [{start}, {end}] holds {window.shape[-1]} channel(s) of the "
                f"signal axis [{axis.low_value:g}, {axis.high_value:g}]; at least 3 are needed")
        shifts = estimate_shift_1d(_computed(window), reference=reference, max_shift=max_shift,
                                   subpixel=bool(interpolate), mask=nmask)
        return np.asarray(shifts, dtype=float) * axis.scale

    def align1D(self, start=None, end=None, reference_indices=None, max_shift=None,
                interpolate=True, number_of_interpolation_points=5,
                interpolation_method="linear", crop=True, expand=False, fill_value=np.nan,
                also_align=None, mask=None, show_progressbar=None, iterpath=None):
        """Align the spectra by cross-correlation and apply the shifts, in place.

        The shifts come from :meth:`estimate_shift1D` (same parameters) and are
        applied with :meth:`shift1D` to this signal and to every signal of
        ``also_align`` (same navigation shape; its own signal axis, the shifts
        being in calibrated units).

        Returns
        -------
        numpy.ndarray
            The shifts applied, in calibrated units.

        Raises
        ------
        ValueError
            Before anything is modified: an ``also_align`` signal whose
            navigation shape differs, or any error of the estimate or the shift.
        """
        _check_signal1d(self)
        others = check_also_align(self, also_align)
        shifts = self.estimate_shift1D(
            start, end, reference_indices=reference_indices, max_shift=max_shift,
            interpolate=interpolate,
            number_of_interpolation_points=number_of_interpolation_points, mask=mask)
        bar = _progress(show_progressbar, 1 + len(others), "align1D")
        pending = []
        for sig in [self, *others]:
            pending.append(pending_shift(sig, shifts, interpolation_method, crop, expand,
                                         fill_value))
            bar.update()
        bar.close()
        for p in pending:
            p.apply()
        return shifts


def check_also_align(signal, also_align) -> list:
    """Validate ``also_align`` (a signal or a sequence of them) against ``signal``."""
    from .base import BaseSignal

    if also_align is None:
        return []
    if isinstance(also_align, BaseSignal):
        also_align = [also_align]
    if not isinstance(also_align, Sequence):
        raise TypeError(
            f"also_align must be a list of signals, not {type(also_align).__name__}")
    others = list(also_align)
    nav = signal.axes_manager.navigation_shape
    for i, other in enumerate(others):
        _check_signal1d(other, f"also_align[{i}]")
        if other is signal:
            raise ValueError(f"also_align[{i}] is the signal being aligned itself")
        if any(other is o for o in others[:i]):
            raise ValueError(f"also_align[{i}] appears twice in also_align")
        onav = other.axes_manager.navigation_shape
        if onav != nav:
            raise ValueError(
                f"also_align[{i}] has navigation shape {onav} "
                f"{other.axes_manager._signature()} but the signal being aligned has "
                f"{nav} {signal.axes_manager._signature()}: they must be equal; "
                "no signal was modified")
    return others
