"""``EELSSpectrum``: electron energy-loss spectra (signal_type "EELS").

Adds exspy's zero-loss-peak tools on top of :class:`Signal1D`:
``estimate_zero_loss_peak_centre`` and ``align_zero_loss_peak``. They call the
vectorised kernels of :mod:`emunmix.preprocess.zlp` and
:mod:`emunmix.preprocess.shift`; every argument and every signal is checked,
and all results are computed, before any signal is modified.
"""

from __future__ import annotations

import numpy as np

from ..preprocess.zlp import estimate_zlp_centre
from ..preprocess.zlp_lazy import estimate_zlp_centre_blockwise, peak_window_channels
from ..progress import showing
from .eels_guards import ZLPGuard
from .shifting import (
    _check_signal1d,
    _computed,
    _progress,
    check_also_align,
    navigation_mask,
    pending_shift,
)
from .signal1d import Signal1D
from .types import register_signal_class

_SHIFT_KWARGS = ("interpolation_method", "fill_value", "expand")


def summary_statistics(values) -> dict:
    """Mean, std, min, Q1, median, Q3 and max of the finite ``values``.

    Examples
    --------
    >>> summary_statistics([1.0, 2.0, 3.0, np.nan])["median"]
    2.0
    """
    v = np.asarray(values, dtype=float).ravel()
    v = v[np.isfinite(v)]
    if v.size == 0:
        return dict.fromkeys(("mean", "std", "min", "Q1", "median", "Q3", "max"), np.nan)
    q1, med, q3 = np.percentile(v, [25, 50, 75])
    return {"mean": float(v.mean()), "std": float(v.std()), "min": float(v.min()),
            "Q1": float(q1), "median": float(med), "Q3": float(q3), "max": float(v.max())}


def format_summary_statistics(values, title: str | None = None, fmt: str = "%.3g") -> str:
    """HyperSpy's ``print_summary_statistics`` layout, with an optional underlined title."""
    st = summary_statistics(values)
    lines = []
    if title:
        lines += [title, "-" * len(title)]
    lines += ["Summary statistics", "------------------",
              f"mean:\t{fmt % st['mean']}", f"std:\t{fmt % st['std']}", "",
              f"min:\t{fmt % st['min']}", f"Q1:\t{fmt % st['Q1']}",
              f"median:\t{fmt % st['median']}", f"Q3:\t{fmt % st['Q3']}",
              f"max:\t{fmt % st['max']}"]
    return "\n".join(lines)


def _energy_range(axis, signal_range):
    """``signal_range`` as a pair of energies: ints are channel indices, floats energies."""
    if signal_range is None:
        return None
    try:
        lo, hi = signal_range
    except (TypeError, ValueError):
        raise ValueError(
            f"signal_range must be a pair (start, end) of energies (floats) or channel "
            f"indices (ints), got {signal_range!r}") from None
    out = []
    for v in (lo, hi):
        if isinstance(v, (bool, np.bool_)) or v is None:
            raise ValueError(f"signal_range {signal_range!r}: bounds must be numbers")
        if isinstance(v, (int, np.integer)):
            i = int(v) + (axis.size if v < 0 else 0)
            if not 0 <= i <= axis.size:
                raise ValueError(
                    f"signal_range {signal_range!r}: index {v} is outside the energy axis "
                    f"of {axis.size} channels")
            v = axis.offset + axis.scale * min(i, axis.size - 1)
        v = float(v)
        if not np.isfinite(v):
            raise ValueError(f"signal_range {signal_range!r} must be finite")
        out.append(v)
    return tuple(out)


def _check_finite(rows):
    bad = ~np.isfinite(rows).all(axis=1)
    if bad.any():
        raise ValueError(
            f"{int(bad.sum())} spectra hold NaN or infinite values (first: flat index "
            f"{int(np.flatnonzero(bad)[0])}); mask them (mask=...) or clean the data first")


def _peak_window(rows, offset, scale):
    """Energies of the channels around every spectrum's brightest channel.

    The centre estimator then reads only these channels (a tenth of a
    low-loss spectrum), not the whole axis; a peak on the axis' ends stays
    on the window's ends, so "no zero-loss peak" is still detected.
    """
    window = peak_window_channels(np.argmax(rows, axis=1), rows.shape[1])
    if window is None:
        return None
    return (offset + scale * window[0], offset + scale * window[1])


class EELSSpectrum(Signal1D):
    """EELS spectrum image; adds zero-loss-peak tools (see exspy's names)."""

    _signal_type = "EELS"

    def _zlp_centres(self, data, offset, mask, signal_range, subpixel, method):
        scale = self.axes_manager.signal_axes[0].scale
        if self._lazy:  # two passes over the chunks, navigation-sized results only
            return estimate_zlp_centre_blockwise(
                data, offset, scale, signal_range=signal_range, subpixel=subpixel,
                method="argmax" if not subpixel else method, mask=mask, peak_window=True)
        rows = data.reshape(-1, data.shape[-1])
        keep = None if mask is None else ~np.asarray(mask, bool).reshape(-1)
        if signal_range is None:
            _check_finite(rows if keep is None else rows[keep])
            signal_range = _peak_window(rows if keep is None else rows[keep], offset, scale)
        return estimate_zlp_centre(
            data, offset, scale, signal_range=signal_range, subpixel=subpixel,
            method="argmax" if not subpixel else method, mask=mask)

    def _centre_data(self):
        return self.data if self._lazy else _computed(self.data)

    def estimate_zero_loss_peak_centre(self, mask=None, signal_range=None, subpixel=True,
                                       method="fit"):
        """Energy of the zero-loss peak in every spectrum.

        Parameters
        ----------
        mask : array_like or signal of bool, optional
            Navigation mask, True where no centre is estimated (NaN there).
        signal_range : (float, float) or (int, int), optional
            Where to look for the peak: energies, or channel indices as ints
            (default: the whole axis).
        subpixel : bool
            Refine below one channel (default). False gives the energy of the
            brightest channel, exspy's one-channel result.
        method : {"fit", "com"}
            Sub-channel refinement: a Gaussian fitted to the peak's top
            (default) or its symmetric centroid, more robust at low counts
            (see :func:`emunmix.preprocess.zlp.estimate_zlp_centre`).

        Returns
        -------
        BaseSignal
            The centres in energy units, with this signal's navigation axes,
            titled ``"ZLP(<title>)"``.

        Raises
        ------
        ValueError
            NaN in the range, no peak inside the range, or a range outside the axis.

        Examples
        --------
        >>> import emunmix.api as hs
        >>> ll = hs.datasets.LL3()  # doctest: +SKIP
        >>> ll.estimate_zero_loss_peak_centre()  # doctest: +SKIP
        <BaseSignal, title: ZLP(LL3), dimensions: (64, 64|)>
        """
        _check_signal1d(self, operation="estimate_zero_loss_peak_centre()")
        axis = self.axes_manager.signal_axes[0]
        centres = self._zlp_centres(self._centre_data(), axis.offset, navigation_mask(self, mask),
                                    _energy_range(axis, signal_range), subpixel, method)
        return self._centres_signal(centres)

    def _centres_signal(self, centres):
        from .base import BaseSignal

        nav = [a for a in self.axes_manager._array_axes if a.navigate]
        if nav:
            axes = [a.get_axis_dictionary() for a in nav]
            data = np.asarray(centres, dtype=float)
        else:
            axes = [{"name": "Scalar", "size": 1, "navigate": False}]
            data = np.asarray(centres, dtype=float).reshape(1)
        out = self._new_like(data, axes=axes, cls=BaseSignal)
        title = self.metadata.get_item("General.title", "")
        out.metadata.set_item("General.title", f"ZLP({title})")
        out.metadata.set_item("Signal.signal_type", "")
        out.metadata.set_item("Signal.quantity",
                              f"Zero-loss peak centre ({self.axes_manager.signal_axes[0].units})")
        return out

    def align_zero_loss_peak(self, calibrate=True, also_align=(), print_stats=True,
                             subpixel=True, mask=None, signal_range=None,
                             show_progressbar=None, crop=True, **kwargs):
        """Align the zero-loss peaks, and shift other signals by the same energies.

        Every spectrum is moved so that its zero-loss peak sits at the mean
        position; the signals in ``also_align`` (e.g. the core loss acquired
        simultaneously) get the same energy shifts, each on its own energy
        axis. Unlike exspy, the centres are found to a fraction of a channel
        in one vectorised pass (a Gaussian fitted to the peak top), so no
        cross-correlation pass follows.

        Parameters
        ----------
        calibrate : bool
            Afterwards, set the energy offset of this signal and of every
            ``also_align`` signal so that the zero-loss peak is at 0.
        also_align : sequence of signals
            Signals with one signal axis and the same navigation shape.
        print_stats : bool
            Print the "Initial ZLP position statistics" (mean, std, min, Q1,
            median, Q3, max of the centres in energy units).
        subpixel : bool
            Sub-channel centres (default); False aligns to the brightest channel.
        mask : array_like or signal of bool, optional
            Navigation mask: True where a spectrum is left as it is.
        signal_range : (float, float) or (int, int), optional
            Where to look for the zero-loss peak (energies, or channel indices).
        show_progressbar : bool, optional
            A progress bar over the vectorised steps (never one per pixel).
        crop : bool
            Crop every signal to the channels valid in all its spectra.
        **kwargs
            ``interpolation_method``, ``fill_value`` (NaN) and ``expand``
            (False), passed to the shifts as in :meth:`shift1D`; ``method``
            ("fit" or "com"), the sub-channel centre estimator.
            ``interpolation_method`` defaults to ``"gaussian"`` here (exspy:
            "linear"): every spectrum is resampled with the same Gaussian
            kernel (FWHM 1.4 channels), whereas linear interpolation blurs each
            spectrum by an amount that depends on the fraction of a channel it
            moves. On core-loss data with one-channel-wide white lines that
            varying blur shows up as an extra component in the scree plot; the
            uniform blur does not. Pass ``interpolation_method="linear"`` for
            exspy's result.

        Raises
        ------
        ValueError
            An ``also_align`` signal with another navigation shape, no
            zero-loss peak inside the range, a ``signal_range`` outside the
            axis, NaN values in the range, every spectrum masked. Raised
            before any signal is modified.

        Examples
        --------
        >>> import emunmix.api as hs
        >>> ll3, s3 = hs.datasets.LL3(), hs.datasets.CL3()  # doctest: +SKIP
        >>> ll3.align_zero_loss_peak(also_align=[s3])  # doctest: +SKIP
        """
        method = kwargs.pop("method", "fit")
        shift_kwargs = {k: kwargs.pop(k) for k in _SHIFT_KWARGS if k in kwargs}
        shift_kwargs.setdefault("interpolation_method", "gaussian")
        if kwargs:
            raise TypeError(
                f"align_zero_loss_peak() got unexpected keyword argument(s) {sorted(kwargs)}; "
                f"accepted: {list(_SHIFT_KWARGS) + ['method']}")
        _check_signal1d(self, operation="align_zero_loss_peak()")
        others = check_also_align(self, also_align)
        axis = self.axes_manager.signal_axes[0]
        nmask = navigation_mask(self, mask)
        erange = _energy_range(axis, signal_range)
        bar = _progress(show_progressbar, 2 + len(others) + bool(calibrate),
                        "align_zero_loss_peak")
        try:
            with showing(show_progressbar):
                data = self._centre_data()
                guard = ZLPGuard(data, nmask, axis, crop)  # refuses noise, chunk by chunk
                centres = self._zlp_centres(data, axis.offset, guard.mask, erange,
                                            subpixel, method)
            bar.update()
            if not np.isfinite(centres).any():
                raise ValueError("every spectrum is masked: there is no zero-loss peak to align")
            centres = guard.checked(centres)  # implausible ones left alone, or refused
            if print_stats:
                print(format_summary_statistics(centres, "Initial ZLP position statistics"))
            target = float(np.nanmean(centres))
            shifts = target - centres  # NaN (masked) pixels stay as they are
            pending = []
            for sig in [self, *others]:
                pending.append(pending_shift(sig, shifts, crop=crop, **shift_kwargs))
                bar.update()
            if calibrate:
                # the shifts moved every true peak to exactly `target`; re-measuring the
                # interpolated peaks would only add the estimator's noise (and NaN edges)
                for p in pending:
                    p.offset -= target
                bar.update()
        finally:
            bar.close()
        for p in pending:
            p.apply()


    def vacuum_mask(self, threshold=10.0, start_energy=None, closing=True, opening=False):
        """The vacuum pixels: those whose mean count above ``start_energy`` is at most
        ``threshold`` (as exspy's ``EELSSpectrum.vacuum_mask``).

        Parameters
        ----------
        threshold : float, default 10.0
            A pixel whose mean over the energies from ``start_energy`` is
            ``<= threshold`` is vacuum.
        start_energy : float or None
            The lowest energy of that mean; None: the last quarter of the axis
            (``0.75 * high_value`` on).
        closing : bool, default True
            Apply a morphological closing.
        opening : bool, default False
            Apply a morphological opening.

        Returns
        -------
        BaseSignal
            Boolean, of the navigation shape, True for vacuum.
        """
        from .eds import vacuum_mask_from

        if self.axes_manager.navigation_dimension == 0:
            return vacuum_mask_from(self, None, threshold, closing, opening)
        axis = self.axes_manager.signal_axes[0]
        if start_energy is None:
            start_energy = 0.75 * axis.high_value
        part = self.isig[float(start_energy):]
        return vacuum_mask_from(self, part.mean(-1), threshold, closing, opening)


register_signal_class(EELSSpectrum, "EELS", 1, False, aliases=("EELSSpectrum",))
