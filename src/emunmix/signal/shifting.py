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

from ..chunking import whole_spectra
from ..preprocess.shift import (
    crop_range_after_shift,
    estimate_shift_1d,
    expand_range_for_shift,
    shift_1d,
)
from ..validation import bool_mask
from .protocol import is_signal

# HyperSpy's interpolation names -> the kernel's kinds ("gaussian" is ours)
_INTERPOLATION_ALIASES = {
    "linear": "linear", "slinear": "linear", 1: "linear",
    "cubic": "cubic", 3: "cubic",
    "nearest": "nearest", "zero": "nearest", 0: "nearest",
    "gaussian": "gaussian",
}


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


def _check_signal1d(signal, what: str = "this signal", operation: str | None = None) -> None:
    """One signal axis; with ``operation``, also a uniform one (shifts and spike
    replacement work in channels of one width)."""
    from .axes_nonuniform import require_uniform

    if not is_signal(signal):
        raise TypeError(f"{what} must be a signal, not {type(signal).__name__}")
    if signal.axes_manager.signal_dimension != 1:
        raise ValueError(
            f"{what} must have exactly one signal axis; it has "
            f"{signal.axes_manager.signal_dimension} {signal.axes_manager._signature()}"
        )
    if operation is not None:
        require_uniform(signal.axes_manager.signal_axes[0], operation)


def _nav_array_shape(signal) -> tuple[int, ...]:
    """Navigation shape in numpy (array) order."""
    return tuple(signal.axes_manager.navigation_shape[::-1])


def navigation_values(signal, values, name: str, dtype=float) -> np.ndarray:
    """``values`` (array, scalar or signal) as an array of the navigation shape (array order).

    A signal is accepted when its data hold one value per navigation position,
    whatever its axes are called (HyperSpy passes ``shift_array`` and ``mask``
    this way).
    """
    nav_shape = _nav_array_shape(signal)
    arr = values.data if is_signal(values) else values
    if dtype is bool:
        arr = bool_mask(arr, name)
    else:
        arr = np.asarray(arr.compute() if hasattr(arr, "compute") else arr, dtype=dtype)
    if is_signal(values) and arr.size == int(np.prod(nav_shape, dtype=int)):
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
    if not expand and finite.size and np.abs(finite).max() > n - 1:
        # HyperSpy 2.5 refuses these too ("out of the axis limits"), even with crop=False
        off = int((np.abs(channels) > n - 1).sum())
        units = axis.units if axis.units and axis.units != "<undefined>" else "axis units"
        raise ValueError(
            f"shifts of up to {np.abs(finite).max() * abs(axis.scale):g} {units} "
            f"({np.abs(finite).max():g} channels) move {off} of {channels.size} spectra "
            f"entirely off the signal axis of {n} channels (range "
            f"{abs(axis.scale) * (n - 1):g}), so they would be all NaN; check the shifts "
            "(in axis units, not channels?), or pass expand=True to widen the axis"
        )
    if expand and finite.size:
        before, _ = expand_range_for_shift(finite)
        offset = axis.offset - before * axis.scale
    elif crop and finite.size:
        lo, hi = crop_range_after_shift(finite, n)
        if hi <= lo:
            raise ValueError(
                f"the shifts move the spectra by {finite.min():g} to {finite.max():g} "
                f"channels: no channel of the {n} on the signal axis stays valid in every "
                "spectrum, so cropping would leave nothing; check the shifts (in axis "
                "units, not channels?) or pass crop=False"
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
    return shift_1d(data, channels, interpolation=kind, fill_value=fill_value, expand=expand,
                    crop=crop)


def _lazy_shift(data, channels, kind, fill_value, crop, expand):
    """Shift a dask array block by block (the signal axis in one chunk)."""
    import dask.array as da

    data = whole_spectra(data, "shift1D")
    nav_chunks = data.chunks[:-1]
    shifts = da.from_array(channels, chunks=nav_chunks)
    finite = channels[np.isfinite(channels)]
    dtype = data.dtype if np.issubdtype(data.dtype, np.floating) else np.dtype(float)
    if expand:
        before, after = expand_range_for_shift(finite)
        n_out = data.shape[-1] + before + after

        def rows(d, s):
            # the global amounts, so that every block gets the same axis
            return _shift(d, s, kind, fill_value, expand=(before, after))
    else:
        lo, hi = crop_range_after_shift(finite, data.shape[-1]) if crop else (0, data.shape[-1])
        n_out = hi - lo

        def rows(d, s):
            return _shift(d, s, kind, fill_value)[..., lo:hi]

    def block(d, s):
        # slices of spectra (each is shifted alone): the kernel's float64 temporaries
        # stay a few MiB instead of several copies of the chunk
        flat, sh = d.reshape(-1, d.shape[-1]), s.reshape(-1)
        step = max(1, _SLICE_VALUES // max(d.shape[-1], 1))
        out = np.empty((flat.shape[0], n_out), dtype=dtype)
        for a in range(0, flat.shape[0], step):
            out[a:a + step] = rows(flat[a:a + step], sh[a:a + step])
        return out.reshape(d.shape[:-1] + (n_out,))

    return da.map_blocks(block, data, shifts[..., None], dtype=dtype,
                         chunks=nav_chunks + ((n_out,),))


# values per slice of a chunk's spectra in the lazy shifts
_SLICE_VALUES = 2**20


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
        _check_signal1d(self, operation="shift1D()")
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
        _check_signal1d(self, operation="estimate_shift1D()")
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
        _check_signal1d(self, operation="align1D()")
        others = check_also_align(self, also_align)
        shifts = self.estimate_shift1D(
            start, end, reference_indices=reference_indices, max_shift=max_shift,
            interpolate=interpolate,
            number_of_interpolation_points=number_of_interpolation_points, mask=mask)
        if crop and not expand:
            _check_alignment_keeps_half(self, shifts)
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


def _check_alignment_keeps_half(signal, shifts) -> None:
    """Refuse an alignment whose crop would keep less than half of the signal axis: the
    spectra then share no feature to align on (noise, a window without one)."""
    axis = signal.axes_manager.signal_axes[0]
    channels = np.asarray(shifts, dtype=float) / axis.scale
    finite = channels[np.isfinite(channels)]
    if not finite.size:
        return
    lo, hi = crop_range_after_shift(finite, axis.size)
    if hi - lo < axis.size / 2:
        raise ValueError(
            f"align1D: the estimated shifts range from {finite.min():.3g} to "
            f"{finite.max():.3g} channels, so cropping would keep {max(hi - lo, 0)} of "
            f"{axis.size} channels; nothing was changed. The spectra seem to share no "
            "feature to align on: give start/end around one, limit max_shift, or pass "
            "crop=False")


def check_also_align(signal, also_align) -> list:
    """Validate ``also_align`` (a signal or a sequence of them) against ``signal``."""
    if also_align is None:
        return []
    if is_signal(also_align):
        also_align = [also_align]
    if not isinstance(also_align, Sequence):
        raise TypeError(
            f"also_align must be a list of signals, not {type(also_align).__name__}")
    others = list(also_align)
    nav = signal.axes_manager.navigation_shape
    for i, other in enumerate(others):
        _check_signal1d(other, f"also_align[{i}]",
                        operation=f"aligning also_align[{i}]")
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
