"""Spike detection and removal methods of 1-D signals.

``find_spikes``, ``spikes_removal_tool`` and ``remove_spikes`` validate the
user's arguments, call the kernels of :mod:`emunmix.preprocess.spikes` on the
(pixels, channels) data and write the result back in place only once it is
complete. The interactive tool lives in :mod:`emunmix.plot.spikes_tool`, the
report of an automatic removal in :mod:`.spikes_report`.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..preprocess import spikes as _kernels
from ..preprocess.spikes import median_replace
from ..validation import bool_mask
from .protocol import is_signal, signal_class
from .shifting import _check_signal1d, _computed, navigation_values
from .spikes_report import SpikesRemovalReport, _spike_positions, _units
from .spikes_search import SpikeSearch, check_threshold, restore_dtype

# keyword arguments of spikes_removal_tool that reach the kernels
_FIND_KWARGS = ("method", "spectral_threshold", "n_components", "max_components")
_REMOVE_KWARGS = ("replacement",)


def interactive_gui_available() -> bool:
    """True where the tool can take the user's clicks and keys.

    In a Jupyter kernel: ipywidgets and an interactive matplotlib backend
    (``%matplotlib widget``). Elsewhere: a desktop backend (Qt, Tk...) in
    interactive mode (``plt.ion()``, IPython's ``%matplotlib``), where the
    tool's window opens at once and is driven by keys. Anything else (a
    script, the inline backend, Agg) gets the automatic mode, so a default
    ``spikes_removal_tool()`` never waits for a GUI that cannot appear.
    """
    from ..plot.backend import have_ipywidgets, is_interactive_backend

    try:
        from IPython import get_ipython
    except ImportError:
        get_ipython = None
    shell = get_ipython() if get_ipython is not None else None
    if shell is not None and getattr(shell, "kernel", None) is not None:
        return have_ipywidgets() and is_interactive_backend()
    import matplotlib

    return is_interactive_backend() and matplotlib.is_interactive() and \
        "webagg" not in str(matplotlib.get_backend()).lower()


def _signal_mask(signal, signal_mask):
    if signal_mask is None:
        return None
    arr = signal_mask.data if is_signal(signal_mask) else signal_mask
    arr = bool_mask(arr, "signal_mask")
    n = signal.axes_manager.signal_axes[0].size
    if arr.size != n:
        raise ValueError(
            f"signal_mask has shape {arr.shape}; expected one value per channel ({n})")
    return arr.reshape(n)


def _navigation_mask(signal, navigation_mask):
    if navigation_mask is None or navigation_mask is False:
        return None
    if not signal.axes_manager.navigation_dimension:
        raise ValueError("navigation_mask given for a signal without navigation axes")
    return np.array(navigation_values(signal, navigation_mask, "navigation_mask", dtype=bool))


_check_threshold = check_threshold


def _gathers(search, data) -> bool:
    """True when the lazy data are computed for the spike search: the "lowrank" finder
    models the whole image at once, which it can do where the data fit in memory."""
    from ..chunking import fits_in_memory

    return search.method == "lowrank" and fits_in_memory(data.nbytes)


class SpikesMixin:
    """``find_spikes`` / ``spikes_removal_tool`` / ``remove_spikes`` for 1-D signals."""

    def _spike_inputs(self, signal_mask, navigation_mask, threshold):
        _check_signal1d(self, operation="spike removal (find_spikes, spikes_removal_tool)")
        return (_signal_mask(self, signal_mask), _navigation_mask(self, navigation_mask),
                _check_threshold(threshold))

    def find_spikes(self, threshold="auto", signal_mask=None, navigation_mask=None,
                    method="lowrank", random_state=None, **kwargs):
        """Boolean mask of the X-ray spikes (single-channel outliers).

        Parameters
        ----------
        threshold : "auto" or float
            "lowrank": significance in Gaussian sigma (auto: about 0.05 false
            detections over the whole data). "derivative": threshold on
            ``|dI/dchannel|`` (auto: first empty bin of the derivative
            histogram, HyperSpy's rule). "median": multiple of the robust noise.
        signal_mask : array_like or signal of bool, optional
            True for channels not to search (an edge of interest).
        navigation_mask : array_like or signal of bool, optional
            True for spectra not to search.
        method : {"lowrank", "derivative", "median"}
            "lowrank" (default) flags values that are outliers in space (far
            above a robust low-rank model of the whole image) and in energy
            (above the interpolation from their neighbours); the other two look
            at each spectrum alone, as HyperSpy does.
        random_state : int, Generator or None
            Seed of the randomised SVD ("lowrank").
        **kwargs
            ``spectral_threshold``, ``n_components``, ``max_components``,
            ``max_num_bins``: see :func:`emunmix.preprocess.spikes.find_spikes`.

        Returns
        -------
        Signal1D
            Boolean data of this signal's shape and axes, True at spikes,
            titled ``"Spikes(<title>)"``.

        Examples
        --------
        >>> import emunmix.api as hs
        >>> s = hs.datasets.CL4()  # doctest: +SKIP
        >>> int(s.find_spikes().data.sum())  # doctest: +SKIP
        36
        """
        smask, nmask, threshold = self._spike_inputs(signal_mask, navigation_mask, threshold)
        mask = _kernels.find_spikes(_computed(self.data), threshold=threshold, method=method,
                                    signal_mask=smask, navigation_mask=nmask,
                                    random_state=random_state, **kwargs)
        return self._mask_signal(mask)

    def _mask_signal(self, mask):
        out = self._new_like(np.asarray(mask, dtype=bool), cls=signal_class())
        out.metadata.set_item("General.title",
                              f"Spikes({self.metadata.get_item('General.title', '')})")
        out.metadata.set_item("Signal.signal_type", "")
        return out

    def spikes_removal_tool(self, signal_mask=None, navigation_mask=None, threshold="auto",
                            interactive=True, display=True, toolkit=None, add_noise=True,
                            max_num_bins=1000, default_spike_width=5,
                            interpolator_kind="linear", random_state=None, **kwargs):
        """Find X-ray spikes and replace them, interactively or automatically, in place.

        Parameters
        ----------
        signal_mask, navigation_mask : array_like or signal of bool, optional
            True for channels / spectra to leave alone.
        threshold : "auto" or float
            Detection threshold of the finder (see :meth:`find_spikes`).
        interactive : bool
            True opens the tool of :mod:`emunmix.plot.spikes_tool`: the
            derivative histogram with a threshold line to drag, each spike with
            its proposed replacement, and HyperSpy's controls (threshold,
            finder, replacement and interpolation, spike width, add noise,
            show the removed spike; previous / next / remove / don't remove /
            remove all). It starts from the automatic threshold. It needs a
            Jupyter kernel with ipywidgets and an interactive backend
            (``%matplotlib widget``: widgets), or a Qt/Tk window in
            interactive mode (keys); elsewhere the call warns and removes the
            spikes automatically, so it never waits for a GUI.
            False removes every spike found, reports it and returns.
        display : bool
            Interactive mode: show the figure and controls (False builds the
            tool only, to script it).
        toolkit : None
            Accepted for HyperSpy compatibility (ipywidgets in Jupyter, keys in
            a matplotlib window).
        add_noise : bool
            Add Poisson noise to the replacement values.
        max_num_bins : int
            Bins of the derivative histogram (the "derivative" method's
            automatic threshold, and the tool's histogram).
        default_spike_width : int
            Channels bridged either side of a spike by the "interpolate"
            replacement.
        interpolator_kind : {"linear", "cubic"}
            Curve of the "interpolate" replacement.
        random_state : int, Generator or None
            Seed of the added noise and of the randomised SVD: results are
            reproducible.
        **kwargs
            ``method`` ("lowrank", "derivative", "median"), ``replacement``
            ("auto": with "lowrank", the low-rank model's value, only the
            flagged channel changes; with the other finders, "interpolate";
            "interpolate": HyperSpy's bridge of +-``default_spike_width``
            channels), ``spectral_threshold``, ``n_components``,
            ``max_components``.

        Returns
        -------
        SpikesRemovalReport or SpikesRemovalTool
            Automatic mode: the report (also printed as one line). Interactive
            mode: the tool.

        Examples
        --------
        >>> import emunmix.api as hs
        >>> s4 = hs.datasets.CL4()  # doctest: +SKIP
        >>> s4.spikes_removal_tool(interactive=False)  # doctest: +SKIP
        Removed 36 spike(s) in 33 of 4096 spectra ...
        """
        unknown = set(kwargs) - set(_FIND_KWARGS) - set(_REMOVE_KWARGS)
        if unknown:
            raise TypeError(
                f"spikes_removal_tool() got unexpected keyword argument(s) {sorted(unknown)}; "
                f"accepted: {list(_FIND_KWARGS + _REMOVE_KWARGS)}")
        smask, nmask, threshold = self._spike_inputs(signal_mask, navigation_mask, threshold)
        if interactive and not interactive_gui_available():
            warnings.warn(
                "spikes_removal_tool: no interactive GUI here (it needs a Jupyter kernel with "
                "ipywidgets and an interactive matplotlib backend such as '%matplotlib "
                "widget'); removing the spikes automatically (interactive=False).",
                UserWarning, stacklevel=2)
            interactive = False
        find_kw = {k: kwargs[k] for k in _FIND_KWARGS if k in kwargs}
        search = SpikeSearch(
            method=find_kw.pop("method", "lowrank"), threshold=threshold,
            replacement=kwargs.get("replacement", "auto"), interpolator_kind=interpolator_kind,
            default_spike_width=default_spike_width, add_noise=add_noise, signal_mask=smask,
            navigation_mask=nmask, max_num_bins=max_num_bins, random_state=random_state,
            finder_options=find_kw)
        if self._lazy and not interactive and not _gathers(search, self.data):
            from .spikes_lazy import lazy_spikes_removal

            report = lazy_spikes_removal(self, search, nmask)  # blockwise, stays lazy
            print(report.summary())
            return report
        data = _computed(self.data)
        if interactive:
            from ..plot.spikes_tool import SpikesRemovalTool

            if self._lazy:  # the tool edits the data in memory
                self._data = data
            tool = SpikesRemovalTool(self, search)
            if display:
                tool.display()
            return tool
        mask, cleaned, _ = search.run(data)
        method = search.method
        report = SpikesRemovalReport(
            n_spikes=0, n_spectra=int(mask.reshape(-1, mask.shape[-1]).any(axis=1).sum()),
            n_spectra_total=max(self.axes_manager.navigation_size, 1)
            - (0 if nmask is None else int(nmask.sum())),
            n_channels_changed=int(np.count_nonzero(cleaned != data)),
            positions=_spike_positions(self, mask), mask=mask, method=method,
            threshold=threshold, units=_units(self))
        report.n_spikes = len(report.positions)
        self._data = cleaned
        print(report.summary())
        return report

    def remove_spikes(self, threshold_factor=5, axes=None, inplace=True, method="median",
                      random_state=None, **kwargs):
        """Replace spikes by the local median of the neighbouring spectra (HyperSpy's name).

        A value is replaced by the median of the same channel in the
        neighbouring spectra (a 3 x 3 window over ``axes``, the centre
        excluded) when it stands more than ``threshold_factor`` times its
        noise above the neighbouring spectra **and** above its own two
        neighbouring channels on both sides. Two choices differ from
        HyperSpy's median variant, which compares ``|value - median|`` with
        the standard deviation of the whole channel: the noise here is the
        Poisson-like noise (scaled by a gain measured on the data), so weak
        spikes on a low background are found; and each neighbouring spectrum
        counts with its largest value within +-4 channels, so a sharp white
        line that sits a few channels away from pixel to pixel (energy
        instability) is not mistaken for a spike. Only positive outliers are
        spikes.

        Parameters
        ----------
        threshold_factor : float
            Threshold in noise standard deviations (positive).
        axes : None, int, str or tuple
            Navigation axes that define the neighbours (default: all).
        inplace : bool
            Replace the data in place (default) or return a new signal.
        method : {"median", "lowrank"}
            "median" (default) as above; "lowrank": :meth:`find_spikes` with
            ``threshold=threshold_factor`` sigma and the low-rank replacement.
        random_state : int, Generator or None
            "lowrank" only: seed of the randomised SVD and of the added noise.
        **kwargs
            ``size`` (odd, default 3): the neighbourhood width.

        Returns
        -------
        None or signal
            The cleaned copy when ``inplace=False``.
        """
        _check_signal1d(self, operation="remove_spikes()")
        factor = _check_threshold(threshold_factor, "threshold_factor")
        if factor == "auto":
            factor = 5.0
        size = int(kwargs.pop("size", 3))
        if kwargs:
            raise TypeError(f"remove_spikes() got unexpected keyword argument(s) {sorted(kwargs)}")
        if size < 3 or size % 2 == 0:
            raise ValueError(f"size must be an odd number >= 3, got {size}")
        data = _computed(self.data)
        if not np.isfinite(data).all():
            raise ValueError("the data hold NaN or infinite values; remove_spikes needs finite "
                             "data (crop or replace them first)")
        if method == "lowrank":
            mask, model = _kernels.find_spikes(data, threshold=factor, method="lowrank",
                                               random_state=random_state, return_model=True)
            cleaned = _kernels.remove_spikes(data, mask, model=model, replacement="lowrank",
                                             random_state=random_state)
        elif method == "median":
            nav_positions = self._neighbour_axes(axes)
            cleaned = median_replace(data, factor, nav_positions, size)
        else:
            raise ValueError(f"method must be 'median' or 'lowrank', got {method!r}")
        cleaned = restore_dtype(cleaned, data.dtype)
        if not inplace:
            return self._new_like(cleaned)
        self._data = cleaned
        return None

    def _neighbour_axes(self, axes) -> tuple[int, ...]:
        am = self.axes_manager
        if axes is None:
            chosen = am.navigation_axes
        else:
            chosen = [am[a] for a in (axes if isinstance(axes, (tuple, list)) else (axes,))]
            for a in chosen:
                if not a.navigate:
                    raise ValueError(
                        f"axes must be navigation axes (neighbouring spectra); {a.name!r} is "
                        "the signal axis")
        return tuple(sorted(am.array_index(a) for a in chosen))
